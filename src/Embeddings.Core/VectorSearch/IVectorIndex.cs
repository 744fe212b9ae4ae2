namespace Embeddings;

/// <summary>
/// A searchable collection of vectors by key: the in-process <c>FlatIndex</c> and <c>HnswIndex</c> and the
/// database-backed indexes all implement it, so moving between them is a configuration change.
/// </summary>
/// <remarks>
/// Thread safety: every member may be called concurrently with every other, including searches during
/// upserts and removes; a search sees each record either before or after a concurrent change, never half of it.
/// Scores follow the <see cref="DistanceMetric"/> convention: higher is more similar.
/// </remarks>
public interface IVectorIndex : IDisposable
{
    /// <summary>Gets the vector length the index accepts.</summary>
    int Dimensions { get; }

    /// <summary>Gets the metric that ranks results.</summary>
    DistanceMetric Metric { get; }

    /// <summary>
    /// Gets the fingerprint of the embedder whose vectors the index holds, or <see langword="null"/> when the
    /// index was created without one. Vectors offered with another fingerprint are refused with <see cref="EmbedderMismatchException"/>.
    /// </summary>
    EmbedderFingerprint? Fingerprint { get; }

    /// <summary>Gets the number of live records.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The number of records.</returns>
    ValueTask<long> CountAsync(CancellationToken cancellationToken = default);

    /// <summary>Inserts records, replacing any with the same key.</summary>
    /// <param name="records">The records; keys unique within the batch.</param>
    /// <param name="source">The fingerprint of the embedder that made the vectors; checked against <see cref="Fingerprint"/> when both are known.</param>
    /// <param name="cancellationToken">Cancels the call; records already written stay written.</param>
    /// <returns>A task that completes when the records are searchable.</returns>
    ValueTask UpsertAsync(IReadOnlyList<VectorRecord> records, EmbedderFingerprint? source = null, CancellationToken cancellationToken = default);

    /// <summary>Removes records by key; missing keys are ignored.</summary>
    /// <param name="keys">The keys.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The number of records removed.</returns>
    ValueTask<int> RemoveAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken = default);

    /// <summary>Returns the <paramref name="k"/> records most similar to <paramref name="query"/>, best first.</summary>
    /// <param name="query">The query vector, <see cref="Dimensions"/> long.</param>
    /// <param name="k">How many results at most; positive.</param>
    /// <param name="options">Filter, effort and fingerprint; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Up to <paramref name="k"/> results ordered by descending score.</returns>
    ValueTask<IReadOnlyList<VectorSearchResult>> SearchAsync(
        ReadOnlyMemory<float> query,
        int k,
        VectorSearchOptions? options = null,
        CancellationToken cancellationToken = default);
}
