using Embeddings;
using Embeddings.Pipeline;
using Microsoft.Extensions.AI;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds <see cref="SingleFlightCachingEmbeddingGenerator"/> over a store to either pipeline builder: <c>AddEmbeddings</c>'s or Microsoft.Extensions.AI's.</summary>
public static class SingleFlightCachingEmbeddingGeneratorBuilderExtensions
{
    /// <summary>Adds a single-flight cache over <paramref name="store"/>.</summary>
    /// <param name="builder">The pipeline builder.</param>
    /// <param name="store">Where vectors are kept; not disposed by the pipeline.</param>
    /// <returns><paramref name="builder"/>.</returns>
    public static EmbeddingsBuilder UseEmbeddingCache(this EmbeddingsBuilder builder, IEmbeddingCacheStore store)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(store);
        return builder.Use((inner, services) => EmbeddingPipelineFactory.CreateCache(inner, services, store));
    }

    /// <summary>Adds a single-flight cache over <paramref name="store"/>.</summary>
    /// <param name="builder">The pipeline builder.</param>
    /// <param name="store">Where vectors are kept; not disposed by the pipeline.</param>
    /// <returns><paramref name="builder"/>.</returns>
    public static EmbeddingGeneratorBuilder<string, Embedding<float>> UseEmbeddingCache(
        this EmbeddingGeneratorBuilder<string, Embedding<float>> builder,
        IEmbeddingCacheStore store)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(store);
        return builder.Use((inner, services) => EmbeddingPipelineFactory.CreateCache(inner, services, store));
    }

    /// <summary>Adds a single-flight cache over a new <see cref="MemoryEmbeddingCache"/> (an in-memory LRU).</summary>
    /// <param name="builder">The pipeline builder.</param>
    /// <param name="configure">Adjusts the bounds (default 100,000 entries).</param>
    /// <returns><paramref name="builder"/>.</returns>
    public static EmbeddingsBuilder UseMemoryEmbeddingCache(this EmbeddingsBuilder builder, Action<MemoryEmbeddingCacheOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        MemoryEmbeddingCacheOptions options = EmbeddingPipelineFactory.Configure(new MemoryEmbeddingCacheOptions(), configure);
        return builder.Use((inner, services) => EmbeddingPipelineFactory.CreateMemoryCache(inner, services, options));
    }

    /// <summary>Adds a single-flight cache over a new <see cref="MemoryEmbeddingCache"/> (an in-memory LRU).</summary>
    /// <param name="builder">The pipeline builder.</param>
    /// <param name="configure">Adjusts the bounds (default 100,000 entries).</param>
    /// <returns><paramref name="builder"/>.</returns>
    public static EmbeddingGeneratorBuilder<string, Embedding<float>> UseMemoryEmbeddingCache(
        this EmbeddingGeneratorBuilder<string, Embedding<float>> builder,
        Action<MemoryEmbeddingCacheOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        MemoryEmbeddingCacheOptions options = EmbeddingPipelineFactory.Configure(new MemoryEmbeddingCacheOptions(), configure);
        return builder.Use((inner, services) => EmbeddingPipelineFactory.CreateMemoryCache(inner, services, options));
    }

    /// <summary>Adds a single-flight cache over a <see cref="SqliteEmbeddingCache"/> at <paramref name="path"/>, disposed with the pipeline.</summary>
    /// <param name="builder">The pipeline builder.</param>
    /// <param name="path">The database file.</param>
    /// <param name="configure">Adjusts the format and size bound.</param>
    /// <returns><paramref name="builder"/>.</returns>
    public static EmbeddingsBuilder UseSqliteEmbeddingCache(this EmbeddingsBuilder builder, string path, Action<SqliteEmbeddingCacheOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        SqliteEmbeddingCacheOptions options = EmbeddingPipelineFactory.Configure(new SqliteEmbeddingCacheOptions { Path = path }, configure);
        return builder.Use((inner, services) => EmbeddingPipelineFactory.CreateSqliteCache(inner, services, options));
    }

    /// <summary>Adds a single-flight cache over a <see cref="SqliteEmbeddingCache"/> at <paramref name="path"/>, disposed with the pipeline.</summary>
    /// <param name="builder">The pipeline builder.</param>
    /// <param name="path">The database file.</param>
    /// <param name="configure">Adjusts the format and size bound.</param>
    /// <returns><paramref name="builder"/>.</returns>
    public static EmbeddingGeneratorBuilder<string, Embedding<float>> UseSqliteEmbeddingCache(
        this EmbeddingGeneratorBuilder<string, Embedding<float>> builder,
        string path,
        Action<SqliteEmbeddingCacheOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        SqliteEmbeddingCacheOptions options = EmbeddingPipelineFactory.Configure(new SqliteEmbeddingCacheOptions { Path = path }, configure);
        return builder.Use((inner, services) => EmbeddingPipelineFactory.CreateSqliteCache(inner, services, options));
    }
}
