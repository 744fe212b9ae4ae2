using Embeddings;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers embedding pipelines in an <see cref="IServiceCollection"/>.</summary>
public static class EmbeddingsServiceCollectionExtensions
{
    /// <summary>
    /// Registers an embedding pipeline as <see cref="IEmbedder"/>, as
    /// <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> of strings to float vectors and as the non-generic
    /// <see cref="IEmbeddingGenerator"/> (singletons, one instance), as Microsoft.Extensions.AI's
    /// <c>AddEmbeddingGenerator</c> does, so vector store connectors and other Microsoft.Extensions.AI consumers find it.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Chooses the provider and middleware.</param>
    /// <returns>The builder, for further configuration.</returns>
    public static EmbeddingsBuilder AddEmbeddings(this IServiceCollection services, Action<EmbeddingsBuilder>? configure = null) =>
        AddCore(services, serviceKey: null, configuration: null, configure);

    /// <summary>
    /// Registers an embedding pipeline whose <see cref="EmbeddingsOptions"/> are bound from
    /// <paramref name="configuration"/> (typically <c>configuration.GetSection("Embeddings")</c>).
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The configuration section to bind.</param>
    /// <param name="configure">Chooses the provider and middleware.</param>
    /// <returns>The builder, for further configuration.</returns>
    public static EmbeddingsBuilder AddEmbeddings(this IServiceCollection services, IConfiguration configuration, Action<EmbeddingsBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return AddCore(services, serviceKey: null, configuration, configure);
    }

    /// <summary>
    /// Registers an embedding pipeline under <paramref name="serviceKey"/>, so several models can live side by
    /// side; resolve it with <c>[FromKeyedServices(key)]</c> or <c>GetRequiredKeyedService</c>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="serviceKey">The key.</param>
    /// <param name="configure">Chooses the provider and middleware.</param>
    /// <returns>The builder, for further configuration.</returns>
    public static EmbeddingsBuilder AddKeyedEmbeddings(this IServiceCollection services, object serviceKey, Action<EmbeddingsBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(serviceKey);
        return AddCore(services, serviceKey, configuration: null, configure);
    }

    /// <summary>Registers a keyed embedding pipeline whose options are bound from <paramref name="configuration"/>.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="serviceKey">The key.</param>
    /// <param name="configuration">The configuration section to bind.</param>
    /// <param name="configure">Chooses the provider and middleware.</param>
    /// <returns>The builder, for further configuration.</returns>
    public static EmbeddingsBuilder AddKeyedEmbeddings(this IServiceCollection services, object serviceKey, IConfiguration configuration, Action<EmbeddingsBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(serviceKey);
        ArgumentNullException.ThrowIfNull(configuration);
        return AddCore(services, serviceKey, configuration, configure);
    }

    private static EmbeddingsBuilder AddCore(IServiceCollection services, object? serviceKey, IConfiguration? configuration, Action<EmbeddingsBuilder>? configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        var builder = new EmbeddingsBuilder(services, serviceKey);
        services.AddOptions();
        RegisterWarmup(services, builder);
        if (configuration is not null)
        {
            services.AddOptions<EmbeddingsOptions>(builder.OptionsName).Bind(configuration);
        }

        if (serviceKey is null)
        {
            services.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(sp => builder.Build(sp));
            services.AddSingleton<IEmbeddingGenerator>(static sp => sp.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>());
            services.AddSingleton<IEmbedder>(sp => AsContainerEmbedder(sp.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>()));
        }
        else
        {
            services.AddKeyedSingleton<IEmbeddingGenerator<string, Embedding<float>>>(serviceKey, (sp, _) => builder.Build(sp));
            services.AddKeyedSingleton<IEmbeddingGenerator>(serviceKey, static (sp, key) => sp.GetRequiredKeyedService<IEmbeddingGenerator<string, Embedding<float>>>(key));
            services.AddKeyedSingleton<IEmbedder>(serviceKey, (sp, key) => AsContainerEmbedder(sp.GetRequiredKeyedService<IEmbeddingGenerator<string, Embedding<float>>>(key)));
        }

        configure?.Invoke(builder);
        return builder;
    }

    // Each container loads each asynchronous provider once (keyed by its builder), and a hosted service does it at startup.
    private static void RegisterWarmup(IServiceCollection services, EmbeddingsBuilder builder)
    {
        EmbeddingsRegistrations? registrations = null;
        foreach (ServiceDescriptor descriptor in services)
        {
            if (descriptor.ServiceType == typeof(EmbeddingsRegistrations) && !descriptor.IsKeyedService && descriptor.ImplementationInstance is EmbeddingsRegistrations existing)
            {
                registrations = existing;
                break;
            }
        }

        if (registrations is null)
        {
            registrations = new EmbeddingsRegistrations();
            services.AddSingleton(registrations);
            services.TryAddEnumerable(ServiceDescriptor.Singleton<Microsoft.Extensions.Hosting.IHostedService, EmbeddingsWarmupService>());
        }

        registrations.Builders.Add(builder);
        services.AddKeyedSingleton(builder, static (sp, key) => new EmbeddingsProviderLoad((EmbeddingsBuilder)key!, sp));
    }

    // The container owns the pipeline singleton and disposes it; the IEmbedder view must not dispose it a second time.
    private static IEmbedder AsContainerEmbedder(IEmbeddingGenerator<string, Embedding<float>> pipeline) =>
        pipeline as IEmbedder ?? new GeneratorEmbedder(pipeline, descriptor: null, ownsInnerGenerator: false);
}
