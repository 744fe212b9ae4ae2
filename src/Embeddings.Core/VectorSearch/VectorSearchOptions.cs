namespace Embeddings;

/// <summary>Per-search settings.</summary>
public sealed class VectorSearchOptions
{
    /// <summary>Gets or sets a filter on metadata; only records it admits are returned. Default: <see langword="null"/>, no filter.</summary>
    public MetadataFilter? Filter { get; set; }

    /// <summary>
    /// Gets or sets the search effort of approximate indexes (HNSW's efSearch, pgvector's <c>hnsw.ef_search</c>).
    /// Default: <see langword="null"/>, the index's own default. Exact indexes ignore it.
    /// </summary>
    public int? EfSearch { get; set; }

    /// <summary>Gets or sets the fingerprint of the embedder that made the query; checked against the index's. Default: <see langword="null"/>, not checked.</summary>
    public EmbedderFingerprint? Fingerprint { get; set; }
}
