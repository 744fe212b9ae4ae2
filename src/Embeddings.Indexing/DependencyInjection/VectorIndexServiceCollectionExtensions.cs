using Embeddings;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers a <see cref="FlatIndex"/> or <see cref="HnswIndex"/> as the application's <see cref="IVectorIndex"/>, loaded from and saved to a file.</summary>
public static class VectorIndexServiceCollectionExtensions
{
    /// <summary>
    /// Registers a <see cref="FlatIndex"/> singleton as <see cref="IVectorIndex"/>, as itself and as a
    /// <see cref="VectorIndexFile"/>: loaded from <see cref="VectorIndexFileOptions.Path"/> when the file exists, else
    /// created empty with the registered <see cref="IEmbedder"/>'s dimensions and fingerprint, and saved when the
    /// container is disposed.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the file and the shape of a new index; may be <see langword="null"/>.</param>
    /// <param name="configureIndex">Sets the options of a new index (storage, parallelism); may be <see langword="null"/>.</param>
    /// <returns>The service collection.</returns>
    public static IServiceCollection AddFlatIndex(this IServiceCollection services, Action<VectorIndexFileOptions>? configure = null, Action<FlatIndexOptions>? configureIndex = null) =>
        AddCore<FlatIndex>(services, serviceKey: null, configure, (file, options, fingerprint) =>
        {
            if (file is not null)
            {
                return FlatIndex.Load(file);
            }

            var index = new FlatIndexOptions();
            configureIndex?.Invoke(index);
            return new FlatIndex(options.Dimensions, options.Metric, index, fingerprint);
        });

    /// <summary>Registers a <see cref="FlatIndex"/> under <paramref name="serviceKey"/>; its embedder defaults to the one under the same key.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="serviceKey">The key.</param>
    /// <param name="configure">Sets the file and the shape of a new index; may be <see langword="null"/>.</param>
    /// <param name="configureIndex">Sets the options of a new index; may be <see langword="null"/>.</param>
    /// <returns>The service collection.</returns>
    public static IServiceCollection AddKeyedFlatIndex(this IServiceCollection services, object serviceKey, Action<VectorIndexFileOptions>? configure = null, Action<FlatIndexOptions>? configureIndex = null)
    {
        ArgumentNullException.ThrowIfNull(serviceKey);
        return AddCore<FlatIndex>(services, serviceKey, configure, (file, options, fingerprint) =>
        {
            if (file is not null)
            {
                return FlatIndex.Load(file);
            }

            var index = new FlatIndexOptions();
            configureIndex?.Invoke(index);
            return new FlatIndex(options.Dimensions, options.Metric, index, fingerprint);
        });
    }

    /// <summary>
    /// Registers an <see cref="HnswIndex"/> singleton as <see cref="IVectorIndex"/>, as itself and as a
    /// <see cref="VectorIndexFile"/>: loaded from <see cref="VectorIndexFileOptions.Path"/> when the file exists, else
    /// created empty with the registered <see cref="IEmbedder"/>'s dimensions and fingerprint, and saved when the
    /// container is disposed.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the file and the shape of a new index; may be <see langword="null"/>.</param>
    /// <param name="configureIndex">Sets the graph parameters of a new index (M, efConstruction, efSearch); may be <see langword="null"/>.</param>
    /// <returns>The service collection.</returns>
    public static IServiceCollection AddHnswIndex(this IServiceCollection services, Action<VectorIndexFileOptions>? configure = null, Action<HnswIndexOptions>? configureIndex = null) =>
        AddCore<HnswIndex>(services, serviceKey: null, configure, (file, options, fingerprint) => CreateHnsw(file, options, fingerprint, configureIndex));

    /// <summary>Registers an <see cref="HnswIndex"/> under <paramref name="serviceKey"/>; its embedder defaults to the one under the same key.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="serviceKey">The key.</param>
    /// <param name="configure">Sets the file and the shape of a new index; may be <see langword="null"/>.</param>
    /// <param name="configureIndex">Sets the graph parameters of a new index; may be <see langword="null"/>.</param>
    /// <returns>The service collection.</returns>
    public static IServiceCollection AddKeyedHnswIndex(this IServiceCollection services, object serviceKey, Action<VectorIndexFileOptions>? configure = null, Action<HnswIndexOptions>? configureIndex = null)
    {
        ArgumentNullException.ThrowIfNull(serviceKey);
        return AddCore<HnswIndex>(services, serviceKey, configure, (file, options, fingerprint) => CreateHnsw(file, options, fingerprint, configureIndex));
    }

