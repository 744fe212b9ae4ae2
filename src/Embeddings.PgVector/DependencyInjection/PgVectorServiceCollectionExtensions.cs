using Embeddings;
using Embeddings.PgVector;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers a <see cref="PgVectorIndex"/> as the application's <see cref="IVectorIndex"/>.</summary>
public static class PgVectorServiceCollectionExtensions
{
    /// <summary>
    /// Registers a <see cref="PgVectorIndex"/> singleton as <see cref="IVectorIndex"/> and as itself. The connection
    /// comes from <see cref="PgVectorIndexOptions.ConnectionString"/> when set, otherwise from the
    /// <see cref="NpgsqlDataSource"/> in the container; dimensions and fingerprint default to the registered
    /// <see cref="IEmbedder"/>'s, so the index is locked to the model that fills it.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the options in code; may be <see langword="null"/>.</param>
    /// <returns>The service collection.</returns>
    public static IServiceCollection AddPgVectorIndex(this IServiceCollection services, Action<PgVectorIndexOptions>? configure = null) =>
        AddCore(services, serviceKey: null, configuration: null, configure);

    /// <summary>Registers a <see cref="PgVectorIndex"/> whose options are bound from <paramref name="configuration"/> (for example <c>configuration.GetSection("VectorIndex")</c>).</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The section to bind.</param>
    /// <param name="configure">Changes the options after binding; may be <see langword="null"/>.</param>
    /// <returns>The service collection.</returns>
    public static IServiceCollection AddPgVectorIndex(this IServiceCollection services, IConfiguration configuration, Action<PgVectorIndexOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return AddCore(services, serviceKey: null, configuration, configure);
    }

    /// <summary>Registers a <see cref="PgVectorIndex"/> under <paramref name="serviceKey"/>, beside other indexes; its embedder defaults to the one under the same key.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="serviceKey">The key.</param>
    /// <param name="configure">Sets the options in code; may be <see langword="null"/>.</param>
    /// <returns>The service collection.</returns>
    public static IServiceCollection AddKeyedPgVectorIndex(this IServiceCollection services, object serviceKey, Action<PgVectorIndexOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(serviceKey);
        return AddCore(services, serviceKey, configuration: null, configure);
    }

    private static IServiceCollection AddCore(IServiceCollection services, object? serviceKey, IConfiguration? configuration, Action<PgVectorIndexOptions>? configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        string name = serviceKey?.ToString() ?? Options.Options.DefaultName;
        OptionsBuilder<PgVectorIndexOptions> options = services.AddOptions<PgVectorIndexOptions>(name);
        if (configuration is not null)
        {
            options.Bind(configuration);
        }

        if (configure is not null)
        {
            options.Configure(configure);
        }

        if (serviceKey is null)
        {
            services.AddSingleton(sp => Create(sp, name, sp.GetService<IEmbedder>(), sp.GetService<NpgsqlDataSource>()));
            services.AddSingleton<IVectorIndex>(sp => sp.GetRequiredService<PgVectorIndex>());
        }
        else
        {
            services.AddKeyedSingleton(serviceKey, (sp, key) => Create(sp, name, sp.GetKeyedService<IEmbedder>(key), sp.GetKeyedService<NpgsqlDataSource>(key) ?? sp.GetService<NpgsqlDataSource>()));
            services.AddKeyedSingleton<IVectorIndex>(serviceKey, (sp, key) => sp.GetRequiredKeyedService<PgVectorIndex>(key));
        }

        return services;
    }

    private static PgVectorIndex Create(IServiceProvider services, string name, IEmbedder? embedder, NpgsqlDataSource? dataSource)
    {
        PgVectorIndexOptions options = services.GetRequiredService<IOptionsMonitor<PgVectorIndexOptions>>().Get(name);
        if (embedder is not null)
        {
            options.Fingerprint ??= embedder.Fingerprint;
            if (options.Dimensions == 0)
            {
                options.Dimensions = embedder.Dimensions;
            }
        }

        if (!string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            return new PgVectorIndex(options);
        }

        return dataSource is not null
            ? new PgVectorIndex(dataSource, options)
            : throw new InvalidOperationException(
                $"The pgvector index{(name.Length == 0 ? string.Empty : $" '{name}'")} has no connection: set PgVectorIndexOptions.ConnectionString (for example from the configuration section) or register an NpgsqlDataSource.");
    }
}
