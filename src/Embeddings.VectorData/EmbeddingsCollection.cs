using System.Linq.Expressions;
using Embeddings.VectorData.Internal;
using Microsoft.Extensions.VectorData;

namespace Embeddings.VectorData;

/// <summary>
/// An MEVD collection backed by our indexes (flat, HNSW, quantized flat, or a pgvector table), from
/// <see cref="EmbeddingsVectorStore.GetCollection{TKey, TRecord}"/>.
/// </summary>
/// <typeparam name="TKey">The key type: <see cref="string"/>, <see cref="Guid"/>, <see cref="int"/> or <see cref="long"/>.</typeparam>
/// <typeparam name="TRecord">The record type, described by attributes or a <see cref="VectorStoreCollectionDefinition"/>.</typeparam>
/// <remarks>
/// Scores follow MEVD: similarities (CosineSimilarity, DotProductSimilarity) are higher-is-better, distances
/// (CosineDistance, NegativeDotProductSimilarity, EuclideanDistance, EuclideanSquaredDistance, ManhattanDistance) lower-is-better.
/// Text is embedded with the document input kind on upsert and the query input kind on search.
/// </remarks>
public sealed class EmbeddingsCollection<TKey, TRecord> : VectorStoreCollection<TKey, TRecord>
    where TKey : notnull
    where TRecord : class
{
    private readonly CollectionCore<TRecord> _core;
    private readonly EmbeddingsVectorStore _store;

    internal EmbeddingsCollection(EmbeddingsVectorStore store, CollectionCore<TRecord> core)
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
    public override Task<TRecord?> GetAsync(TKey key, RecordRetrievalOptions? options = null, CancellationToken cancellationToken = default) =>
        _core.GetAsync(key, options, cancellationToken);

    /// <inheritdoc />
    public override IAsyncEnumerable<TRecord> GetAsync(IEnumerable<TKey> keys, RecordRetrievalOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return _core.GetAsync(keys.Cast<object>(), options, cancellationToken);
    }

    /// <inheritdoc />
    public override IAsyncEnumerable<TRecord> GetAsync(Expression<Func<TRecord, bool>> filter, int top, FilteredRecordRetrievalOptions<TRecord>? options = null, CancellationToken cancellationToken = default) =>
        _core.GetAsync(filter, top, options, cancellationToken);

    /// <inheritdoc />
    public override Task DeleteAsync(TKey key, CancellationToken cancellationToken = default) => _core.DeleteAsync([key], cancellationToken);

    /// <inheritdoc />
    public override Task DeleteAsync(IEnumerable<TKey> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return _core.DeleteAsync(keys.Cast<object>(), cancellationToken);
    }

    /// <inheritdoc />
    public override Task UpsertAsync(TRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        return _core.UpsertAsync([record], cancellationToken);
    }

    /// <inheritdoc />
    public override Task UpsertAsync(IEnumerable<TRecord> records, CancellationToken cancellationToken = default) => _core.UpsertAsync(records, cancellationToken);

    /// <inheritdoc />
    public override IAsyncEnumerable<VectorSearchResult<TRecord>> SearchAsync<TInput>(TInput searchValue, int top, Microsoft.Extensions.VectorData.VectorSearchOptions<TRecord>? options = null, CancellationToken cancellationToken = default) =>
        _core.SearchAsync(searchValue, top, options, cancellationToken);

    /// <inheritdoc />
    public override object? GetService(Type serviceType, object? serviceKey = null) => ServiceLookup.Get(serviceType, serviceKey, this, _store, _core.Storage, _core.Name);
}
