namespace Embeddings;

/// <summary>The representation a <see cref="IVectorQuantizer"/> stores per vector.</summary>
public enum QuantizationKind
{
    /// <summary>Full-precision float32: 4 bytes per dimension.</summary>
    Float32 = 0,

    /// <summary>IEEE half precision: 2 bytes per dimension.</summary>
    Float16 = 1,

    /// <summary>Scalar int8 with per-dimension ranges: 1 byte per dimension.</summary>
    ScalarInt8 = 2,

    /// <summary>Sign bits packed into 64-bit words: 8 bytes per 64 dimensions (rounded up).</summary>
    Binary = 3,

    /// <summary>Product quantization: one byte per subspace.</summary>
    Product = 4,

    /// <summary>A float32 Matryoshka prefix: 4 bytes per kept dimension.</summary>
    MatryoshkaPrefix = 5,
}
