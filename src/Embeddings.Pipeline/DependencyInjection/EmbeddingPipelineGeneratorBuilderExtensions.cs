using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Embeddings.Pipeline;

/// <summary>Adds the Embeddings.Pipeline middleware to a Microsoft.Extensions.AI <see cref="EmbeddingGeneratorBuilder{TInput, TEmbedding}"/>.</summary>
public static class EmbeddingPipelineGeneratorBuilderExtensions
{
    /// <summary>Adds <see cref="RetryingEmbeddingGenerator"/>: retry with backoff and jitter, and a per-attempt timeout.</summary>
    /// <param name="builder">The pipeline builder.</param>
    /// <param name="configure">Adjusts the defaults (3 retries, 1 s doubling to 30 s, 30 s per attempt).</param>
    /// <returns><paramref name="builder"/>.</returns>
    public static EmbeddingGeneratorBuilder<string, Embedding<float>> UseRetry(
        this EmbeddingGeneratorBuilder<string, Embedding<float>> builder,
        Action<EmbeddingRetryOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((inner, services) => CreateRetry(inner, services, Configure(configure)));
    }

    /// <summary>Adds <see cref="SingleFlightCachingEmbeddingGenerator"/> over <paramref name="store"/>.</summary>
    /// <param name="builder">The pipeline builder.</param>
    /// <param name="store">Where vectors are kept; not disposed by the pipeline.</param>
    /// <returns><paramref name="builder"/>.</returns>
    public static EmbeddingGeneratorBuilder<string, Embedding<float>> UseEmbeddingCache(
        this EmbeddingGeneratorBuilder<string, Embedding<float>> builder,
        IEmbeddingCacheStore store)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(store);
        return builder.Use((inner, services) => new SingleFlightCachingEmbeddingGenerator(inner, store, Metrics(services)));
    }

    /// <summary>Adds a single-flight cache over a new <see cref="MemoryEmbeddingCache"/>.</summary>
    /// <param name="builder">The pipeline builder.</param>
    /// <param name="configure">Adjusts the bounds (default 100,000 entries).</param>
    /// <returns><paramref name="builder"/>.</returns>
    public static EmbeddingGeneratorBuilder<string, Embedding<float>> UseMemoryEmbeddingCache(
        this EmbeddingGeneratorBuilder<string, Embedding<float>> builder,
        Action<MemoryEmbeddingCacheOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new MemoryEmbeddingCacheOptions();
        configure?.Invoke(options);
        return builder.Use((inner, services) => CreateMemoryCache(inner, services, options));
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
        var options = new SqliteEmbeddingCacheOptions { Path = path };
        configure?.Invoke(options);
        return builder.Use((inner, services) => CreateSqliteCache(inner, services, options));
    }

    /// <summary>
    /// Adds the production stack: retry (with per-attempt timeout), the memory cache and optionally the SQLite cache, in the
    /// order <see cref="EmbeddingPipelineOptions.RetryOutsideCache"/> picks.
    /// </summary>
    /// <param name="builder">The pipeline builder.</param>
    /// <param name="configure">Adjusts the stack.</param>
    /// <returns><paramref name="builder"/>.</returns>
    public static EmbeddingGeneratorBuilder<string, Embedding<float>> UseEmbeddingPipeline(
        this EmbeddingGeneratorBuilder<string, Embedding<float>> builder,
        Action<EmbeddingPipelineOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new EmbeddingPipelineOptions();
        configure?.Invoke(options);
        return builder.Use((inner, services) => Compose(inner, services, options));
    }

    internal static IEmbeddingGenerator<string, Embedding<float>> Compose(
        IEmbeddingGenerator<string, Embedding<float>> provider,
        IServiceProvider? services,
        EmbeddingPipelineOptions options)
    {
        IEmbeddingGenerator<string, Embedding<float>> pipeline = provider;
        if (options.Retry is not null && !options.RetryOutsideCache)
        {
            pipeline = CreateRetry(pipeline, services, options.Retry);
        }

        if (options.SqliteCache is not null)
        {
            pipeline = CreateSqliteCache(pipeline, services, options.SqliteCache);
        }

        if (options.MemoryCache is not null)
        {
            pipeline = CreateMemoryCache(pipeline, services, options.MemoryCache);
        }

        if (options.Retry is not null && options.RetryOutsideCache)
        {
            pipeline = CreateRetry(pipeline, services, options.Retry);
        }

        return pipeline;
    }

    internal static RetryingEmbeddingGenerator CreateRetry(IEmbeddingGenerator<string, Embedding<float>> inner, IServiceProvider? services, EmbeddingRetryOptions options)
    {
        options.TimeProvider ??= services?.GetService<TimeProvider>();
        options.Metrics ??= Metrics(services);
        return new RetryingEmbeddingGenerator(inner, options);
    }

    internal static SingleFlightCachingEmbeddingGenerator CreateMemoryCache(IEmbeddingGenerator<string, Embedding<float>> inner, IServiceProvider? services, MemoryEmbeddingCacheOptions options) =>
        new(inner, new MemoryEmbeddingCache(options), Metrics(services));

    internal static SingleFlightCachingEmbeddingGenerator CreateSqliteCache(IEmbeddingGenerator<string, Embedding<float>> inner, IServiceProvider? services, SqliteEmbeddingCacheOptions options)
    {
        EmbeddingPipelineMetrics metrics = Metrics(services);
        return new SingleFlightCachingEmbeddingGenerator(inner, new SqliteEmbeddingCache(options, metrics), metrics, disposeStore: true);
    }

    // A registered EmbeddingPipelineMetrics wins; else the container's IMeterFactory (services.AddMetrics(), as hosts
    // have) owns the meter, one per factory; the process-wide meter only serves containers without either.
    internal static EmbeddingPipelineMetrics Metrics(IServiceProvider? services) =>
        services?.GetService<EmbeddingPipelineMetrics>()
        ?? (services?.GetService<System.Diagnostics.Metrics.IMeterFactory>() is { } factory
            ? FactoryMetrics.GetValue(factory, static f => new EmbeddingPipelineMetrics(f))
            : EmbeddingPipelineMetrics.Shared);

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<System.Diagnostics.Metrics.IMeterFactory, EmbeddingPipelineMetrics> FactoryMetrics = new();

    private static EmbeddingRetryOptions Configure(Action<EmbeddingRetryOptions>? configure)
    {
        var options = new EmbeddingRetryOptions();
        configure?.Invoke(options);
        return options;
    }
}