    private static HnswIndex CreateHnsw(string? file, VectorIndexFileOptions options, EmbedderFingerprint? fingerprint, Action<HnswIndexOptions>? configureIndex)
    {
        if (file is not null)
        {
            return HnswIndex.Load(file);
        }

        var index = new HnswIndexOptions();
        configureIndex?.Invoke(index);
        return new HnswIndex(options.Dimensions, options.Metric, index, fingerprint);
    }

    private static IServiceCollection AddCore<TIndex>(
        IServiceCollection services,
        object? serviceKey,
        Action<VectorIndexFileOptions>? configure,
        Func<string?, VectorIndexFileOptions, EmbedderFingerprint?, TIndex> create)
        where TIndex : InMemoryVectorIndex
    {
        ArgumentNullException.ThrowIfNull(services);
        string name = serviceKey?.ToString() ?? Options.Options.DefaultName;
        OptionsBuilder<VectorIndexFileOptions> options = services.AddOptions<VectorIndexFileOptions>(name);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        if (serviceKey is null)
        {
            services.AddSingleton(sp => Open(sp.GetRequiredService<IOptionsMonitor<VectorIndexFileOptions>>().Get(name), sp.GetService<IEmbedder>(), create));
            services.AddSingleton(sp => (TIndex)sp.GetRequiredService<VectorIndexFile>().Index);
            services.AddSingleton<IVectorIndex>(sp => sp.GetRequiredService<TIndex>());
        }
        else
        {
            services.AddKeyedSingleton(serviceKey, (sp, key) => Open(sp.GetRequiredService<IOptionsMonitor<VectorIndexFileOptions>>().Get(name), sp.GetKeyedService<IEmbedder>(key), create));
            services.AddKeyedSingleton(serviceKey, (sp, key) => (TIndex)sp.GetRequiredKeyedService<VectorIndexFile>(key).Index);
            services.AddKeyedSingleton<IVectorIndex>(serviceKey, (sp, key) => sp.GetRequiredKeyedService<TIndex>(key));
        }

        return services;
    }

    private static VectorIndexFile Open<TIndex>(VectorIndexFileOptions options, IEmbedder? embedder, Func<string?, VectorIndexFileOptions, EmbedderFingerprint?, TIndex> create)
        where TIndex : InMemoryVectorIndex
    {
        EmbedderFingerprint? fingerprint = options.Fingerprint ?? embedder?.Fingerprint;
        string? path = string.IsNullOrWhiteSpace(options.Path) ? null : Path.GetFullPath(options.Path);
        if (path is not null && File.Exists(path))
        {
            TIndex loaded = create(path, options, fingerprint);
            if (fingerprint is not null && loaded.Fingerprint is { } recorded && recorded != fingerprint)
            {
                loaded.Dispose();
                throw new EmbedderMismatchException(recorded, fingerprint, $"the index file '{path}'");
            }

            return new VectorIndexFile(loaded, path, loaded: true, options.SaveOnDispose);
        }

        int dimensions = options.Dimensions != 0 ? options.Dimensions : embedder?.Dimensions ?? throw new InvalidOperationException(
            $"The {typeof(TIndex).Name} {(path is null ? "in memory" : $"for '{path}'")} has no dimensions: register an embedder with services.AddEmbeddings(...) first, or set VectorIndexFileOptions.Dimensions.");
        if (dimensions < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), dimensions, "VectorIndexFileOptions.Dimensions must be positive.");
        }

        // A copy, so the options instance the monitor caches keeps what the application set.
        var shape = new VectorIndexFileOptions { Path = options.Path, SaveOnDispose = options.SaveOnDispose, Dimensions = dimensions, Metric = options.Metric, Fingerprint = fingerprint };
        return new VectorIndexFile(create(null, shape, fingerprint), path, loaded: false, options.SaveOnDispose);
    }
}
