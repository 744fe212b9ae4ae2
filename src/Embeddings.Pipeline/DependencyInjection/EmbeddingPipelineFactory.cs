using Embeddings.Pipeline;
using Microsoft.Extensions.AI;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Builds the pipeline middleware once for both builders (<see cref="Embeddings.EmbeddingsBuilder"/> and Microsoft.Extensions.AI's).</summary>
internal static class EmbeddingPipelineFactory
{
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<System.Diagnostics.Metrics.IMeterFactory, EmbeddingPipelineMetrics> FactoryMetrics = new();

    public static IEmbeddingGenerator<string, Embedding<float>> Compose(
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

    public static RetryingEmbeddingGenerator CreateRetry(IEmbeddingGenerator<string, Embedding<float>> inner, IServiceProvider? services, EmbeddingRetryOptions options)
    {
        options.TimeProvider ??= services?.GetService<TimeProvider>();
        options.Metrics ??= Metrics(services);
        return new RetryingEmbeddingGenerator(inner, options);
    }

    public static SingleFlightCachingEmbeddingGenerator CreateCache(IEmbeddingGenerator<string, Embedding<float>> inner, IServiceProvider? services, IEmbeddingCacheStore store) =>
        new(inner, store, Metrics(services));

    public static SingleFlightCachingEmbeddingGenerator CreateMemoryCache(IEmbeddingGenerator<string, Embedding<float>> inner, IServiceProvider? services, MemoryEmbeddingCacheOptions options) =>
        new(inner, new MemoryEmbeddingCache(options), Metrics(services));

    public static SingleFlightCachingEmbeddingGenerator CreateSqliteCache(IEmbeddingGenerator<string, Embedding<float>> inner, IServiceProvider? services, SqliteEmbeddingCacheOptions options)
    {
        EmbeddingPipelineMetrics metrics = Metrics(services);
        return new SingleFlightCachingEmbeddingGenerator(inner, new SqliteEmbeddingCache(options, metrics), metrics, disposeStore: true);
    }

    // A registered EmbeddingPipelineMetrics wins; else the container's IMeterFactory (services.AddMetrics(), as hosts
    // have) owns the meter, one per factory; the process-wide meter only serves containers without either.
    public static EmbeddingPipelineMetrics Metrics(IServiceProvider? services) =>
        services?.GetService<EmbeddingPipelineMetrics>()
        ?? (services?.GetService<System.Diagnostics.Metrics.IMeterFactory>() is { } factory
            ? FactoryMetrics.GetValue(factory, static f => new EmbeddingPipelineMetrics(f))
            : EmbeddingPipelineMetrics.Shared);

    public static TOptions Configure<TOptions>(TOptions options, Action<TOptions>? configure)
    {
        configure?.Invoke(options);
        return options;
    }
}
