namespace Embeddings;

/// <summary>
/// Where a container-registered <see cref="FlatIndex"/> or <see cref="HnswIndex"/> (<c>AddFlatIndex</c>,
/// <c>AddHnswIndex</c>) lives on disk and how it is created when the file is not there yet.
/// </summary>
public sealed class VectorIndexFileOptions
{
    /// <summary>
    /// Gets or sets the index file. When it exists the index is loaded from it; otherwise an empty index is created.
    /// Default: <see langword="null"/>: the index lives in memory only.
    /// </summary>
    public string? Path { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether the index is saved to <see cref="Path"/> when the container disposes it
    /// (written to a temporary file and renamed, so a failed save keeps the previous file). Default: <see langword="true"/>.
    /// </summary>
    public bool SaveOnDispose { get; set; } = true;

    /// <summary>
    /// Gets or sets the vector length of a new index. Default: 0: the registered <see cref="IEmbedder"/>'s dimensions.
    /// </summary>
    public int Dimensions { get; set; }

    /// <summary>Gets or sets the metric of a new index. Default: <see cref="DistanceMetric.Cosine"/>.</summary>
    public DistanceMetric Metric { get; set; } = DistanceMetric.Cosine;

    /// <summary>
    /// Gets or sets the fingerprint a new index is locked to, and that a loaded one must carry. Default:
    /// <see langword="null"/>: the registered <see cref="IEmbedder"/>'s, when there is one.
    /// </summary>
    public EmbedderFingerprint? Fingerprint { get; set; }
}
