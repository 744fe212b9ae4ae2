namespace Embeddings.VectorData.Internal;

/// <summary>How records are ordered by a filtered read: by these storage names, each ascending or not; by key when empty.</summary>
internal sealed record RecordOrder(IReadOnlyList<(string Field, bool Ascending)> Fields);

/// <summary>A search hit: the record and our score (higher is more similar).</summary>
internal readonly record struct StoredHit(StoredRecord Record, float Score);

/// <summary>
/// Where a collection's records live: in process (an in-memory index plus the record payloads, saved to a folder)
/// or in PostgreSQL (a <see cref="PgVector.PgVectorIndex"/> table whose jsonb metadata also carries the payload).
/// </summary>
internal abstract class CollectionStorage
{
    public abstract Task<bool> ExistsAsync(CancellationToken cancellationToken);

    public abstract Task EnsureExistsAsync(CancellationToken cancellationToken);

    public abstract Task DeleteAsync(CancellationToken cancellationToken);

    public abstract Task UpsertAsync(IReadOnlyList<StoredRecord> records, EmbedderFingerprint? source, CancellationToken cancellationToken);

    public abstract Task RemoveAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken);

    public abstract Task<IReadOnlyList<StoredRecord>> GetAsync(IReadOnlyList<string> keys, bool includeVectors, CancellationToken cancellationToken);

    public abstract Task<IReadOnlyList<StoredRecord>> QueryAsync(MetadataFilter? filter, int skip, int top, RecordOrder order, bool includeVectors, CancellationToken cancellationToken);

    public abstract Task<IReadOnlyList<StoredHit>> SearchAsync(ReadOnlyMemory<float> query, int k, MetadataFilter? filter, EmbedderFingerprint? fingerprint, bool includeVectors, CancellationToken cancellationToken);
}
