using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Embeddings;

/// <summary>
/// Composes one embedding pipeline for dependency injection: a provider (ONNX, HTTP, static, ...) at the
/// centre and middleware around it, ours and Microsoft.Extensions.AI's. Returned by
/// <c>services.AddEmbeddings(...)</c>.
/// </summary>
/// <remarks>
/// Middleware added first is outermost, as in <see cref="EmbeddingGeneratorBuilder{TInput, TEmbedding}"/>.
/// Matryoshka truncation from <see cref="EmbeddingsOptions.Dimensions"/> sits right around the provider.
/// </remarks>
public sealed class EmbeddingsBuilder
{
    private readonly List<Func<IEmbeddingGenerator<string, Embedding<float>>, IServiceProvider, IEmbeddingGenerator<string, Embedding<float>>>> _middleware = [];
    private Func<IServiceProvider, IEmbedder>? _providerFactory;
    private Func<IServiceProvider, CancellationToken, Task<IEmbedder>>? _asyncProviderFactory;

    internal EmbeddingsBuilder(IServiceCollection services, object? serviceKey)
    {
        Services = services;
        ServiceKey = serviceKey;
        OptionsName = serviceKey is null ? Options.DefaultName : serviceKey.ToString() ?? Options.DefaultName;
    }

    /// <summary>Gets the service collection the pipeline is registered in.</summary>
    public IServiceCollection Services { get; }

    /// <summary>Gets the service key of a keyed registration, or <see langword="null"/>.</summary>
    public object? ServiceKey { get; }

    /// <summary>Gets the name under which this registration's <see cref="EmbeddingsOptions"/> are configured.</summary>
    public string OptionsName { get; }

    /// <summary>Sets the provider at the centre of the pipeline. A later call replaces an earlier one.</summary>
    /// <param name="factory">Creates the provider; called once, when the pipeline is first resolved.</param>
    /// <returns>This builder.</returns>
    public EmbeddingsBuilder UseProvider(Func<IServiceProvider, IEmbedder> factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        _providerFactory = factory;
        _asyncProviderFactory = null;
        return this;
    }

    /// <summary>
    /// Sets a provider that loads asynchronously (a model download, a session build). A later call replaces an earlier one.
    /// </summary>
    /// <remarks>
    /// Dependency injection factories are synchronous, so a provider that must load cannot be awaited where the
    /// pipeline is resolved. In a host, a hosted service starts every asynchronous provider at startup and awaits
    /// it, so a load failure (a missing model file, an unreachable hub) stops the host with that error and the
    /// first resolution finds the provider loaded. Without a host, the first resolution waits for the load.
    /// Either way the factory runs once per container.
    /// </remarks>
    /// <param name="factory">Loads the provider. The load is shared by the warm-up and the first resolution, so it runs to its end (its token is not cancelled); a host whose start is cancelled stops waiting for it.</param>
    /// <returns>This builder.</returns>
    public EmbeddingsBuilder UseProvider(Func<IServiceProvider, CancellationToken, Task<IEmbedder>> factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        _asyncProviderFactory = factory;
        _providerFactory = null;
        return this;
    }

    /// <summary>Adds middleware: around the provider, and inside any middleware added earlier.</summary>
    /// <param name="middleware">Wraps the inner generator.</param>
    /// <returns>This builder.</returns>
    public EmbeddingsBuilder Use(Func<IEmbeddingGenerator<string, Embedding<float>>, IServiceProvider, IEmbeddingGenerator<string, Embedding<float>>> middleware)
    {
        ArgumentNullException.ThrowIfNull(middleware);
        _middleware.Add(middleware);
        return this;
    }

    /// <summary>Configures this registration's options in code (applied after configuration binding).</summary>
    /// <param name="configure">Changes the options.</param>
    /// <returns>This builder.</returns>
    public EmbeddingsBuilder Configure(Action<EmbeddingsOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        Services.Configure(OptionsName, configure);
        return this;
    }

    /// <summary>Adds Microsoft.Extensions.AI's logging middleware.</summary>
    /// <param name="loggerFactory">The logger factory; when <see langword="null"/>, the one from the container.</param>
    /// <param name="configure">Configures the middleware.</param>
    /// <returns>This builder.</returns>
    public EmbeddingsBuilder UseLogging(ILoggerFactory? loggerFactory = null, Action<LoggingEmbeddingGenerator<string, Embedding<float>>>? configure = null) =>
        Use((inner, services) => inner.AsBuilder().UseLogging(loggerFactory, configure).Build(services));

