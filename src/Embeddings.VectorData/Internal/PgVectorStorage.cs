using System.Text;
using Embeddings.PgVector;
using Npgsql;

namespace Embeddings.VectorData.Internal;

/// <summary>
/// A collection in PostgreSQL: a <see cref="PgVectorIndex"/> table, whose jsonb metadata holds the filterable
/// values (see <see cref="RecordCodec"/>) and, under <see cref="RecordCodec.PayloadField"/>, the record's data as JSON.
/// Reads by key and by filter are plain SQL over the same table, with the index's own filter translation.
/// </summary>
internal sealed class PgVectorStorage : CollectionStorage, IAsyncDisposable
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly PgVectorIndexOptions _options;
    private readonly PgVectorIndex _index;

    public PgVectorStorage(NpgsqlDataSource dataSource, string name, VectorSchema schema, EmbedderFingerprint? lockFingerprint, EmbeddingsVectorStoreOptions options)
    {
        _dataSource = dataSource;
        _options = new PgVectorIndexOptions
        {
            Schema = options.PgVectorSchema,
            Collection = name,
            Dimensions = schema.Dimensions,
            Metric = schema.Metric,
            Fingerprint = lockFingerprint,
            StorageType = schema.IndexKind == EmbeddingsIndexKind.FlatFloat16 ? PgVectorStorageType.HalfVector : PgVectorStorageType.Vector,
            IndexKind = schema.IndexKind switch
            {
                EmbeddingsIndexKind.Hnsw => PgVectorAnnIndexKind.Hnsw,
                EmbeddingsIndexKind.IvfFlat => PgVectorAnnIndexKind.IvfFlat,
                EmbeddingsIndexKind.Flat or EmbeddingsIndexKind.FlatFloat16 => PgVectorAnnIndexKind.None,
                _ => throw new NotSupportedException($"Index kind '{schema.IndexKind}' is for in-process collections; PgVector collections take Flat, Hnsw, IvfFlat or FlatFloat16."),
            },
            HnswM = options.HnswM,
            HnswEfConstruction = options.HnswEfConstruction,
            HnswEfSearch = options.HnswEfSearch,
        };
        _options.CreateAnnIndex = _options.IndexKind != PgVectorAnnIndexKind.None;

        // MEVD collections exist only after EnsureCollectionExistsAsync: writes to a missing one fail rather than create it.
        _options.CreateIfMissing = false;
        _index = new PgVectorIndex(dataSource, _options);
    }

    public PgVectorIndex Index => _index;

    public static async Task<IReadOnlyList<string>> ListAsync(NpgsqlDataSource dataSource, string schema, CancellationToken cancellationToken)
    {
        var probe = new PgVectorIndexOptions { Schema = schema };
        var names = new List<string>();
        try
        {
            await using NpgsqlConnection connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var command = new NpgsqlCommand($"SELECT name FROM {probe.QualifiedCollectionsTable} ORDER BY name", connection);
            await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                names.Add(reader.GetString(0));
            }
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            // No collection was ever created in this schema.
        }

        return names;
    }

    public static async Task<bool> ExistsAsync(NpgsqlDataSource dataSource, string schema, string name, CancellationToken cancellationToken)
    {
        var probe = new PgVectorIndexOptions { Schema = schema, Collection = name };
        try
        {
            await using NpgsqlConnection connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var command = new NpgsqlCommand($"SELECT to_regclass($2) IS NOT NULL AND EXISTS (SELECT 1 FROM {probe.QualifiedCollectionsTable} WHERE name = $1)", connection);
            command.Parameters.Add(new NpgsqlParameter { Value = name });
            command.Parameters.Add(new NpgsqlParameter { Value = probe.QualifiedTable });
            return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is true;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            return false;
        }
    }

    public static async Task DropAsync(NpgsqlDataSource dataSource, string schema, string name, CancellationToken cancellationToken)
    {
        var probe = new PgVectorIndexOptions { Schema = schema, Collection = name };
        await using NpgsqlConnection connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var drop = new NpgsqlCommand($"DROP TABLE IF EXISTS {probe.QualifiedTable}", connection, transaction))
        {
            await drop.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await using (var exists = new NpgsqlCommand("SELECT to_regclass($1) IS NOT NULL", connection, transaction))
        {
            exists.Parameters.Add(new NpgsqlParameter { Value = probe.QualifiedCollectionsTable });
            if (await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is true)
            {
                await using var forget = new NpgsqlCommand($"DELETE FROM {probe.QualifiedCollectionsTable} WHERE name = $1", connection, transaction);
                forget.Parameters.Add(new NpgsqlParameter { Value = name });
                await forget.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public override Task<bool> ExistsAsync(CancellationToken cancellationToken) => ExistsAsync(_dataSource, _options.Schema, _options.Collection, cancellationToken);

    public override async Task EnsureExistsAsync(CancellationToken cancellationToken)
    {
        var creating = new PgVectorIndexOptions
        {
            Schema = _options.Schema,
            Collection = _options.Collection,
            Dimensions = _options.Dimensions,
            Metric = _options.Metric,
            Fingerprint = _options.Fingerprint,
            StorageType = _options.StorageType,
            IndexKind = _options.IndexKind,
            CreateAnnIndex = _options.CreateAnnIndex,
            HnswM = _options.HnswM,
            HnswEfConstruction = _options.HnswEfConstruction,
            HnswEfSearch = _options.HnswEfSearch,
            CreateIfMissing = true,
        };
        await using var index = new PgVectorIndex(_dataSource, creating);
        await index.MigrateAsync(cancellationToken).ConfigureAwait(false);
    }

    public override async Task DeleteAsync(CancellationToken cancellationToken) => await _index.DropAsync(cancellationToken).ConfigureAwait(false);

    public override async Task UpsertAsync(IReadOnlyList<StoredRecord> records, EmbedderFingerprint? source, CancellationToken cancellationToken)
    {
        var batch = new VectorRecord[records.Count];
        for (int i = 0; i < records.Count; i++)
        {
            StoredRecord record = records[i];
            var metadata = new Dictionary<string, object?>(record.Metadata, StringComparer.Ordinal)
            {
                [RecordCodec.PayloadField] = RecordCodec.SerializeData(record),
            };
            batch[i] = new VectorRecord(record.Key, record.Vector ?? throw new ArgumentException($"Record '{record.Key}' has no vector; PgVector collection '{_options.Collection}' stores one per record.", nameof(records)), metadata);
        }

        await _index.UpsertAsync(batch, source, cancellationToken).ConfigureAwait(false);
    }

    public override async Task RemoveAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken) =>
        await _index.RemoveAsync(keys, cancellationToken).ConfigureAwait(false);

    public override async Task<IReadOnlyList<StoredRecord>> GetAsync(IReadOnlyList<string> keys, bool includeVectors, CancellationToken cancellationToken)
    {
        var parameters = new SqlParameters();
        string sql = $"SELECT key, metadata{(includeVectors ? ", embedding::real[]" : string.Empty)} FROM {_options.QualifiedTable} WHERE key = ANY ({parameters.Add(keys.ToArray())}::text[])";
        IReadOnlyList<StoredRecord> found = await ReadAsync(sql, parameters, includeVectors, cancellationToken).ConfigureAwait(false);

        // Keep the caller's order.
        var byKey = found.ToDictionary(r => r.Key, StringComparer.Ordinal);
        return keys.Where(byKey.ContainsKey).Distinct(StringComparer.Ordinal).Select(k => byKey[k]).ToArray();
    }

    public override Task<IReadOnlyList<StoredRecord>> QueryAsync(MetadataFilter? filter, int skip, int top, RecordOrder order, bool includeVectors, CancellationToken cancellationToken)
    {
        var parameters = new SqlParameters();
        var sql = new StringBuilder($"SELECT key, metadata{(includeVectors ? ", embedding::real[]" : string.Empty)} FROM {_options.QualifiedTable}");
        if (filter is not null)
        {
            sql.Append(" WHERE ").Append(MetadataFilterSql.Translate(filter, parameters));
        }

        sql.Append(" ORDER BY ");
        foreach ((string field, bool ascending) in order.Fields)
        {
            // jsonb orders null < strings < numbers < booleans, and numbers numerically.
            sql.Append("metadata -> ").Append(parameters.Add(field)).Append("::text").Append(ascending ? " ASC NULLS FIRST, " : " DESC NULLS LAST, ");
        }

        sql.Append("key COLLATE \"C\" LIMIT ").Append(parameters.Add(top)).Append(" OFFSET ").Append(parameters.Add(skip));
        return ReadAsync(sql.ToString(), parameters, includeVectors, cancellationToken);
    }

    public override async Task<IReadOnlyList<StoredHit>> SearchAsync(ReadOnlyMemory<float> query, int k, MetadataFilter? filter, EmbedderFingerprint? fingerprint, bool includeVectors, CancellationToken cancellationToken)
    {
        IReadOnlyList<VectorSearchResult> results = await _index.SearchAsync(query, k, new VectorSearchOptions { Filter = filter, Fingerprint = fingerprint }, cancellationToken).ConfigureAwait(false);
        Dictionary<string, StoredRecord>? withVectors = null;
        if (includeVectors && results.Count > 0)
        {
            withVectors = (await GetAsync(results.Select(r => r.Key).ToArray(), includeVectors: true, cancellationToken).ConfigureAwait(false))
                .ToDictionary(r => r.Key, StringComparer.Ordinal);
        }

        var hits = new List<StoredHit>(results.Count);
        foreach (VectorSearchResult result in results)
        {
            StoredRecord record = withVectors is not null
                ? withVectors.GetValueOrDefault(result.Key) ?? ToStored(result.Key, result.Metadata, null)
                : ToStored(result.Key, result.Metadata, null);
            hits.Add(new StoredHit(record, result.Score));
        }

        return hits;
    }

    public ValueTask DisposeAsync() => _index.DisposeAsync();

    private async Task<IReadOnlyList<StoredRecord>> ReadAsync(string sql, SqlParameters parameters, bool includeVectors, CancellationToken cancellationToken)
    {
        await _index.MigrateAsync(cancellationToken).ConfigureAwait(false);
        await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(sql, connection);
        parameters.CopyTo(command.Parameters);
        var records = new List<StoredRecord>();
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            string key = reader.GetString(0);
            IReadOnlyDictionary<string, object?>? metadata = reader.IsDBNull(1) ? null : MetadataJson.Deserialize(reader.GetString(1));
            float[]? vector = includeVectors && !reader.IsDBNull(2) ? reader.GetFieldValue<float[]>(2) : null;
            records.Add(ToStored(key, metadata, vector));
        }

        return records;
    }

    private StoredRecord ToStored(string key, IReadOnlyDictionary<string, object?>? metadata, float[]? vector)
    {
        metadata ??= new Dictionary<string, object?>();
        string? payload = metadata.TryGetValue(RecordCodec.PayloadField, out object? value) ? value as string : null;
        return new StoredRecord(key, RecordCodec.DeserializeData(payload, key), vector, metadata);
    }
}
