using System.Linq.Expressions;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.VectorData;
using Microsoft.Extensions.VectorData.ProviderServices;

namespace Embeddings.VectorData.Internal;

/// <summary>
/// What the typed and the dynamic collection share: turning records into stored records (embedding text with the
/// document input kind), queries into vectors (query input kind, fingerprint checked), LINQ filters into metadata
/// filters, and our scores into MEVD's.
/// </summary>
internal sealed class CollectionCore<TRecord>
    where TRecord : class
{
    private readonly RecordCodec _codec;
    private readonly VectorPropertyModel? _vector;
    private readonly IEmbeddingGenerator<string, Embedding<float>>? _textGenerator;
    private readonly bool _embedsText;
    private readonly FilterCache _filters;

    // How many vectors of one upsert share an array.
    private const int VectorChunk = 64;

    public CollectionCore(string name, CollectionModel model, VectorSchema? schema, Func<Type, System.Text.Json.Serialization.Metadata.JsonTypeInfo?> valueContracts, Func<CollectionCore<TRecord>, CollectionStorage> storage)
    {
        Name = name;
        Model = model;
        Schema = schema;
        _codec = new RecordCodec(model, valueContracts);
        _filters = new FilterCache(model);
        _vector = _codec.VectorProperty;
        if (_vector is not null)
        {
            _embedsText = !EmbeddingsModelBuilder.IsNativeVectorType(_vector.Type);
            _textGenerator = _vector.EmbeddingGenerator as IEmbeddingGenerator<string, Embedding<float>>;
            if (_embedsText && (_vector.Type != typeof(string) || _textGenerator is null))
            {
                throw new NotSupportedException(
                    $"Vector property '{_vector.ModelName}' has type {_vector.Type.Name}: it must be one of {EmbeddingsModelBuilder.SupportedVectorTypes}, or string with an IEmbeddingGenerator<string, Embedding<float>> (AddEmbeddings) to embed it.");
            }

            Fingerprint = FingerprintOf(_textGenerator);
        }

        Storage = storage(this);
    }

    public string Name { get; }

    public CollectionModel Model { get; }

    public VectorSchema? Schema { get; }

    public RecordCodec Codec => _codec;

    /// <summary>Gets the collection's translated-filter cache.</summary>
    internal FilterCache Filters => _filters;

    public CollectionStorage Storage { get; }

    /// <summary>Gets the fingerprint of the text generator, or <see langword="null"/> when there is none or it does not describe itself.</summary>
    public EmbedderFingerprint? Fingerprint { get; }

    /// <summary>Gets the fingerprint the collection is locked to when created: the generator's, when the collection embeds its text.</summary>
    public EmbedderFingerprint? LockFingerprint => _embedsText ? Fingerprint : null;

    public static EmbedderFingerprint? FingerprintOf(IEmbeddingGenerator<string, Embedding<float>>? generator)
    {
        if (generator is null)
        {
            return null;
        }

        if (generator is IEmbedder embedder)
        {
            return embedder.Fingerprint;
        }

        try
        {
            return generator.AsEmbedder().Fingerprint;
        }
        catch (InvalidOperationException)
        {
            return null; // a generator that does not say what it is cannot be locked to
        }
    }

    public async Task UpsertAsync(IEnumerable<TRecord> records, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(records);
        IReadOnlyList<TRecord> list = records as IReadOnlyList<TRecord> ?? records.ToList();
        if (list.Count == 0)
        {
            return;
        }

        var keys = new string[list.Count];
        for (int i = 0; i < list.Count; i++)
        {
            TRecord record = list[i] ?? throw new ArgumentException($"Record {i} of the batch is null.", nameof(records));
            keys[i] = KeyOf(record);
        }

        ReadOnlyMemory<float>?[] vectors = await VectorsOfAsync(list, keys, cancellationToken).ConfigureAwait(false);

        // Upsert semantics within one batch: the last record with a key wins.
        var last = new Dictionary<string, int>(list.Count, StringComparer.Ordinal);
        for (int i = 0; i < list.Count; i++)
        {
            last[keys[i]] = i;
        }

        var stored = new List<StoredRecord>(last.Count);
        for (int i = 0; i < list.Count; i++)
        {
            if (last.Count == list.Count || last[keys[i]] == i)
            {
                stored.Add(_codec.Capture(list[i], keys[i], vectors[i]));
            }
        }

        await Storage.UpsertAsync(stored, _embedsText ? Fingerprint : null, cancellationToken).ConfigureAwait(false);
    }

    public async Task<TRecord?> GetAsync(object key, RecordRetrievalOptions? options, CancellationToken cancellationToken)
    {
        string storageKey = KeyMapping.ToStorage(key, nameof(key));
        bool includeVectors = CheckIncludeVectors(options?.IncludeVectors ?? false);
        IReadOnlyList<StoredRecord> found = await Storage.GetAsync([storageKey], includeVectors, cancellationToken).ConfigureAwait(false);
        return found.Count == 0 ? null : _codec.Materialize<TRecord>(found[0], includeVectors);
    }

    public async IAsyncEnumerable<TRecord> GetAsync(IEnumerable<object> keys, RecordRetrievalOptions? options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        string[] storageKeys = keys.Select(k => KeyMapping.ToStorage(k, nameof(keys))).ToArray();
        bool includeVectors = CheckIncludeVectors(options?.IncludeVectors ?? false);
        if (storageKeys.Length == 0)
        {
            yield break;
        }

        foreach (StoredRecord record in await Storage.GetAsync(storageKeys, includeVectors, cancellationToken).ConfigureAwait(false))
        {
            yield return _codec.Materialize<TRecord>(record, includeVectors);
        }
    }

    public async IAsyncEnumerable<TRecord> GetAsync(Expression<Func<TRecord, bool>> filter, int top, FilteredRecordRetrievalOptions<TRecord>? options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(top);
        options ??= new FilteredRecordRetrievalOptions<TRecord>();
        ArgumentOutOfRangeException.ThrowIfNegative(options.Skip, "options.Skip");
        bool includeVectors = CheckIncludeVectors(options.IncludeVectors);
        MetadataFilter? metadataFilter = _filters.Translate(filter);
        RecordOrder order = OrderOf(options);
        foreach (StoredRecord record in await Storage.QueryAsync(metadataFilter, options.Skip, top, order, includeVectors, cancellationToken).ConfigureAwait(false))
        {
            yield return _codec.Materialize<TRecord>(record, includeVectors);
        }
    }

    public Task DeleteAsync(IEnumerable<object> keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        string[] storageKeys = keys.Select(k => KeyMapping.ToStorage(k, nameof(keys))).ToArray();
        return storageKeys.Length == 0 ? Task.CompletedTask : Storage.RemoveAsync(storageKeys, cancellationToken);
    }

    public async IAsyncEnumerable<VectorSearchResult<TRecord>> SearchAsync<TInput>(TInput searchValue, int top, Microsoft.Extensions.VectorData.VectorSearchOptions<TRecord>? options, [EnumeratorCancellation] CancellationToken cancellationToken)
        where TInput : notnull
    {
        ArgumentNullException.ThrowIfNull(searchValue);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(top);
        options ??= new Microsoft.Extensions.VectorData.VectorSearchOptions<TRecord>();
        ArgumentOutOfRangeException.ThrowIfNegative(options.Skip, "options.Skip");
        bool includeVectors = CheckIncludeVectors(options.IncludeVectors);
        VectorPropertyModel vector = Model.GetVectorPropertyOrSingle(options);
        VectorSchema schema = Schema!;

        (ReadOnlyMemory<float> query, EmbedderFingerprint? fingerprint) = await QueryVectorAsync(searchValue, vector, cancellationToken).ConfigureAwait(false);
        MetadataFilter? filter = options.Filter is null ? null : _filters.Translate(options.Filter);
        int k = checked(top + options.Skip);
        IReadOnlyList<StoredHit> hits = await Storage.SearchAsync(query, k, filter, fingerprint, includeVectors, cancellationToken).ConfigureAwait(false);
        for (int i = options.Skip; i < hits.Count; i++)
        {
            double score = schema.ToMevdScore(hits[i].Score);
            if (schema.Passes(score, options.ScoreThreshold))
            {
                yield return new VectorSearchResult<TRecord>(_codec.Materialize<TRecord>(hits[i].Record, includeVectors), score);
            }
        }
    }

    private async Task<(ReadOnlyMemory<float> Vector, EmbedderFingerprint? Fingerprint)> QueryVectorAsync<TInput>(TInput value, VectorPropertyModel vector, CancellationToken cancellationToken)
    {
        switch (value)
        {
            case ReadOnlyMemory<float> memory:
                return (memory, null);
            case float[] array:
                return (array, null);
            case Embedding<float> embedding:
                return (embedding.Vector, null);
            case string text when _textGenerator is not null:
                {
                    GeneratedEmbeddings<Embedding<float>> generated = await _textGenerator
                        .GenerateAsync([text], new EmbeddingGenerationOptions().WithInputKind(EmbeddingInputKind.Query), cancellationToken)
                        .ConfigureAwait(false);
                    return (generated[0].Vector, Fingerprint);
                }

            default:
                throw new NotSupportedException(_textGenerator is null
                    ? $"A search value of type {typeof(TInput).Name} needs an embedding generator, and vector property '{vector.ModelName}' has none; search with {EmbeddingsModelBuilder.SupportedVectorTypes}, or register one with AddEmbeddings."
                    : $"A search value of type {typeof(TInput).Name} is not supported; search with string (embedded by the generator) or {EmbeddingsModelBuilder.SupportedVectorTypes}.");
        }
    }

    private async Task<ReadOnlyMemory<float>?[]> VectorsOfAsync(IReadOnlyList<TRecord> records, string[] keys, CancellationToken cancellationToken)
    {
        var vectors = new ReadOnlyMemory<float>?[records.Count];
        if (_vector is null)
        {
            return vectors;
        }

        if (_embedsText)
        {
            var texts = new string[records.Count];
            for (int i = 0; i < records.Count; i++)
            {
                texts[i] = _codec.Vector!.Get(records[i]) as string
                    ?? throw new ArgumentException($"Record '{keys[i]}' has no text in '{_vector.ModelName}' to embed.", nameof(records));
            }

            GeneratedEmbeddings<Embedding<float>> generated = await _textGenerator!
                .GenerateAsync(texts, new EmbeddingGenerationOptions().WithInputKind(EmbeddingInputKind.Document), cancellationToken)
                .ConfigureAwait(false);
            if (generated.Count != texts.Length)
            {
                throw new InvalidOperationException($"The embedding generator returned {generated.Count} embeddings for {texts.Length} texts.");
            }

            for (int i = 0; i < texts.Length; i++)
            {
                vectors[i] = generated[i].Vector;
            }

            return vectors;
        }

        // Copied, since the caller may reuse its buffers and reads hand the stored vector back; into shared chunks of
        // VectorChunk vectors, because one array per vector made the copy the largest cost of an upsert (an
        // allocation per record, each promoted through the GC generations). A chunk lives while any of its records
        // does, so replaced or deleted records keep at most VectorChunk - 1 dead vectors alive per chunk.
        float[]? chunk = null;
        int used = 0;
        for (int i = 0; i < records.Count; i++)
        {
            ReadOnlySpan<float> source = _codec.Vector!.Get(records[i]) switch
            {
                ReadOnlyMemory<float> memory => memory.Span,
                float[] array => array,
                Embedding<float> embedding => embedding.Vector.Span,
                null => throw new ArgumentException($"Record '{keys[i]}' has no vector in '{_vector.ModelName}'; every record of collection '{Name}' needs one.", nameof(records)),
                var other => throw new ArgumentException($"Record '{keys[i]}': vector property '{_vector.ModelName}' holds a {other.GetType().Name}; use {EmbeddingsModelBuilder.SupportedVectorTypes}.", nameof(records)),
            };

            if (chunk is null || used + source.Length > chunk.Length)
            {
                int remaining = Math.Min(records.Count - i, VectorChunk);
                chunk = GC.AllocateUninitializedArray<float>(Math.Max(source.Length, Schema?.Dimensions ?? source.Length) * remaining);
                used = 0;
            }

            Memory<float> copy = chunk.AsMemory(used, source.Length);
            source.CopyTo(copy.Span);
            used += source.Length;
            vectors[i] = copy;
        }

        return vectors;
    }

    private string KeyOf(TRecord record)
    {
        KeyPropertyModel keyProperty = _codec.KeyProperty;
        object? key = _codec.Key.Get(record);
        if (keyProperty.IsAutoGenerated && (key is null || (key is Guid g && g == Guid.Empty)))
        {
            var generated = Guid.NewGuid();
            _codec.Key.Set(record, generated);
            key = generated;
        }

        return KeyMapping.ToStorage(key, nameof(record));
    }

    private bool CheckIncludeVectors(bool includeVectors)
    {
        if (includeVectors && _embedsText)
        {
            throw new NotSupportedException($"IncludeVectors is not supported on collection '{Name}': its vector property '{_vector!.ModelName}' is text embedded by a generator, so it cannot hold the vector.");
        }

        return includeVectors;
    }

    private RecordOrder OrderOf(FilteredRecordRetrievalOptions<TRecord> options)
    {
        if (options.OrderBy is null)
        {
            return new RecordOrder([]);
        }

        var definition = options.OrderBy(new FilteredRecordRetrievalOptions<TRecord>.OrderByDefinition());
        var fields = new List<(string, bool)>();
        foreach (FilteredRecordRetrievalOptions<TRecord>.OrderByDefinition.SortInfo sort in definition.Values)
        {
            PropertyModel property = Model.GetDataOrKeyProperty(sort.PropertySelector);
            fields.Add((property.StorageName, sort.Ascending));
        }

        return new RecordOrder(fields);
    }
}
