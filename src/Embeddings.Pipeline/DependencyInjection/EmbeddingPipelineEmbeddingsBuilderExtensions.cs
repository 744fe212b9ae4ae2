using Embeddings;
using Embeddings.Pipeline;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the Embeddings.Pipeline middleware to <c>services.AddEmbeddings(...)</c>.</summary>
public static class EmbeddingPipelineEmbeddingsBuilderExtensions
{
    /// <summary>Adds retry with backoff and jitter and a per-attempt timeout. The container's <see cref="TimeProvider"/> is used when registered.</summary>
    /// <param name="builder">The pipeline builder.</param>
    /// <param name="configure">Adjusts the defaults (3 retries, 1 s doubling to 30 s, 30 s per attempt).</param>
    /// <returns><paramref name="builder"/>.</returns>
    public static EmbeddingsBuilder UseRetry(this EmbeddingsBuilder builder, Action<EmbeddingRetryOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new EmbeddingRetryOptions();
        configure?.Invoke(options);
        return builder.Use((inner, services) => EmbeddingPipelineGeneratorBuilderExtensions.CreateRetry(inner, services, options));
    }

    /// <summary>Adds a single-flight cache over <paramref name="store"/>.</summary>
    /// <param name="builder">The pipeline builder.</param>
    /// <param name="store">Where vectors are kept; not disposed by the pipeline.</param>
    /// <returns><paramref name="builder"/>.</returns>
    public static EmbeddingsBuilder UseEmbeddingCache(this EmbeddingsBuilder builder, IEmbeddingCacheStore store)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(store);
        return builder.Use((inner, services) => new SingleFlightCachingEmbeddingGenerator(inner, store, EmbeddingPipelineGeneratorBuilderExtensions.Metrics(services)));
    }

    /// <summary>Adds a single-flight in-memory LRU cache.</summary>
    /// <param name="builder">The pipeline builder.</param>
    /// <param name="configure">Adjusts the bounds (default 100,000 entries).</param>
    /// <returns><paramref name="builder"/>.</returns>
    public static EmbeddingsBuilder UseMemoryEmbeddingCache(this EmbeddingsBuilder builder, Action<MemoryEmbeddingCacheOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new MemoryEmbeddingCacheOptions();
        configure?.Invoke(options);
        return builder.Use((inner, services) => EmbeddingPipelineGeneratorBuilderExtensions.CreateMemoryCache(inner, services, options));
    }

    /// <summary>Adds a single-flight persistent cache in the SQLite file at <paramref name="path"/>.</summary>
    /// <param name="builder">The pipeline builder.</param>
    /// <param name="path">The database file.</param>
    /// <param name="configure">Adjusts the format and size bound.</param>
    /// <returns><paramref name="builder"/>.</returns>
    public static EmbeddingsBuilder UseSqliteEmbeddingCache(this EmbeddingsBuilder builder, string path, Action<SqliteEmbeddingCacheOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var options = new SqliteEmbeddingCacheOptions { Path = path };
        configure?.Invoke(options);
        return builder.Use((inner, services) => EmbeddingPipelineGeneratorBuilderExtensions.CreateSqliteCache(inner, services, options));
    }

    /// <summary>Adds the production stack: retry outside the memory cache and optional SQLite cache by default (see <see cref="EmbeddingPipelineOptions"/>).</summary>
    /// <param name="builder">The pipeline builder.</param>
    /// <param name="configure">Adjusts the stack.</param>
    /// <returns><paramref name="builder"/>.</returns>
    public static EmbeddingsBuilder UseEmbeddingPipeline(this EmbeddingsBuilder builder, Action<EmbeddingPipelineOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new EmbeddingPipelineOptions();
        configure?.Invoke(options);
        return builder.Use((inner, services) => EmbeddingPipelineGeneratorBuilderExtensions.Compose(inner, services, options));
    }
}
