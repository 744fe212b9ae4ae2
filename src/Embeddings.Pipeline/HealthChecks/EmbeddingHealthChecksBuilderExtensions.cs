using Embeddings.Pipeline;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers <see cref="EmbeddingHealthCheck"/> with ASP.NET Core / generic-host health checks.</summary>
public static class EmbeddingHealthChecksBuilderExtensions
{
    /// <summary>Adds a check that embeds a probe string through the registered pipeline within a timeout.</summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="name">The check's name. Default: <c>embeddings</c>.</param>
    /// <param name="serviceKey">The key of a keyed <c>AddKeyedEmbeddings</c> registration, or <see langword="null"/> for the default one.</param>
    /// <param name="configure">Adjusts the probe.</param>
    /// <param name="failureStatus">The status reported on failure; <see langword="null"/> for <see cref="HealthStatus.Unhealthy"/>.</param>
    /// <param name="tags">Tags for filtering checks.</param>
    /// <returns><paramref name="builder"/>.</returns>
    public static IHealthChecksBuilder AddEmbeddingsCheck(
        this IHealthChecksBuilder builder,
        string name = "embeddings",
        object? serviceKey = null,
        Action<EmbeddingHealthCheckOptions>? configure = null,
        HealthStatus? failureStatus = null,
        IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return builder.Add(new HealthCheckRegistration(
            name,
            services =>
            {
                var options = new EmbeddingHealthCheckOptions { TimeProvider = services.GetService<TimeProvider>() };
                configure?.Invoke(options);
                IEmbeddingGenerator<string, Embedding<float>> generator = serviceKey is null
                    ? services.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>()
                    : services.GetRequiredKeyedService<IEmbeddingGenerator<string, Embedding<float>>>(serviceKey);
                return new EmbeddingHealthCheck(generator, options);
            },
            failureStatus,
            tags));
    }
}
