namespace Embeddings.PgVector;

/// <summary>The pgvector column type that holds a collection's vectors.</summary>
public enum PgVectorStorageType
{
    /// <summary><c>vector(n)</c>: 32-bit floats, up to 16,000 dimensions (2,000 with an index).</summary>
    Vector = 0,

    /// <summary><c>halfvec(n)</c>: 16-bit floats, half the storage, up to 4,000 indexed dimensions.</summary>
    HalfVector = 1,

    /// <summary>
    /// <c>bit(n)</c>: binary codes compared with <see cref="DistanceMetric.Hamming"/>. Each vector element becomes
    /// one bit, set when the element is positive (pgvector's <c>binary_quantize</c> rule), so a 0/1 vector is stored as is.
    /// </summary>
    Bit = 2,
}
