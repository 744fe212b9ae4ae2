using Embeddings;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers an <see cref="EmbeddingIndex"/> over the registered index and embedder.</summary>
public static class EmbeddingIndexServiceCollectionExtensions
{
    /// <summary>
    /// Registers a singleton <see cref="EmbeddingIndex"/> that binds the registered <see cref="IVectorIndex"/> (for
    /// example from <c>AddFlatIndex</c>, <c>AddHnswIndex</c> or <c>AddPgVectorIndex</c>) to the registered
    /// <see cref="IEmbedder"/> (from <c>AddEmbeddings</c>).
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="batchSize">How many texts are embedded per call; positive. Default: <see cref="EmbeddingIndex.DefaultBatchSize"/>.</param>
    /// <returns>The same service collection, for chaining.</returns>
    public static IServiceCollection AddEmbeddingIndex(this IServiceCollection services, int batchSize = EmbeddingIndex.DefaultBatchSize)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        return services.AddSingleton(sp => new EmbeddingIndex(sp.GetRequiredService<IVectorIndex>(), sp.GetRequiredService<IEmbedder>(), batchSize));
    }

    /// <summary>
    /// Registers a keyed singleton <see cref="EmbeddingIndex"/> that binds the <see cref="IVectorIndex"/> and the
    /// <see cref="IEmbedder"/> registered under <paramref name="serviceKey"/>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="serviceKey">The key of the index, the embedder and this registration.</param>
    /// <param name="batchSize">How many texts are embedded per call; positive. Default: <see cref="EmbeddingIndex.DefaultBatchSize"/>.</param>
    /// <returns>The same service collection, for chaining.</returns>
    public static IServiceCollection AddKeyedEmbeddingIndex(this IServiceCollection services, object serviceKey, int batchSize = EmbeddingIndex.DefaultBatchSize)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(serviceKey);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        return services.AddKeyedSingleton(
            serviceKey,
            (sp, key) => new EmbeddingIndex(sp.GetRequiredKeyedService<IVectorIndex>(key), sp.GetRequiredKeyedService<IEmbedder>(key), batchSize));
    }
}
