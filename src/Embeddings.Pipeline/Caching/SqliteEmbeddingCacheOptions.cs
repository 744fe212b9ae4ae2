namespace Embeddings.Pipeline;

/// <summary>Settings of a <see cref="SqliteEmbeddingCache"/>.</summary>
public sealed class SqliteEmbeddingCacheOptions
{
    /// <summary>Gets or sets the database file; its folder is created when missing. Required. Default: <see langword="null"/>.</summary>
    public string? Path { get; set; }

    /// <summary>Gets or sets how vectors are stored. Default: <see cref="EmbeddingBlobFormat.Float32"/>.</summary>
    public EmbeddingBlobFormat Format { get; set; } = EmbeddingBlobFormat.Float32;

    /// <summary>
    /// Gets or sets the most bytes of entries kept (vector blobs plus <see cref="SqliteEmbeddingCache.RowOverheadBytes"/> per row);
    /// past it the least recently used entries are deleted down to 90% of the bound. Default: 1 GiB.
    /// </summary>
    public long MaxBytes { get; set; } = 1L << 30;
}
