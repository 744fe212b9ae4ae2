using System.Linq.Expressions;
using Embeddings.VectorData.Internal;
using Microsoft.Extensions.VectorData;

namespace Embeddings.VectorData;

/// <summary>
/// An MEVD collection of <see cref="Dictionary{TKey, TValue}"/> records (dynamic mapping, no CLR record type), from
/// <see cref="EmbeddingsVectorStore.GetDynamicCollection"/>; keys are <see cref="string"/>, <see cref="Guid"/>, <see cref="int"/>
/// or <see cref="long"/> values as the definition's key property says. Otherwise it behaves as <see cref="EmbeddingsCollection{TKey, TRecord}"/>.
/// </summary>
public sealed class EmbeddingsDynamicCollection : VectorStoreCollection<object, Dictionary<string, object?>>
{
    private readonly CollectionCore<Dictionary<string, object?>> _core;
    private readonly EmbeddingsVectorStore _store;

    internal EmbeddingsDynamicCollection(EmbeddingsVectorStore store, CollectionCore<Dictionary<string, object?>> core)
    {
        _store = store;
        _core = core;
    }

    /// <inheritdoc />
    public override string Name => _core.Name;

    /// <summary>Gets the fingerprint of the embedder that embeds this collection's text, or <see langword="null"/> when it embeds none.</summary>
    public EmbedderFingerprint? Fingerprint => _core.Fingerprint;

    /// <inheritdoc />
    public override Task<bool> CollectionExistsAsync(CancellationToken cancellationToken = default) => _core.Storage.ExistsAsync(cancellationToken);

    /// <inheritdoc />
    public override Task EnsureCollectionExistsAsync(CancellationToken cancellationToken = default) => _core.Storage.EnsureExistsAsync(cancellationToken);

    /// <inheritdoc />
    public override Task EnsureCollectionDeletedAsync(CancellationToken cancellationToken = default) => _core.Storage.DeleteAsync(cancellationToken);

    /// <inheritdoc />
    public override Task<Dictionary<string, object?>?> GetAsync(object key, RecordRetrievalOptions? options = null, CancellationToken cancellationToken = default) =>
        _core.GetAsync(key, options, cancellationToken);

    /// <inheritdoc />
    public override IAsyncEnumerable<Dictionary<string, object?>> GetAsync(IEnumerable<object> keys, RecordRetrievalOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return _core.GetAsync(keys.Cast<object>(), options, cancellationToken);
    }

    /// <inheritdoc />
    public override IAsyncEnumerable<Dictionary<string, object?>> GetAsync(Expression<Func<Dictionary<string, object?>, bool>> filter, int top, FilteredRecordRetrievalOptions<Dictionary<string, object?>>? options = null, CancellationToken cancellationToken = default) =>
        _core.GetAsync(filter, top, options, cancellationToken);

    /// <inheritdoc />
    public override Task DeleteAsync(object key, CancellationToken cancellationToken = default) => _core.DeleteAsync([key], cancellationToken);

    /// <inheritdoc />
    public override Task DeleteAsync(IEnumerable<object> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return _core.DeleteAsync(keys.Cast<object>(), cancellationToken);
    }

    /// <inheritdoc />
    public override Task UpsertAsync(Dictionary<string, object?> record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        return _core.UpsertAsync([record], cancellationToken);
    }

    /// <inheritdoc />
    public override Task UpsertAsync(IEnumerable<Dictionary<string, object?>> records, CancellationToken cancellationToken = default) => _core.UpsertAsync(records, cancellationToken);

    /// <inheritdoc />
    public override IAsyncEnumerable<VectorSearchResult<Dictionary<string, object?>>> SearchAsync<TInput>(TInput searchValue, int top, Microsoft.Extensions.VectorData.VectorSearchOptions<Dictionary<string, object?>>? options = null, CancellationToken cancellationToken = default) =>
        _core.SearchAsync(searchValue, top, options, cancellationToken);

    /// <inheritdoc />
    public override object? GetService(Type serviceType, object? serviceKey = null) => ServiceLookup.Get(serviceType, serviceKey, this, _store, _core.Storage, _core.Name);
}
