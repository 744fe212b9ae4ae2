namespace Embeddings.Pipeline;

/// <summary>Bounds of a <see cref="MemoryEmbeddingCache"/>. When both are set, both hold.</summary>
public sealed class MemoryEmbeddingCacheOptions
{
    /// <summary>Gets or sets the most vectors kept; the least recently used go first. Default: 100,000. <see langword="null"/> for no entry bound.</summary>
    public int? MaxEntries { get; set; } = 100_000;

    /// <summary>
    /// Gets or sets the most bytes kept, counting 4 bytes per dimension plus <see cref="MemoryEmbeddingCache.EntryOverheadBytes"/>
    /// per entry. Default: <see langword="null"/> (no byte bound).
    /// </summary>
    public long? MaxBytes { get; set; }
}
