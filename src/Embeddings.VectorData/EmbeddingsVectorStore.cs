using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Embeddings.VectorData.Internal;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.VectorData;
using Microsoft.Extensions.VectorData.ProviderServices;
using Npgsql;

namespace Embeddings.VectorData;

/// <summary>
/// A Microsoft.Extensions.VectorData <see cref="VectorStore"/> whose collections are our indexes: in process
/// (<see cref="FlatIndex"/>, <see cref="HnswIndex"/>, float16 or binary flat storage, optionally saved to a folder) or,
/// with <see cref="EmbeddingsVectorStoreOptions.PgVectorDataSource"/>, <see cref="PgVector.PgVectorIndex"/> tables.
/// </summary>
/// <remarks>
/// Collections with the same name share their records: every <see cref="GetCollection{TKey, TRecord}"/> call returns a
/// view of the same data. Thread safety: every member may be called concurrently.
/// </remarks>
public sealed class EmbeddingsVectorStore : VectorStore
{
    internal const string TypedRecordsNeedReflection =
        "Typed records are mapped by reflection, as MEVD's model builder does. Use GetDynamicCollection in trimmed or native AOT apps.";

    /// <summary>The name MEVD metadata reports for this store.</summary>
    public const string SystemName = "embeddings";

    private readonly EmbeddingsVectorStoreOptions _options;
    private readonly ConcurrentDictionary<string, InProcessCollectionState> _collections = new(StringComparer.Ordinal);
    private readonly NpgsqlDataSource? _dataSource;
    private readonly bool _ownsDataSource;
    private readonly ConcurrentBag<IAsyncDisposable> _pgStorages = [];
    private int _disposed;

    /// <summary>Creates a store.</summary>
    /// <param name="options">The settings; <see langword="null"/> for an in-memory store without an embedding generator.</param>
    public EmbeddingsVectorStore(EmbeddingsVectorStoreOptions? options = null)
    {
        _options = options?.Clone() ?? new EmbeddingsVectorStoreOptions();
        _options.Validate();
        if (_options.PgVectorDataSource is { } dataSource)
        {
            _dataSource = dataSource;
        }
        else if (!string.IsNullOrWhiteSpace(_options.PgVectorConnectionString))
        {
            _dataSource = NpgsqlDataSource.Create(_options.PgVectorConnectionString);
            _ownsDataSource = true;
        }

        if (_options.Directory is not null)
        {
            _options.Directory = Path.GetFullPath(_options.Directory);
        }
    }

    /// <summary>Gets the folder in-process collections are saved to, or <see langword="null"/>.</summary>
    public string? Directory => _options.Directory;

    /// <summary>Gets a value indicating whether the collections are pgvector tables.</summary>
    public bool IsPgVector => _dataSource is not null;

    /// <inheritdoc />
    /// <remarks>
    /// Typed records are read and written by reflection (MEVD's model builder), and data values of types other than
    /// MEVD's scalars and arrays or lists of them go through reflection-based JSON; trimmed and native AOT apps use
    /// <see cref="GetDynamicCollection"/>, which needs neither.
    /// </remarks>
    [RequiresUnreferencedCode(TypedRecordsNeedReflection)]
    [RequiresDynamicCode(TypedRecordsNeedReflection)]
    public override VectorStoreCollection<TKey, TRecord> GetCollection<TKey, TRecord>(string name, VectorStoreCollectionDefinition? definition = null)
    {
        if (typeof(TRecord) == typeof(Dictionary<string, object?>))
        {
            throw new NotSupportedException("Dictionary<string, object?> records are dynamic: use GetDynamicCollection with a VectorStoreCollectionDefinition.");
        }

        CheckName(name);
        CollectionModel model = new EmbeddingsModelBuilder(dynamic: false).Build(typeof(TRecord), typeof(TKey), definition, _options.EmbeddingGenerator);
        return new EmbeddingsCollection<TKey, TRecord>(this, CreateCore<TRecord>(name, model, ValueJson.GeneratedOrReflected));
    }