    /// <summary>Adds Microsoft.Extensions.AI's OpenTelemetry middleware (traces and metrics per the GenAI semantic conventions).</summary>
    /// <param name="loggerFactory">The logger factory; when <see langword="null"/>, the one from the container.</param>
    /// <param name="sourceName">The activity source and meter name; when <see langword="null"/>, Microsoft.Extensions.AI's default.</param>
    /// <param name="configure">Configures the middleware.</param>
    /// <returns>This builder.</returns>
    public EmbeddingsBuilder UseOpenTelemetry(ILoggerFactory? loggerFactory = null, string? sourceName = null, Action<OpenTelemetryEmbeddingGenerator<string, Embedding<float>>>? configure = null) =>
        Use((inner, services) => inner.AsBuilder().UseOpenTelemetry(loggerFactory, sourceName, configure).Build(services));

    /// <summary>Adds Microsoft.Extensions.AI's distributed-cache middleware.</summary>
    /// <param name="storage">The cache; when <see langword="null"/>, the <c>IDistributedCache</c> from the container.</param>
    /// <param name="configure">Configures the middleware.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="InvalidOperationException">
    /// When the pipeline is resolved: <paramref name="storage"/> is <see langword="null"/> and the container has no
    /// <c>IDistributedCache</c> (the message says which registration to add).
    /// </exception>
    public EmbeddingsBuilder UseDistributedCache(Microsoft.Extensions.Caching.Distributed.IDistributedCache? storage = null, Action<DistributedCachingEmbeddingGenerator<string, Embedding<float>>>? configure = null) =>
        Use((inner, services) =>
        {
            // Microsoft.Extensions.AI would fail with "No service for type IDistributedCache"; say what to register instead.
            Microsoft.Extensions.Caching.Distributed.IDistributedCache cache = storage
                ?? services.GetService<Microsoft.Extensions.Caching.Distributed.IDistributedCache>()
                ?? throw new InvalidOperationException(
                    "UseDistributedCache() found no IDistributedCache in the container: register one, for example services.AddDistributedMemoryCache() (package Microsoft.Extensions.Caching.Memory) or services.AddStackExchangeRedisCache(...) (package Microsoft.Extensions.Caching.StackExchangeRedis), or pass a cache to UseDistributedCache(storage).");
            return inner.AsBuilder().UseDistributedCache(cache, configure).Build(services);
        });

    /// <summary>Starts the asynchronous provider of this registration in <paramref name="services"/>, once per container.</summary>
    internal Task<IEmbedder> LoadProviderAsync(IServiceProvider services, CancellationToken cancellationToken) =>
        _asyncProviderFactory is null ? Task.FromResult<IEmbedder>(null!) : _asyncProviderFactory(services, cancellationToken);

    internal bool LoadsAsynchronously => _asyncProviderFactory is not null;

    internal IEmbeddingGenerator<string, Embedding<float>> Build(IServiceProvider services)
    {
        if (_providerFactory is null && _asyncProviderFactory is null)
        {
            throw new InvalidOperationException(
                $"No embedding provider is configured for {(ServiceKey is null ? "the default registration" : $"key '{ServiceKey}'")}: call a provider method such as UseStaticModel, UseOnnxModel or UseOpenAI, or UseProvider, on the builder AddEmbeddings returns.");
        }

        IEmbedder provider = (_providerFactory is not null
                ? _providerFactory(services)
                : services.GetRequiredKeyedService<EmbeddingsProviderLoad>(this).HandOver())
            ?? throw new InvalidOperationException("The embedding provider factory returned null.");
        EmbeddingsOptions options = services.GetRequiredService<IOptionsMonitor<EmbeddingsOptions>>().Get(OptionsName);

        IEmbeddingGenerator<string, Embedding<float>> pipeline = provider;
        if (options.Dimensions is int dimensions && dimensions != provider.Dimensions)
        {
            pipeline = new MatryoshkaEmbeddingGenerator(pipeline, dimensions, options.AllowUntrainedDimensions);
        }

        var builder = new EmbeddingGeneratorBuilder<string, Embedding<float>>(pipeline);
        foreach (var middleware in _middleware)
        {
            builder.Use(middleware);
        }

        return builder.Build(services);
    }
}
