using System.Diagnostics.CodeAnalysis;
using Embeddings;
using Embeddings.VectorData;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.VectorData;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Registers an <see cref="EmbeddingsVectorStore"/> and its collections the way MEVD's connectors do
/// (<c>AddXVectorStore</c>, <c>AddKeyedXVectorStore</c>, <c>AddXCollection</c>), next to <c>AddEmbeddings</c>.
/// </summary>
public static class EmbeddingsVectorStoreServiceCollectionExtensions
{
    /// <summary>
    /// Registers an <see cref="EmbeddingsVectorStore"/> as <see cref="VectorStore"/> and as itself (one instance). Unless
    /// <paramref name="configure"/> sets <see cref="EmbeddingsVectorStoreOptions.EmbeddingGenerator"/>, the store embeds
    /// text with the container's <see cref="IEmbedder"/> (from <c>AddEmbeddings</c>) or else its
    /// <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/>, when one is registered.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the options; <see langword="null"/> for an in-memory store.</param>
    /// <param name="lifetime">The lifetime of the store. Default: <see cref="ServiceLifetime.Singleton"/>.</param>
    /// <returns>The service collection.</returns>
    public static IServiceCollection AddEmbeddingsVectorStore(this IServiceCollection services, Action<EmbeddingsVectorStoreOptions>? configure = null, ServiceLifetime lifetime = ServiceLifetime.Singleton)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.Add(new ServiceDescriptor(typeof(EmbeddingsVectorStore), sp => CreateStore(sp, serviceKey: null, configure), lifetime));
        services.Add(new ServiceDescriptor(typeof(VectorStore), sp => sp.GetRequiredService<EmbeddingsVectorStore>(), lifetime));
        return services;
    }

    /// <summary>
    /// Registers an <see cref="EmbeddingsVectorStore"/> under <paramref name="serviceKey"/>, so several stores (say one
    /// per model, or one in process and one on pgvector) live side by side. The store embeds with the
    /// <see cref="IEmbedder"/> registered under the same key (<c>AddKeyedEmbeddings</c>) when there is one, else the unkeyed one.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="serviceKey">The key.</param>
    /// <param name="configure">Sets the options; <see langword="null"/> for an in-memory store.</param>
    /// <param name="lifetime">The lifetime of the store. Default: <see cref="ServiceLifetime.Singleton"/>.</param>
    /// <returns>The service collection.</returns>
    public static IServiceCollection AddKeyedEmbeddingsVectorStore(this IServiceCollection services, object serviceKey, Action<EmbeddingsVectorStoreOptions>? configure = null, ServiceLifetime lifetime = ServiceLifetime.Singleton)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(serviceKey);
        services.Add(new ServiceDescriptor(typeof(EmbeddingsVectorStore), serviceKey, (sp, key) => CreateStore(sp, key, configure), lifetime));
        services.Add(new ServiceDescriptor(typeof(VectorStore), serviceKey, (sp, key) => sp.GetRequiredKeyedService<EmbeddingsVectorStore>(key), lifetime));
        return services;
    }

    /// <summary>
    /// Registers collection <paramref name="name"/> of the registered <see cref="EmbeddingsVectorStore"/> as
    /// <see cref="VectorStoreCollection{TKey, TRecord}"/> and <see cref="IVectorSearchable{TRecord}"/>.
    /// </summary>
    /// <typeparam name="TKey">The key type: string, Guid, int or long.</typeparam>
    /// <typeparam name="TRecord">The record type.</typeparam>
    /// <param name="services">The service collection.</param>
    /// <param name="name">The collection name.</param>
    /// <param name="definition">The record definition; <see langword="null"/> to read the record type's attributes.</param>
    /// <param name="lifetime">The lifetime of the collection. Default: <see cref="ServiceLifetime.Singleton"/>.</param>
    /// <returns>The service collection.</returns>
    [RequiresUnreferencedCode(EmbeddingsVectorStore.TypedRecordsNeedReflection)]
    [RequiresDynamicCode(EmbeddingsVectorStore.TypedRecordsNeedReflection)]
    public static IServiceCollection AddEmbeddingsCollection<TKey, TRecord>(this IServiceCollection services, string name, VectorStoreCollectionDefinition? definition = null, ServiceLifetime lifetime = ServiceLifetime.Singleton)
        where TKey : notnull
        where TRecord : class
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        services.Add(new ServiceDescriptor(typeof(VectorStoreCollection<TKey, TRecord>), sp => sp.GetRequiredService<EmbeddingsVectorStore>().GetCollection<TKey, TRecord>(name, definition), lifetime));
        services.Add(new ServiceDescriptor(typeof(IVectorSearchable<TRecord>), sp => sp.GetRequiredService<VectorStoreCollection<TKey, TRecord>>(), lifetime));
        return services;
    }

    /// <summary>
    /// Registers collection <paramref name="name"/> of the <see cref="EmbeddingsVectorStore"/> registered under
    /// <paramref name="serviceKey"/>, under the same key.
    /// </summary>
    /// <typeparam name="TKey">The key type: string, Guid, int or long.</typeparam>
    /// <typeparam name="TRecord">The record type.</typeparam>
    /// <param name="services">The service collection.</param>
    /// <param name="serviceKey">The key of the store, and of the collection's registrations.</param>
    /// <param name="name">The collection name.</param>
    /// <param name="definition">The record definition; <see langword="null"/> to read the record type's attributes.</param>
    /// <param name="lifetime">The lifetime of the collection. Default: <see cref="ServiceLifetime.Singleton"/>.</param>
    /// <returns>The service collection.</returns>
    [RequiresUnreferencedCode(EmbeddingsVectorStore.TypedRecordsNeedReflection)]
    [RequiresDynamicCode(EmbeddingsVectorStore.TypedRecordsNeedReflection)]
    public static IServiceCollection AddKeyedEmbeddingsCollection<TKey, TRecord>(this IServiceCollection services, object serviceKey, string name, VectorStoreCollectionDefinition? definition = null, ServiceLifetime lifetime = ServiceLifetime.Singleton)
        where TKey : notnull
        where TRecord : class
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(serviceKey);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        services.Add(new ServiceDescriptor(typeof(VectorStoreCollection<TKey, TRecord>), serviceKey, (sp, key) => sp.GetRequiredKeyedService<EmbeddingsVectorStore>(key).GetCollection<TKey, TRecord>(name, definition), lifetime));
        services.Add(new ServiceDescriptor(typeof(IVectorSearchable<TRecord>), serviceKey, (sp, key) => sp.GetRequiredKeyedService<VectorStoreCollection<TKey, TRecord>>(key), lifetime));
        return services;
    }

    private static EmbeddingsVectorStore CreateStore(IServiceProvider services, object? serviceKey, Action<EmbeddingsVectorStoreOptions>? configure)
    {
        var options = new EmbeddingsVectorStoreOptions();
        configure?.Invoke(options);
        options.EmbeddingGenerator ??= ResolveGenerator(services, serviceKey);
        return new EmbeddingsVectorStore(options);
    }

    private static IEmbeddingGenerator? ResolveGenerator(IServiceProvider services, object? serviceKey)
    {
        if (serviceKey is not null)
        {
            if (services.GetKeyedService<IEmbedder>(serviceKey) is { } keyedEmbedder)
            {
                return keyedEmbedder;
            }

            if (services.GetKeyedService<IEmbeddingGenerator<string, Embedding<float>>>(serviceKey) is { } keyedGenerator)
            {
                return keyedGenerator;
            }
        }

        return (IEmbeddingGenerator?)services.GetService<IEmbedder>() ?? services.GetService<IEmbeddingGenerator<string, Embedding<float>>>();
    }
}
