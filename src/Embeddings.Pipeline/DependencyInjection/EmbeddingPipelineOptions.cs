namespace Embeddings.Pipeline;

/// <summary>Settings of the production stack added by <c>UseEmbeddingPipeline</c>: retry, memory cache and SQLite cache.</summary>
public sealed class EmbeddingPipelineOptions
{
    /// <summary>Gets or sets the retry and timeout settings, or <see langword="null"/> for no retry layer. Default: the <see cref="EmbeddingRetryOptions"/> defaults.</summary>
    public EmbeddingRetryOptions? Retry { get; set; } = new();

    /// <summary>Gets or sets the in-memory cache bounds, or <see langword="null"/> for no memory cache. Default: the <see cref="MemoryEmbeddingCacheOptions"/> defaults.</summary>
    public MemoryEmbeddingCacheOptions? MemoryCache { get; set; } = new();

    /// <summary>Gets or sets the persistent cache, or <see langword="null"/> for none. Default: <see langword="null"/>.</summary>
    public SqliteEmbeddingCacheOptions? SqliteCache { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether retry sits outside the caches (retry → memory → SQLite → provider), so a
    /// retried call re-reads the caches and concurrent callers share one retried request. When <see langword="false"/>,
    /// retry wraps only the provider (memory → SQLite → retry → provider). Default: <see langword="true"/>.
    /// </summary>
    public bool RetryOutsideCache { get; set; } = true;
}