    /// <inheritdoc />
    public override VectorStoreCollection<object, Dictionary<string, object?>> GetDynamicCollection(string name, VectorStoreCollectionDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        CheckName(name);
        CollectionModel model = new EmbeddingsModelBuilder(dynamic: true).BuildDynamic(definition, _options.EmbeddingGenerator);
        return new EmbeddingsDynamicCollection(this, CreateCore<Dictionary<string, object?>>(name, model, ValueJson.Generated));
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<string> ListCollectionNamesAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        if (_dataSource is not null)
        {
            foreach (string name in await PgVectorStorage.ListAsync(_dataSource, _options.PgVectorSchema, cancellationToken).ConfigureAwait(false))
            {
                yield return name;
            }

            yield break;
        }

        var names = new SortedSet<string>(_collections.Where(c => c.Value.Exists).Select(c => c.Key), StringComparer.Ordinal);
        if (_options.Directory is { } root && System.IO.Directory.Exists(root))
        {
            foreach (string folder in System.IO.Directory.EnumerateDirectories(root))
            {
                string name = Path.GetFileName(folder);
                bool deleted = _collections.TryGetValue(name, out InProcessCollectionState? state) && !state.Exists && !CollectionFolder.Exists(folder);
                if (!deleted && CollectionFolder.Exists(folder))
                {
                    names.Add(name);
                }
            }
        }

        foreach (string name in names)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return name;
        }
    }

    /// <inheritdoc />
    public override async Task<bool> CollectionExistsAsync(string name, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        CheckName(name);
        if (_dataSource is not null)
        {
            return await PgVectorStorage.ExistsAsync(_dataSource, _options.PgVectorSchema, name, cancellationToken).ConfigureAwait(false);
        }

        if (_collections.TryGetValue(name, out InProcessCollectionState? state) && state.Exists)
        {
            return true;
        }

        return _options.Directory is { } root && CollectionFolder.Exists(Path.Combine(root, name));
    }

    /// <inheritdoc />
    public override async Task EnsureCollectionDeletedAsync(string name, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        CheckName(name);
        if (_dataSource is not null)
        {
            await PgVectorStorage.DropAsync(_dataSource, _options.PgVectorSchema, name, cancellationToken).ConfigureAwait(false);
            return;
        }

        InProcessCollectionState state = StateFor(name);
        await state.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            state.Reset();
            if (state.Folder is not null)
            {
                CollectionFolder.Delete(state.Folder);
            }
        }
        finally
        {
            state.Gate.Release();
        }
    }

    /// <summary>
    /// Saves an in-process collection to its folder now, atomically (for stores with
    /// <see cref="EmbeddingsVectorStoreOptions.AutoSave"/> off; with it on, every write already saves).
    /// </summary>
    /// <param name="name">The collection.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the collection is on disk.</returns>
    /// <exception cref="InvalidOperationException">The store has no <see cref="EmbeddingsVectorStoreOptions.Directory"/>, or is a PgVector store.</exception>
    public async Task SaveAsync(string name, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        CheckName(name);
        if (_dataSource is not null || _options.Directory is null)
        {
            throw new InvalidOperationException($"Collection '{name}' cannot be saved: the store has no Directory{(_dataSource is not null ? " (PgVector collections live in the database)" : string.Empty)}.");
        }

        InProcessCollectionState state = StateFor(name);
        await state.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!state.Exists)
            {
                throw new InvalidOperationException($"Collection '{name}' is not open in this store, so there is nothing to save.");
            }

            CollectionFolder.Save(state, cancellationToken);
        }
        finally
        {
            state.Gate.Release();
        }
    }

    /// <inheritdoc />
    public override object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(VectorStoreMetadata) ? new VectorStoreMetadata { VectorStoreSystemName = SystemName }
            : serviceType.IsInstanceOfType(this) ? this
            : serviceType == typeof(NpgsqlDataSource) ? _dataSource
            : null;
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            foreach (InProcessCollectionState state in _collections.Values)
            {
                state.Dispose();
            }

            foreach (IAsyncDisposable storage in _pgStorages)
            {
                storage.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }

            if (_ownsDataSource)
            {
                _dataSource!.Dispose();
            }
        }

        base.Dispose(disposing);
    }

    private CollectionCore<TRecord> CreateCore<TRecord>(string name, CollectionModel model, Func<Type, System.Text.Json.Serialization.Metadata.JsonTypeInfo?> valueContracts)
        where TRecord : class
    {
        ThrowIfDisposed();
        VectorSchema? schema = model.VectorProperties.Count == 1
            ? VectorSchema.From(model.VectorProperties[0].ModelName, model.VectorProperties[0].Dimensions, model.VectorProperties[0].DistanceFunction, model.VectorProperties[0].IndexKind)
            : null;
        return new CollectionCore<TRecord>(name, model, schema, valueContracts, core =>
        {
            if (_dataSource is not null)
            {
                if (schema is null)
                {
                    throw new NotSupportedException($"Collection '{name}' has no vector property; PgVector collections store one vector per record.");
                }

                var storage = new PgVectorStorage(_dataSource, name, schema, core.LockFingerprint, _options);
                _pgStorages.Add(storage);
                return storage;
            }

            if (schema is not null && schema.IndexKind == EmbeddingsIndexKind.IvfFlat)
            {
                throw new NotSupportedException($"Index kind IvfFlat of collection '{name}' is for PgVector stores; in-process collections take Flat, Hnsw, FlatFloat16 or FlatBinary.");
            }

            return new InProcessStorage(StateFor(name), schema, core.LockFingerprint, _options);
        });
    }

    private InProcessCollectionState StateFor(string name) =>
        _collections.GetOrAdd(name, n => new InProcessCollectionState(n, _options.Directory is { } root ? Path.Combine(root, n) : null));

    private void CheckName(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (_dataSource is not null)
        {
            return; // PgVectorIndexOptions checks SQL identifiers with its own message
        }

        foreach (char c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.') || name is "." or "..")
            {
                throw new ArgumentException($"Collection name '{name}' may hold only ASCII letters, digits, '_', '-' and '.', since it names a folder.", nameof(name));
            }
        }
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
}
