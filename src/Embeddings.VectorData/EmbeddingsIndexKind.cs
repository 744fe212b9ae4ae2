namespace Embeddings.VectorData;

/// <summary>
/// The index kinds an Embeddings.VectorData collection accepts in <c>[VectorStoreVector(IndexKind = ...)]</c>: MEVD's
/// own names, plus quantized flat storage that MEVD has no name for.
/// </summary>
public static class EmbeddingsIndexKind
{
    /// <summary>An exact scan over float32 vectors (<see cref="FlatIndex"/>); the default when no kind is given. Equals MEVD's <c>IndexKind.Flat</c>.</summary>
    public const string Flat = "Flat";

    /// <summary>An HNSW graph (<see cref="HnswIndex"/>); on pgvector, an <c>hnsw</c> index. Equals MEVD's <c>IndexKind.Hnsw</c>.</summary>
    public const string Hnsw = "Hnsw";

    /// <summary>A pgvector <c>ivfflat</c> index; PgVector collections only. Equals MEVD's <c>IndexKind.IvfFlat</c>.</summary>
    public const string IvfFlat = "IvfFlat";

    /// <summary>
    /// A flat scan over 16-bit float vectors: half the memory of <see cref="Flat"/>, scores within about three
    /// significant digits. MEVD's <c>IndexKind.QuantizedFlat</c> maps here too. On pgvector: <c>halfvec</c> storage, no ANN index.
    /// </summary>
    public const string FlatFloat16 = "FlatFloat16";

    /// <summary>
    /// A flat scan over sign bits (<see cref="BinaryQuantizer"/>): 1 bit per dimension, approximate scores from the
    /// quantizer's asymmetric scorer. In-process collections only.
    /// </summary>
    public const string FlatBinary = "FlatBinary";

    /// <summary>MEVD's name for a DiskANN-style quantized flat index; treated as <see cref="FlatFloat16"/>.</summary>
    public const string QuantizedFlat = "QuantizedFlat";
}
