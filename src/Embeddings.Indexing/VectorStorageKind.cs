namespace Embeddings;

/// <summary>How a <see cref="FlatIndex"/> stores its vectors.</summary>
public enum VectorStorageKind
{
    /// <summary>32-bit floats: exact, 4 bytes per dimension.</summary>
    Float32 = 0,

    /// <summary>16-bit floats: half the memory, about three significant digits; scores are computed in float32.</summary>
    Float16 = 1,

    /// <summary>
    /// Codes from an <see cref="IVectorQuantizer"/> (scalar int8, binary, product quantization, ...; see
    /// <see cref="FlatIndexOptions.Quantizer"/>): the quantizer's bytes per vector, scores approximated by its scorer.
    /// </summary>
    Quantized = 2,
}
