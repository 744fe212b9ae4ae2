using Microsoft.Extensions.AI;

namespace Embeddings;

/// <summary>
/// An <see cref="IVectorIndex"/> bound to the <see cref="IEmbedder"/> that fills it: texts go in, texts come back as
/// queries, and the embedder's fingerprint travels with every write and search so that vectors of another model
/// are refused rather than mixed in.
/// </summary>
/// <remarks>
/// Documents are embedded with <see cref="EmbeddingInputKind.Document"/> and queries with
/// <see cref="EmbeddingInputKind.Query"/>, so models with prompts (for example a query prefix) get them. This is the
/// direct path over our own index contracts; <c>Embeddings.VectorData</c> offers the same binding through
/// Microsoft.Extensions.VectorData record types. The index is not owned: disposing it stays with the caller.
/// </remarks>
public sealed class EmbeddingIndex
{
    /// <summary>The default number of texts embedded per call to the embedder in <see cref="AddRangeAsync"/>.</summary>
    public const int DefaultBatchSize = 64;

    private readonly int _batchSize;

    /// <summary>Binds <paramref name="index"/> to <paramref name="embedder"/>.</summary>
    /// <param name="index">The index that stores the vectors.</param>
    /// <param name="embedder">The embedder that makes them.</param>
    /// <param name="batchSize">How many texts <see cref="AddRangeAsync"/> embeds per call; positive. Default: <see cref="DefaultBatchSize"/>.</param>
    /// <exception cref="ArgumentException">The index's dimensions differ from the embedder's.</exception>
    /// <exception cref="EmbedderMismatchException">The index was created for another embedder (its fingerprint differs).</exception>
    public EmbeddingIndex(IVectorIndex index, IEmbedder embedder, int batchSize = DefaultBatchSize)
    {
        ArgumentNullException.ThrowIfNull(index);
        ArgumentNullException.ThrowIfNull(embedder);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        if (index.Dimensions != embedder.Dimensions)
        {
            throw new ArgumentException(
                $"The index holds {index.Dimensions}-dimensional vectors but the embedder '{embedder.Fingerprint}' makes {embedder.Dimensions}-dimensional ones.",
                nameof(embedder));
        }

        index.Fingerprint?.EnsureCompatible(embedder.Fingerprint, "the index");
        Index = index;
        Embedder = embedder;
        _batchSize = batchSize;
    }

    /// <summary>Gets the index that stores the vectors.</summary>
    public IVectorIndex Index { get; }

    /// <summary>Gets the embedder that makes them.</summary>
    public IEmbedder Embedder { get; }

    /// <summary>Embeds <paramref name="text"/> as a document and stores it under <paramref name="key"/>, replacing any record with that key.</summary>
    /// <param name="key">The record's key; not null or empty.</param>
    /// <param name="text">The text to embed; not null.</param>
    /// <param name="metadata">Metadata to store beside the vector; optional.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the record is stored.</returns>
    public async ValueTask AddAsync(string key, string text, IReadOnlyDictionary<string, object?>? metadata = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(text);
        await AddRangeAsync([new TextRecord(key, text, metadata)], cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Embeds the texts of <paramref name="records"/> as documents, in batches, and stores them; a key that exists is
    /// replaced. Each batch is written once it is embedded, so on failure or cancellation the batches before it stay stored.
    /// </summary>
    /// <param name="records">The records; none null, keys not null or empty and unique within the call.</param>
    /// <param name="cancellationToken">Cancels between and during batches.</param>
    /// <returns>The number of records stored.</returns>
    /// <exception cref="ArgumentException">A record is null, its key is null, empty or repeated, or its text is null (the message names its position).</exception>
    public async ValueTask<int> AddRangeAsync(IEnumerable<TextRecord> records, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        var batch = new List<TextRecord>(_batchSize);
        var keys = new HashSet<string>(StringComparer.Ordinal);
        int position = 0;
        int stored = 0;
        foreach (TextRecord record in records)
        {
            if (record is null)
            {
                throw new ArgumentException($"Record {position} is null.", nameof(records));
            }

            if (string.IsNullOrEmpty(record.Key))
            {
                throw new ArgumentException($"Record {position} has a null or empty key.", nameof(records));
            }

            if (!keys.Add(record.Key))
            {
                throw new ArgumentException($"Record {position} repeats the key '{record.Key}'; keys must be unique within one call.", nameof(records));
            }

            if (record.Text is null)
            {
                throw new ArgumentException($"Record {position} ('{record.Key}') has a null text.", nameof(records));
            }

            batch.Add(record);
            position++;
            if (batch.Count == _batchSize)
            {
                stored += await StoreAsync(batch, cancellationToken).ConfigureAwait(false);
                batch.Clear();
            }
        }

        if (batch.Count > 0)
        {
            stored += await StoreAsync(batch, cancellationToken).ConfigureAwait(false);
        }

        return stored;
    }

    /// <summary>Embeds <paramref name="query"/> as a query and returns the <paramref name="k"/> most similar records, best first.</summary>
    /// <param name="query">The query text; not null.</param>
    /// <param name="k">How many results at most; positive.</param>
    /// <param name="options">Filter and effort; <see langword="null"/> for the defaults. Its fingerprint, when set, must be the embedder's.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Up to <paramref name="k"/> results ordered by descending score.</returns>
    /// <exception cref="EmbedderMismatchException"><paramref name="options"/> names another embedder's fingerprint.</exception>
    public async ValueTask<IReadOnlyList<VectorSearchResult>> SearchAsync(string query, int k, VectorSearchOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        options?.Fingerprint?.EnsureCompatible(Embedder.Fingerprint, "the search options");
        var bound = new VectorSearchOptions
        {
            Filter = options?.Filter,
            EfSearch = options?.EfSearch,
            Fingerprint = Embedder.Fingerprint,
        };
        ReadOnlyMemory<float> vector = await Embedder.EmbedQueryAsync(query, cancellationToken: cancellationToken).ConfigureAwait(false);
        return await Index.SearchAsync(vector, k, bound, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Removes the records with the given keys; keys that are absent are ignored.</summary>
    /// <param name="keys">The keys to remove.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The number of records removed.</returns>
    public ValueTask<int> RemoveAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken = default) =>
        Index.RemoveAsync(keys, cancellationToken);

    private async ValueTask<int> StoreAsync(List<TextRecord> batch, CancellationToken cancellationToken)
    {
        var texts = new string[batch.Count];
        for (int i = 0; i < texts.Length; i++)
        {
            texts[i] = batch[i].Text;
        }

        GeneratedEmbeddings<Embedding<float>> embeddings = await Embedder.EmbedDocumentsAsync(texts, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (embeddings.Count != texts.Length)
        {
            throw new InvalidOperationException($"The embedder '{Embedder.Fingerprint}' returned {embeddings.Count} embeddings for {texts.Length} texts.");
        }

        var vectors = new VectorRecord[texts.Length];
        for (int i = 0; i < vectors.Length; i++)
        {
            vectors[i] = new VectorRecord(batch[i].Key, embeddings[i].Vector, batch[i].Metadata);
        }

        await Index.UpsertAsync(vectors, Embedder.Fingerprint, cancellationToken).ConfigureAwait(false);
        return vectors.Length;
    }
}
