using Embeddings.Indexing.Internal;

namespace Embeddings;

/// <summary>
/// The in-process indexes (<see cref="FlatIndex"/>, <see cref="HnswIndex"/>): the <see cref="IVectorIndex"/>
/// contract plus synchronous fast paths (<see cref="Add"/>, <see cref="Remove(string)"/>, <see cref="Search(ReadOnlySpan{float}, int, VectorSearchOptions?)"/>)
/// that skip the <see cref="ValueTask"/> wrapping, an allocation-free search into caller buffers, and
/// <see cref="Save"/> to a versioned, checksummed file.
/// </summary>
/// <remarks>
/// Thread safety: every member may be called concurrently with every other. A search sees each record either
/// before or after a concurrent upsert or remove; a save writes a consistent snapshot.
/// </remarks>
public abstract class InMemoryVectorIndex : IVectorIndex
{
    private int _disposed;
    private Action<InMemoryVectorIndex>? _beforeDispose;

    // The field names of the last record written, so that records with the same names share one array. Races only
    // lose sharing: schemas are immutable.
    private protected MetadataSchema? _lastSchema;

    private protected InMemoryVectorIndex(int dimensions, DistanceMetric metric, EmbedderFingerprint? fingerprint)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimensions);
        if (metric is DistanceMetric.Hamming || !Enum.IsDefined(metric))
        {
            throw new ArgumentOutOfRangeException(nameof(metric), metric, "In-process indexes support Cosine, DotProduct, Euclidean, EuclideanSquared and Manhattan.");
        }

        if (fingerprint is not null && fingerprint.Dimensions != dimensions)
        {
            throw new ArgumentException($"The fingerprint says {fingerprint.Dimensions} dimensions but the index is created with {dimensions}.", nameof(fingerprint));
        }

        Dimensions = dimensions;
        Metric = metric;
        Fingerprint = fingerprint;
    }

    /// <inheritdoc />
    public int Dimensions { get; }

    /// <inheritdoc />
    public DistanceMetric Metric { get; }

    /// <inheritdoc />
    public EmbedderFingerprint? Fingerprint { get; }

    /// <summary>Gets the number of live records.</summary>
    public abstract long Count { get; }

    /// <summary>Gets a short description of the index for messages, such as "HNSW index".</summary>
    private protected abstract string Description { get; }

    /// <summary>Inserts one record, replacing any with the same key; synchronous.</summary>
    /// <param name="key">The key; not null or empty.</param>
    /// <param name="vector">The vector, <see cref="Dimensions"/> long, finite.</param>
    /// <param name="metadata">Optional metadata (string, integer, floating point or bool values).</param>
    /// <param name="source">The fingerprint of the embedder that made the vector; checked against <see cref="Fingerprint"/> when both are known.</param>
    /// <exception cref="ArgumentException">The key is empty, the vector has the wrong length or a non-finite value, or metadata has an unsupported type.</exception>
    /// <exception cref="EmbedderMismatchException"><paramref name="source"/> differs from <see cref="Fingerprint"/>.</exception>
    public void Add(string key, ReadOnlySpan<float> vector, IReadOnlyDictionary<string, object?>? metadata = null, EmbedderFingerprint? source = null)
    {
        ThrowIfDisposed();
        RecordValidation.CheckKey(key);
        RecordValidation.CheckVector(vector, Dimensions, nameof(vector));
        CheckStorable(vector, nameof(vector));
        CheckSource(source);
        MetadataSchema? schema = _lastSchema;
        IReadOnlyDictionary<string, object?>? row = RecordValidation.NormalizeMetadata(metadata, key, ref schema);
        _lastSchema = schema;
        AddCore(key, vector, row);
    }

    /// <summary>Inserts records, replacing any with the same key; synchronous. The whole batch is validated before anything is written.</summary>
    /// <param name="records">The records; keys unique within the batch.</param>
    /// <param name="source">The fingerprint of the embedder that made the vectors.</param>
    /// <param name="cancellationToken">Cancels between records; records already written stay written.</param>
    public void Upsert(IReadOnlyList<VectorRecord> records, EmbedderFingerprint? source = null, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        RecordValidation.CheckBatch(records, Dimensions);
        CheckSource(source);
        var metadata = new IReadOnlyDictionary<string, object?>?[records.Count];
        MetadataSchema? schema = _lastSchema;
        for (int i = 0; i < records.Count; i++)
        {
            metadata[i] = RecordValidation.NormalizeMetadata(records[i].Metadata, records[i].Key, ref schema);
            try
            {
                CheckStorable(records[i].Vector.Span, nameof(records));
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"Record '{records[i].Key}': {e.Message}", nameof(records), e);
            }
        }

        _lastSchema = schema;
        cancellationToken.ThrowIfCancellationRequested();
        for (int i = 0; i < records.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            AddCore(records[i].Key, records[i].Vector.Span, metadata[i]);
        }
    }

    /// <summary>Removes one record; synchronous.</summary>
    /// <param name="key">The key.</param>
    /// <returns>Whether a record was removed.</returns>
    public bool Remove(string key)
    {
        ThrowIfDisposed();
        ArgumentNullException.ThrowIfNull(key);
        return RemoveCore(key);
    }

    /// <summary>Returns the <paramref name="k"/> records most similar to <paramref name="query"/>, best first; synchronous.</summary>
    /// <param name="query">The query, <see cref="Dimensions"/> long.</param>
    /// <param name="k">How many results at most; positive.</param>
    /// <param name="options">Filter, effort and fingerprint; <see langword="null"/> for the defaults.</param>
    /// <returns>Up to <paramref name="k"/> results by descending score.</returns>
    public IReadOnlyList<VectorSearchResult> Search(ReadOnlySpan<float> query, int k, VectorSearchOptions? options = null)
    {
        ThrowIfDisposed();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        CheckQuery(query, options);
        int capacity = (int)Math.Min(k, Math.Max(Count, 0) + 64);
        var keys = new string[capacity];
        var scores = new float[capacity];
        var metadata = new IReadOnlyDictionary<string, object?>?[capacity];
        int n = SearchCore(query, capacity, options, keys, scores, metadata);
        var results = new VectorSearchResult[n];
        for (int i = 0; i < n; i++)
        {
            results[i] = new VectorSearchResult(keys[i], scores[i], metadata[i]);
        }

        return results;
    }

    /// <summary>
    /// Searches without allocating: writes up to <c>keys.Length</c> keys and their scores, best first.
    /// </summary>
    /// <param name="query">The query, <see cref="Dimensions"/> long.</param>
    /// <param name="keys">Receives the keys; its length is k (positive).</param>
    /// <param name="scores">Receives the scores; at least as long as <paramref name="keys"/>.</param>
    /// <param name="options">Filter, effort and fingerprint; <see langword="null"/> for the defaults.</param>
    /// <returns>How many results were written.</returns>
    public int Search(ReadOnlySpan<float> query, Span<string> keys, Span<float> scores, VectorSearchOptions? options = null)
    {
        ThrowIfDisposed();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(keys.Length, nameof(keys));
        if (scores.Length < keys.Length)
        {
            throw new ArgumentException($"scores holds {scores.Length} entries but keys holds {keys.Length}.", nameof(scores));
        }

        CheckQuery(query, options);
        return SearchCore(query, keys.Length, options, keys, scores, default);
    }

    /// <summary>
    /// Saves the index to <paramref name="path"/>: written to a temporary file beside it, synced, then renamed over
    /// it, so an interrupted save leaves any previous file intact. Concurrent writers wait while the snapshot is written.
    /// </summary>
    /// <param name="path">The file path.</param>
    public void Save(string path)
    {
        ThrowIfDisposed();
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        SaveCore(path);
    }

    /// <inheritdoc />
    public ValueTask<long> CountAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfDisposed();
        return ValueTask.FromResult(Count);
    }

    /// <inheritdoc />
    public ValueTask UpsertAsync(IReadOnlyList<VectorRecord> records, EmbedderFingerprint? source = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        cancellationToken.ThrowIfCancellationRequested();
        Upsert(records, source, cancellationToken);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<int> RemoveAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfDisposed();
        int removed = 0;
        foreach (string key in keys)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (key is not null && RemoveCore(key))
            {
                removed++;
            }
        }

        return ValueTask.FromResult(removed);
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<VectorSearchResult>> SearchAsync(ReadOnlyMemory<float> query, int k, VectorSearchOptions? options = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Search(query.Span, k, options));
    }

    /// <inheritdoc />
    public void Dispose()
    {
        try
        {
            // A container-registered index saves itself here (see VectorIndexFile), while it can still be read.
            if (Volatile.Read(ref _disposed) == 0 && Interlocked.Exchange(ref _beforeDispose, null) is { } beforeDispose)
            {
                beforeDispose(this);
            }
        }
        finally
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                DisposeCore();
            }

            GC.SuppressFinalize(this);
        }
    }

    internal void SetBeforeDispose(Action<InMemoryVectorIndex>? action) => Volatile.Write(ref _beforeDispose, action);

    private protected abstract void AddCore(string key, ReadOnlySpan<float> vector, IReadOnlyDictionary<string, object?>? metadata);

    private protected abstract bool RemoveCore(string key);

    /// <summary>Searches; fills keys, scores and (when not empty) metadata; returns the count.</summary>
    private protected abstract int SearchCore(
        ReadOnlySpan<float> query,
        int k,
        VectorSearchOptions? options,
        Span<string> keys,
        Span<float> scores,
        Span<IReadOnlyDictionary<string, object?>?> metadata);

    private protected abstract void SaveCore(string path);

    private protected abstract void DisposeCore();

    private protected void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

    /// <summary>Writes the header every in-process index shares: dimensions, metric, fingerprint.</summary>
    private protected void WriteCommonHeader(IndexFileWriter writer)
    {
        writer.WriteInt32(Dimensions);
        writer.WriteInt32((int)Metric);
        writer.WriteString(Fingerprint?.ToString());
    }

    /// <summary>Reads what <see cref="WriteCommonHeader"/> wrote.</summary>
    private protected static (int Dimensions, DistanceMetric Metric, EmbedderFingerprint? Fingerprint) ReadCommonHeader(IndexFileReader reader)
    {
        int dimensions = reader.ReadInt32();
        reader.Require(dimensions > 0, $"dimensions {dimensions}");
        int metric = reader.ReadInt32();
        reader.Require(Enum.IsDefined((DistanceMetric)metric) && metric != (int)DistanceMetric.Hamming, $"metric {metric}");
        string? fingerprintText = reader.ReadString();
        EmbedderFingerprint? fingerprint;
        try
        {
            fingerprint = fingerprintText is null ? null : EmbedderFingerprint.Parse(fingerprintText);
        }
        catch (FormatException e)
        {
            throw reader.Corrupt(e.Message);
        }

        return (dimensions, (DistanceMetric)metric, fingerprint);
    }

    /// <summary>Refuses a vector the storage cannot hold as given (beyond half precision's range), before anything is written.</summary>
    private protected virtual void CheckStorable(ReadOnlySpan<float> vector, string paramName)
    {
    }

    /// <summary>Copies the query into <paramref name="destination"/>, normalized for cosine.</summary>
    private protected void PrepareQuery(ReadOnlySpan<float> query, Span<float> destination)
    {
        if (Metric == DistanceMetric.Cosine)
        {
            VectorMath.Normalize(query, destination);
        }
        else
        {
            query.CopyTo(destination);
        }
    }

    private protected void CheckQuery(ReadOnlySpan<float> query, VectorSearchOptions? options, string paramName = "query")
    {
        RecordValidation.CheckVector(query, Dimensions, paramName);
        if (options?.Fingerprint is { } queryFingerprint && Fingerprint is not null)
        {
            Fingerprint.EnsureCompatible(queryFingerprint, Description);
        }

        if (options?.EfSearch is int ef)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ef, nameof(options));
        }
    }

    private void CheckSource(EmbedderFingerprint? source)
    {
        if (source is not null && Fingerprint is not null)
        {
            Fingerprint.EnsureCompatible(source, Description);
        }
    }
}
