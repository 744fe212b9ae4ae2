using Microsoft.Extensions.VectorData;

namespace Embeddings.VectorData.Internal;

/// <summary>An in-process collection: a <see cref="FlatIndex"/> or <see cref="HnswIndex"/> plus the payloads, optionally saved to a folder.</summary>
internal sealed class InProcessStorage(InProcessCollectionState state, VectorSchema? schema, EmbedderFingerprint? lockFingerprint, EmbeddingsVectorStoreOptions options)
    : CollectionStorage
{
    /// <summary>Gets the index, once the collection exists.</summary>
    public InMemoryVectorIndex? Index => state.Index;

    public override async Task<bool> ExistsAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (state.Exists)
        {
            return true;
        }

        return state.Folder is not null && CollectionFolder.Exists(state.Folder) && await TryLoadAsync(cancellationToken).ConfigureAwait(false);
    }

    public override async Task EnsureExistsAsync(CancellationToken cancellationToken)
    {
        await state.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (state.Exists)
            {
                Check(state.Manifest!);
                return;
            }

            if (state.Folder is not null && CollectionFolder.Exists(state.Folder))
            {
                LoadLocked(cancellationToken);
                return;
            }

            state.Index = schema is null ? null : CreateIndex(schema, lockFingerprint, options);
            state.Manifest = new CollectionManifest
            {
                Name = state.Name,
                HasIndex = schema is not null,
                Dimensions = schema?.Dimensions ?? 0,
                DistanceFunction = schema?.DistanceFunction,
                IndexKind = schema?.IndexKind,
                Fingerprint = lockFingerprint?.ToString(),
            };
            state.Exists = true;
            if (state.Folder is not null)
            {
                CollectionFolder.Save(state, cancellationToken);
            }
        }
        finally
        {
            state.Gate.Release();
        }
    }

    public override async Task DeleteAsync(CancellationToken cancellationToken)
    {
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

    public override async Task UpsertAsync(IReadOnlyList<StoredRecord> records, EmbedderFingerprint? source, CancellationToken cancellationToken)
    {
        await state.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            RequireLocked(cancellationToken);
            if (state.Index is { } index)
            {
                var batch = new VectorRecord[records.Count];
                for (int i = 0; i < records.Count; i++)
                {
                    StoredRecord record = records[i];
                    batch[i] = new VectorRecord(record.Key, record.Vector ?? throw new ArgumentException($"Record '{record.Key}' has no vector; collection '{state.Name}' indexes one per record.", nameof(records)), record.Metadata);
                }

                index.Upsert(batch, source, cancellationToken);
            }

            foreach (StoredRecord record in records)
            {
                state.Records[record.Key] = record;
            }

            SaveIfPersistent(cancellationToken);
        }
        finally
        {
            state.Gate.Release();
        }
    }

    public override async Task RemoveAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        await state.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            RequireLocked(cancellationToken);
            bool changed = false;
            foreach (string key in keys)
            {
                state.Index?.Remove(key);
                changed |= state.Records.TryRemove(key, out _);
            }

            if (changed)
            {
                SaveIfPersistent(cancellationToken);
            }
        }
        finally
        {
            state.Gate.Release();
        }
    }

    public override async Task<IReadOnlyList<StoredRecord>> GetAsync(IReadOnlyList<string> keys, bool includeVectors, CancellationToken cancellationToken)
    {
        await RequireAsync(cancellationToken).ConfigureAwait(false);
        var found = new List<StoredRecord>(keys.Count);
        foreach (string key in keys)
        {
            if (state.Records.TryGetValue(key, out StoredRecord? record))
            {
                found.Add(record);
            }
        }

        return found;
    }

    public override async Task<IReadOnlyList<StoredRecord>> QueryAsync(MetadataFilter? filter, int skip, int top, RecordOrder order, bool includeVectors, CancellationToken cancellationToken)
    {
        await RequireAsync(cancellationToken).ConfigureAwait(false);
        IEnumerable<StoredRecord> matches = state.Records.Values;
        if (filter is not null)
        {
            matches = matches.Where(r => filter.Matches(r.Metadata));
        }

        return matches.Order(new MetadataOrder(order)).Skip(skip).Take(top).ToArray();
    }

    public override async Task<IReadOnlyList<StoredHit>> SearchAsync(ReadOnlyMemory<float> query, int k, MetadataFilter? filter, EmbedderFingerprint? fingerprint, bool includeVectors, CancellationToken cancellationToken)
    {
        await RequireAsync(cancellationToken).ConfigureAwait(false);
        InMemoryVectorIndex index = state.Index ?? throw new InvalidOperationException($"Collection '{state.Name}' has no vector property, so it cannot be searched.");
        IReadOnlyList<VectorSearchResult> results = index.Search(query.Span, k, new VectorSearchOptions { Filter = filter, Fingerprint = fingerprint });
        var hits = new List<StoredHit>(results.Count);
        foreach (VectorSearchResult result in results)
        {
            // A record removed between the index search and this lookup is simply not returned.
            if (state.Records.TryGetValue(result.Key, out StoredRecord? record))
            {
                hits.Add(new StoredHit(record, result.Score));
            }
        }

        return hits;
    }

    internal static InMemoryVectorIndex CreateIndex(VectorSchema schema, EmbedderFingerprint? fingerprint, EmbeddingsVectorStoreOptions options) => schema.IndexKind switch
    {
        EmbeddingsIndexKind.Hnsw => new HnswIndex(schema.Dimensions, schema.Metric, new HnswIndexOptions
        {
            M = options.HnswM,
            EfConstruction = options.HnswEfConstruction,
            EfSearch = options.HnswEfSearch,
            Seed = options.HnswSeed,
        }, fingerprint),
        EmbeddingsIndexKind.FlatFloat16 => new FlatIndex(schema.Dimensions, schema.Metric, new FlatIndexOptions { Storage = VectorStorageKind.Float16 }, fingerprint),
        EmbeddingsIndexKind.FlatBinary => new FlatIndex(schema.Dimensions, schema.Metric, new FlatIndexOptions { Storage = VectorStorageKind.Quantized, Quantizer = new BinaryQuantizer(schema.Dimensions) }, fingerprint),
        EmbeddingsIndexKind.Flat => new FlatIndex(schema.Dimensions, schema.Metric, fingerprint: fingerprint),
        _ => throw new NotSupportedException($"Index kind '{schema.IndexKind}' is for PgVector collections; in-process collections take Flat, Hnsw, FlatFloat16 or FlatBinary."),
    };

    private void SaveIfPersistent(CancellationToken cancellationToken)
    {
        if (state.Folder is not null && options.AutoSave)
        {
            CollectionFolder.Save(state, cancellationToken);
        }
    }

    /// <summary>Saves now (for stores with <see cref="EmbeddingsVectorStoreOptions.AutoSave"/> off).</summary>
    public async Task SaveAsync(CancellationToken cancellationToken)
    {
        await state.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            RequireLocked(cancellationToken);
            if (state.Folder is null)
            {
                throw new InvalidOperationException($"Collection '{state.Name}' cannot be saved: the store has no Directory.");
            }

            CollectionFolder.Save(state, cancellationToken);
        }
        finally
        {
            state.Gate.Release();
        }
    }

    private async Task RequireAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (state.Exists)
        {
            return;
        }

        await state.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            RequireLocked(cancellationToken);
        }
        finally
        {
            state.Gate.Release();
        }
    }

    private void RequireLocked(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (state.Exists)
        {
            return;
        }

        if (state.Folder is not null && CollectionFolder.Exists(state.Folder))
        {
            LoadLocked(cancellationToken);
            return;
        }

        throw new VectorStoreException($"Collection '{state.Name}' does not exist; call EnsureCollectionExistsAsync first.")
        {
            VectorStoreSystemName = EmbeddingsVectorStore.SystemName,
            CollectionName = state.Name,
        };
    }

    private async Task<bool> TryLoadAsync(CancellationToken cancellationToken)
    {
        await state.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!state.Exists && state.Folder is not null && CollectionFolder.Exists(state.Folder))
            {
                LoadLocked(cancellationToken);
            }

            return state.Exists;
        }
        finally
        {
            state.Gate.Release();
        }
    }

    private void LoadLocked(CancellationToken cancellationToken)
    {
        string folder = state.Folder!;
        CollectionFolder.Load(
            state,
            manifest =>
            {
                Check(manifest);
                if (!manifest.HasIndex)
                {
                    return null;
                }

                string path = CollectionFolder.IndexPath(folder, CollectionFolder.ReadCurrentVersion(folder)!.Value);
                return manifest.IndexKind == EmbeddingsIndexKind.Hnsw ? HnswIndex.Load(path) : FlatIndex.Load(path);
            },
            cancellationToken);
    }

    // The folder must hold what this collection's record type describes; the model fingerprint is checked by the index itself.
    private void Check(CollectionManifest manifest)
    {
        if (schema is null ? manifest.HasIndex : !manifest.HasIndex || manifest.Dimensions != schema.Dimensions || manifest.DistanceFunction != schema.DistanceFunction || manifest.IndexKind != schema.IndexKind)
        {
            string saved = manifest.HasIndex ? $"{manifest.Dimensions} dimensions, {manifest.DistanceFunction}, {manifest.IndexKind}" : "no vector";
            string asked = schema is null ? "no vector" : $"{schema.Dimensions} dimensions, {schema.DistanceFunction}, {schema.IndexKind}";
            throw new InvalidOperationException($"Collection '{state.Name}' was created with {saved}, but this record definition asks for {asked}.");
        }

        if (lockFingerprint is not null && manifest.Fingerprint is { } recorded)
        {
            EmbedderFingerprint.Parse(recorded).EnsureCompatible(lockFingerprint, $"collection '{state.Name}'");
        }
    }
}
