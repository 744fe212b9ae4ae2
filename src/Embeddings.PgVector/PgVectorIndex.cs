using System.Collections;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Npgsql;
using NpgsqlTypes;
using Polly;

namespace Embeddings.PgVector;

/// <summary>
/// An <see cref="IVectorIndex"/> on PostgreSQL with pgvector: one table per collection (key, vector column, jsonb
/// metadata) with an HNSW or IVFFlat index, a row in <c>embeddings_collections</c> recording the dimensions, metric
/// and embedder fingerprint, batched transactional upserts, filtered and two-stage searches, and retries of
/// transient failures.
/// </summary>
/// <remarks>
/// Several processes may share one collection: the schema is created under an advisory lock, each write batch is
/// one transaction, and the recorded fingerprint keeps processes with another embedder out. The first operation
/// runs the migration (see <see cref="GetMigrationScript"/> to run it ahead of time) unless
/// <see cref="PgVectorIndexOptions.CreateIfMissing"/> is off.
/// </remarks>
public sealed class PgVectorIndex : IVectorIndex, IAsyncDisposable
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly bool _ownsDataSource;
    private readonly PgVectorIndexOptions _options;
    private readonly PgVectorSql _sql;
    private readonly ResiliencePipeline _retry;
    private readonly SemaphoreSlim _initLock = new(1, 1);
    private readonly string _description;
    private volatile ServerInfo? _server;
    private EmbedderFingerprint? _fingerprint;
    private string? _insertSqlFull;
    private int _disposed;

    /// <summary>Creates an index over a collection reached through <paramref name="dataSource"/>, which stays the caller's to dispose.</summary>
    /// <param name="dataSource">The data source.</param>
    /// <param name="options">The settings; they must not change once the index exists.</param>
    /// <exception cref="ArgumentException">A setting is invalid.</exception>
    public PgVectorIndex(NpgsqlDataSource dataSource, PgVectorIndexOptions options)
        : this(dataSource, options, ownsDataSource: false)
    {
    }

    /// <summary>Creates an index whose data source is built from <see cref="PgVectorIndexOptions.ConnectionString"/> and disposed with the index.</summary>
    /// <param name="options">The settings.</param>
    /// <exception cref="ArgumentException">A setting is invalid, or there is no connection string.</exception>
    public PgVectorIndex(PgVectorIndexOptions options)
        : this(CreateDataSource(options), options, ownsDataSource: true)
    {
    }

    private PgVectorIndex(NpgsqlDataSource dataSource, PgVectorIndexOptions options, bool ownsDataSource)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentNullException.ThrowIfNull(options);
        int dimensions = options.Validate();
        _dataSource = dataSource;
        _ownsDataSource = ownsDataSource;
        _options = options;
        _sql = new PgVectorSql(options, dimensions);
        _retry = TransientFailures.Build(options.Retry);
        _fingerprint = options.Fingerprint;
        _description = $"pgvector collection '{options.Schema}.{options.Collection}'";
        Dimensions = dimensions;
    }

    /// <inheritdoc />
    public int Dimensions { get; }

    /// <inheritdoc />
    public DistanceMetric Metric => _options.Metric;

    /// <inheritdoc />
    /// <remarks>Before the first operation this is the configured fingerprint; afterwards, the one recorded for the collection.</remarks>
    public EmbedderFingerprint? Fingerprint => Volatile.Read(ref _fingerprint);

    /// <summary>Gets the collection (table) name.</summary>
    public string Collection => _options.Collection;

    /// <summary>Gets the bulk path uploads take, once the server has been seen (<see cref="PgVectorBulkPath.Auto"/> before).</summary>
    public PgVectorBulkPath BulkPath => _server?.BulkPath ?? _options.BulkPath;

    /// <summary>Opens a collection: creates it if absent (when allowed) and checks its recorded dimensions, metric, storage and fingerprint.</summary>
    /// <param name="dataSource">The data source; stays the caller's to dispose.</param>
    /// <param name="options">The settings.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The open index.</returns>
    /// <exception cref="EmbedderMismatchException">The collection was recorded with another embedder fingerprint.</exception>
    public static async Task<PgVectorIndex> OpenAsync(NpgsqlDataSource dataSource, PgVectorIndexOptions options, CancellationToken cancellationToken = default)
    {
        var index = new PgVectorIndex(dataSource, options);
        try
        {
            await index.EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
            return index;
        }
        catch
        {
            index.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Returns the migration as a SQL script (extension, schema, tables, indexes, collection record), for running
    /// ahead of time by a DBA or a migration tool; every statement is idempotent.
    /// </summary>
    /// <param name="options">The settings.</param>
    /// <returns>The script.</returns>
    /// <exception cref="ArgumentException">A setting is invalid.</exception>
    public static string GetMigrationScript(PgVectorIndexOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        int dimensions = options.Validate();
        var sql = new PgVectorSql(options, dimensions);
        var script = new StringBuilder();
        script.Append("-- Embeddings.PgVector migration for collection ").Append(options.Schema).Append('.').Append(options.Collection).AppendLine();
        script.AppendLine("BEGIN;");
        foreach (string statement in sql.SchemaStatements(options.CreateAnnIndex))
        {
            script.Append(statement).AppendLine(";");
        }

        script.Append(CultureInfo.InvariantCulture, $"INSERT INTO {sql.CollectionsTableName} (name, dimensions, metric, storage, fingerprint) VALUES (")
            .Append(SqlIdentifier.Literal(options.Collection)).Append(", ")
            .Append(dimensions.ToString(CultureInfo.InvariantCulture)).Append(", ")
            .Append(SqlIdentifier.Literal(sql.MetricName)).Append(", ")
            .Append(SqlIdentifier.Literal(sql.StorageName)).Append(", ")
            .Append(SqlIdentifier.Literal(options.Fingerprint?.ToString()))
            .AppendLine(") ON CONFLICT (name) DO NOTHING;");
        script.AppendLine("COMMIT;");
        return script.ToString();
    }

    /// <summary>Runs the migration now (it otherwise runs on first use) and checks the collection's record.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the collection is ready.</returns>
    public Task MigrateAsync(CancellationToken cancellationToken = default) => EnsureInitializedAsync(cancellationToken);

    /// <summary>
    /// Builds the ANN index (and the binary-quantized one for two-stage search) if absent: after a bulk load made
    /// with <see cref="PgVectorIndexOptions.CreateAnnIndex"/> off, or to build an IVFFlat index over the loaded rows.
    /// </summary>
    /// <param name="cancellationToken">Cancels the call (PostgreSQL stops the build when the connection's query is cancelled).</param>
    /// <returns>The time the build took.</returns>
    public async Task<TimeSpan> CreateAnnIndexAsync(CancellationToken cancellationToken = default)
    {
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        var watch = Stopwatch.StartNew();
        await RunAsync("create the ANN index", async ct =>
        {
            await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
            await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
            var statements = new List<string>();
            if (_options.IndexBuildMemoryMegabytes is int memory)
            {
                statements.Add(string.Create(CultureInfo.InvariantCulture, $"SET LOCAL maintenance_work_mem = '{memory}MB'"));
            }

            statements.AddRange(_sql.AnnIndexStatements());
            foreach (string statement in statements)
            {
                await using var command = new NpgsqlCommand(statement, connection, transaction) { CommandTimeout = 0 };
                await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }

            await transaction.CommitAsync(ct).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
        return watch.Elapsed;
    }

    /// <summary>Drops the collection's table and its record. The index is unusable afterwards until the migration runs again.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the collection is gone.</returns>
    public async Task DropAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        await RunAsync("drop the collection", async ct =>
        {
            await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
            await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
            await using (var drop = new NpgsqlCommand($"DROP TABLE IF EXISTS {_sql.Table}", connection, transaction))
            {
                await drop.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }

            await using (var forget = new NpgsqlCommand($"DELETE FROM {_sql.CollectionsTableName} WHERE name = $1", connection, transaction))
            {
                forget.Parameters.Add(new NpgsqlParameter { Value = _options.Collection });
                try
                {
                    await forget.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                }
                catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UndefinedTable)
                {
                    // Nothing was ever created: nothing to forget.
                }
            }

            await transaction.CommitAsync(ct).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
        _server = null;
    }

    /// <summary>Tells which bulk path <see cref="PgVectorBulkPath.Auto"/> resolves to on this server, without issuing COPY.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see cref="PgVectorBulkPath.Copy"/> or <see cref="PgVectorBulkPath.BatchedInsert"/>.</returns>
    public async Task<PgVectorBulkPath> DetectBulkPathAsync(CancellationToken cancellationToken = default)
    {
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        return _server!.BulkPath;
    }

    /// <inheritdoc />
    public async ValueTask<long> CountAsync(CancellationToken cancellationToken = default)
    {
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        return await RunAsync("count records", async ct =>
        {
            await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
            await using var command = new NpgsqlCommand($"SELECT count(*) FROM {_sql.Table}", connection);
            return Convert.ToInt64(await command.ExecuteScalarAsync(ct).ConfigureAwait(false), CultureInfo.InvariantCulture);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <remarks>
    /// Every record is checked before anything is written; records then go in batches of
    /// <see cref="PgVectorIndexOptions.BatchSize"/>, each one transaction (see <see cref="BulkUpsertAsync"/>).
    /// </remarks>
    public async ValueTask UpsertAsync(IReadOnlyList<VectorRecord> records, EmbedderFingerprint? source = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        CheckSource(source);
        var keys = new HashSet<string>(records.Count, StringComparer.Ordinal);
        for (int i = 0; i < records.Count; i++)
        {
            ValidateRecord(records[i], i, keys);
        }

        if (records.Count == 0)
        {
            return;
        }

        await BulkUpsertCoreAsync(records, source, progress: null, prevalidated: true, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Loads records in batches of <see cref="PgVectorIndexOptions.BatchSize"/>, each batch one transaction, over
    /// binary COPY into a staging table or batched multi-row inserts (<see cref="PgVectorIndexOptions.BulkPath"/>).
    /// Upserts are idempotent, so a load that failed part way can simply be run again.
    /// </summary>
    /// <param name="records">The records, read once, lazily; keys unique within each batch.</param>
    /// <param name="source">The fingerprint of the embedder that made the vectors; checked against <see cref="Fingerprint"/> when both are known.</param>
    /// <param name="progress">Receives progress after every committed batch; may be <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the load between or inside batches; committed batches stay.</param>
    /// <returns>What was loaded, how fast and over which path.</returns>
    /// <exception cref="ArgumentException">A record is invalid (the message names it); batches before it are committed.</exception>
    /// <exception cref="PgVectorIndexException">A batch failed after its retries; the message says how many records were committed.</exception>
    public Task<PgVectorBulkResult> BulkUpsertAsync(
        IEnumerable<VectorRecord> records,
        EmbedderFingerprint? source = null,
        IProgress<PgVectorBulkProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        CheckSource(source);
        return BulkUpsertCoreAsync(records, source, progress, prevalidated: false, cancellationToken);
    }

    /// <inheritdoc />
    public async ValueTask<int> RemoveAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        string[] array = new string[keys.Count];
        for (int i = 0; i < keys.Count; i++)
        {
            array[i] = keys[i] ?? throw new ArgumentException($"Key {i} is null.", nameof(keys));
        }

        if (array.Length == 0)
        {
            return 0;
        }

        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        return await RunAsync("remove records", async ct =>
        {
            await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
            await using var command = new NpgsqlCommand($"DELETE FROM {_sql.Table} WHERE key = ANY ($1::text[])", connection);
            command.Parameters.Add(new NpgsqlParameter { Value = array });
            return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <remarks>
    /// Runs in one transaction that sets <c>hnsw.ef_search</c> (or <c>ivfflat.probes</c>) with <c>SET LOCAL</c>, and,
    /// for filtered searches on pgvector 0.8.0 or later, the iterative index scan of <see cref="PgVectorIndexOptions.IterativeScan"/>.
    /// </remarks>
    public async ValueTask<IReadOnlyList<VectorSearchResult>> SearchAsync(
        ReadOnlyMemory<float> query,
        int k,
        VectorSearchOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        if (query.Length != Dimensions)
        {
            throw new ArgumentException($"The query has {query.Length} dimensions; {_description} holds {Dimensions}.", nameof(query));
        }

        VectorMath.EnsureFinite(query.Span, nameof(query));
        if (options?.EfSearch is int requested)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(requested, "options.EfSearch");
        }

        if (options?.Fingerprint is { } queryFingerprint && Fingerprint is { } own)
        {
            own.EnsureCompatible(queryFingerprint, _description);
        }

        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        if (options?.Fingerprint is { } late && Fingerprint is { } recorded)
        {
            recorded.EnsureCompatible(late, _description);
        }

        ServerInfo server = _server!;
        var parameters = new SqlParameters();
        parameters.Add(ToParameterValue(query));
        string limit = parameters.Add(k);
        string? where = options?.Filter is { } filter ? MetadataFilterSql.Translate(filter, parameters) : null;
        string whereClause = where is null ? string.Empty : " WHERE " + where;
        string distance = $"(embedding {_sql.Operator} {_sql.QueryParameter})";
        int efSearch = Math.Clamp(Math.Max(options?.EfSearch ?? _options.DefaultEfSearch, k), 1, 1000);

        string select;
        if (_options.BinaryQuantizedSearch)
        {
            int candidates = (int)Math.Min(Math.Max((long)k * _options.RescoreOversampling, k), 1000);
            efSearch = Math.Max(efSearch, candidates);
            string candidateLimit = parameters.Add(candidates);
            string coarse = $"({_sql.BinaryQuantizedColumn} <~> binary_quantize({_sql.QueryParameter}))";
            select = $"SELECT key, distance, metadata FROM (SELECT key, metadata, {distance} AS distance FROM {_sql.Table}{whereClause} ORDER BY {coarse} LIMIT {candidateLimit}) AS candidates ORDER BY distance LIMIT {limit}";
        }
        else
        {
            select = $"SELECT key, {distance} AS distance, metadata FROM {_sql.Table}{whereClause} ORDER BY {distance} LIMIT {limit}";
        }

        var settings = new List<string>(3);
        bool usesHnsw = _options.IndexKind == PgVectorAnnIndexKind.Hnsw || _options.BinaryQuantizedSearch;
        if (usesHnsw)
        {
            settings.Add(string.Create(CultureInfo.InvariantCulture, $"SET LOCAL hnsw.ef_search = {efSearch}"));
        }

        if (_options.IndexKind == PgVectorAnnIndexKind.IvfFlat)
        {
            settings.Add(string.Create(CultureInfo.InvariantCulture, $"SET LOCAL ivfflat.probes = {Math.Min(_options.IvfFlatProbes, _options.IvfFlatLists)}"));
        }

        bool relaxed = false;
        if (where is not null && server.SupportsIterativeScan && _options.IterativeScan != PgVectorIterativeScan.Off)
        {
            if (usesHnsw)
            {
                relaxed = _options.IterativeScan == PgVectorIterativeScan.RelaxedOrder;
                settings.Add(relaxed ? "SET LOCAL hnsw.iterative_scan = relaxed_order" : "SET LOCAL hnsw.iterative_scan = strict_order");
            }
            else if (_options.IndexKind == PgVectorAnnIndexKind.IvfFlat)
            {
                relaxed = true;
                settings.Add("SET LOCAL ivfflat.iterative_scan = relaxed_order");
            }
        }

        IReadOnlyList<VectorSearchResult> results = await RunAsync("search", async ct =>
        {
            await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
            await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
            await using var batch = new NpgsqlBatch(connection, transaction);
            foreach (string setting in settings)
            {
                batch.BatchCommands.Add(new NpgsqlBatchCommand(setting));
            }

            var command = new NpgsqlBatchCommand(select);
            parameters.CopyTo(command.Parameters);
            batch.BatchCommands.Add(command);

            // k is only an upper bound (int.MaxValue means "all"); the list grows with the rows that arrive.
            var hits = new List<VectorSearchResult>(Math.Min(k, 1024));
            await using (NpgsqlDataReader reader = await batch.ExecuteReaderAsync(ct).ConfigureAwait(false))
            {
                while (await reader.ReadAsync(ct).ConfigureAwait(false))
                {
                    string key = reader.GetString(0);
                    double d = reader.IsDBNull(1) ? double.NaN : reader.GetDouble(1);
                    string? metadata = reader.IsDBNull(2) ? null : reader.GetString(2);
                    hits.Add(new VectorSearchResult(key, ScoreOf(d), MetadataJson.Deserialize(metadata)));
                }
            }

            await transaction.CommitAsync(ct).ConfigureAwait(false);
            return hits;
        }, cancellationToken).ConfigureAwait(false);

        if (relaxed || _options.Metric == DistanceMetric.Cosine)
        {
            // Relaxed iterative scans may return rows slightly out of order, and a zero vector's NaN cosine
            // distance sorts last on the server while its score (0) belongs in the middle.
            return results.OrderByDescending(r => r.Score).ToArray();
        }

        return results;
    }

    /// <summary>Disposes the data source when the index built it.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _initLock.Dispose();
            if (_ownsDataSource)
            {
                _dataSource.Dispose();
            }
        }
    }

    /// <summary>Disposes the data source when the index built it.</summary>
    /// <returns>A task that completes when disposed.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _initLock.Dispose();
            if (_ownsDataSource)
            {
                await _dataSource.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static NpgsqlDataSource CreateDataSource(PgVectorIndexOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            throw new ArgumentException("PgVectorIndexOptions.ConnectionString is not set and no NpgsqlDataSource was given.", nameof(options));
        }

        return NpgsqlDataSource.Create(options.ConnectionString);
    }

    private float ScoreOf(double distance)
    {
        if (double.IsNaN(distance) && _options.Metric == DistanceMetric.Cosine)
        {
            return 0f; // pgvector's cosine distance to a zero vector is NaN; our convention gives it similarity 0
        }

        return _sql.ToScore(distance);
    }

    private void CheckSource(EmbedderFingerprint? source)
    {
        ThrowIfDisposed();
        if (source is not null && Fingerprint is { } own)
        {
            own.EnsureCompatible(source, _description);
        }
    }

    private void ValidateRecord(VectorRecord? record, long position, HashSet<string> keys)
    {
        if (record is null)
        {
            throw new ArgumentException($"Record {position} is null.", "records");
        }

        if (string.IsNullOrEmpty(record.Key))
        {
            throw new ArgumentException($"Record {position} has an empty key.", "records");
        }

        if (PostgresText.Problem(record.Key) is string keyProblem)
        {
            throw new ArgumentException($"Record {position}'s key {keyProblem}.", "records");
        }

        if (record.Metadata is not null)
        {
            foreach (KeyValuePair<string, object?> pair in record.Metadata)
            {
                if (pair.Key is not null && PostgresText.Problem(pair.Key) is string nameProblem)
                {
                    throw new ArgumentException($"Record '{record.Key}': a metadata field name {nameProblem}.", "records");
                }

                if (pair.Value is string text && PostgresText.Problem(text) is string valueProblem)
                {
                    throw new ArgumentException($"Record '{record.Key}', metadata field '{pair.Key}': the value {valueProblem}.", "records");
                }
            }
        }

        if (record.Vector.Length != Dimensions)
        {
            throw new ArgumentException($"Record '{record.Key}' has {record.Vector.Length} dimensions; {_description} holds {Dimensions}.", "records");
        }

        try
        {
            VectorMath.EnsureFinite(record.Vector.Span, "records");
        }
        catch (ArgumentException ex)
        {
            throw new ArgumentException($"Record '{record.Key}': {ex.Message}", "records", ex);
        }

        if (!keys.Add(record.Key))
        {
            throw new ArgumentException($"Key '{record.Key}' appears twice in one batch; keys must be unique within a batch.", "records");
        }
    }

    private async Task<PgVectorBulkResult> BulkUpsertCoreAsync(
        IEnumerable<VectorRecord> records,
        EmbedderFingerprint? source,
        IProgress<PgVectorBulkProgress>? progress,
        bool prevalidated,
        CancellationToken cancellationToken)
    {
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        CheckSource(source);
        PgVectorBulkPath path = _server!.BulkPath;
        var watch = Stopwatch.StartNew();
        var batch = new List<PreparedRecord>(_options.BatchSize);
        var keys = new HashSet<string>(StringComparer.Ordinal);
        long committed = 0;
        long position = 0;
        int batches = 0;
        int retries = 0;

        async Task FlushAsync()
        {
            int attempts = 0;
            try
            {
                await _retry.ExecuteAsync(
                    async ct =>
                    {
                        attempts++;
                        if (path == PgVectorBulkPath.Copy)
                        {
                            await WriteBatchByCopyAsync(batch, ct).ConfigureAwait(false);
                        }
                        else
                        {
                            await WriteBatchByInsertsAsync(batch, ct).ConfigureAwait(false);
                        }
                    },
                    cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException && ex is not ArgumentException)
            {
                string state = TransientFailures.SqlStateOf(ex) is { } s ? $"SQL state {s}" : "no SQL state (the connection failed)";
                throw new PgVectorIndexException(
                    $"Loading {_description} failed at batch {batches + 1} (records {committed + 1}..{committed + batch.Count}) after {attempts} attempt(s) over the {PathName(path)} path: {ex.Message} [{state}]. " +
                    $"{committed} record(s) in {batches} batch(es) were committed; none of the failing batch is visible. Upserts are idempotent: run the load again to complete it.",
                    ex,
                    committed,
                    attempts);
            }

            retries += attempts - 1;
            committed += batch.Count;
            batches++;
            batch.Clear();
            keys.Clear();
            progress?.Report(new PgVectorBulkProgress(committed, batches, watch.Elapsed, path));
        }

        foreach (VectorRecord record in records)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!prevalidated)
            {
                ValidateRecord(record, position, keys);
            }

            position++;
            batch.Add(new PreparedRecord(record.Key, ToParameterValue(record.Vector), MetadataJson.Serialize(record.Metadata, record.Key)));
            if (batch.Count == _options.BatchSize)
            {
                await FlushAsync().ConfigureAwait(false);
            }
        }

        if (batch.Count > 0)
        {
            await FlushAsync().ConfigureAwait(false);
        }

        return new PgVectorBulkResult(committed, batches, watch.Elapsed, path, retries);
    }

    private async Task WriteBatchByInsertsAsync(List<PreparedRecord> batch, CancellationToken cancellationToken)
    {
        await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var npgsqlBatch = new NpgsqlBatch(connection, transaction) { Timeout = 0 };
        int perStatement = _options.RowsPerInsertStatement;
        for (int start = 0; start < batch.Count; start += perStatement)
        {
            int rows = Math.Min(perStatement, batch.Count - start);
            var command = new NpgsqlBatchCommand(InsertSql(rows));
            for (int i = start; i < start + rows; i++)
            {
                PreparedRecord record = batch[i];
                command.Parameters.Add(new NpgsqlParameter { Value = record.Key, NpgsqlDbType = NpgsqlDbType.Text });
                command.Parameters.Add(VectorParameter(record.Vector));
                command.Parameters.Add(new NpgsqlParameter { Value = (object?)record.Metadata ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Jsonb });
            }

            npgsqlBatch.BatchCommands.Add(command);
        }

        await npgsqlBatch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task WriteBatchByCopyAsync(List<PreparedRecord> batch, CancellationToken cancellationToken)
    {
        const string Stage = "embeddings_stage";
        string stageType = _options.StorageType == PgVectorStorageType.Bit ? "varbit" : "real[]";
        await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var create = new NpgsqlCommand($"CREATE TEMP TABLE {Stage} (key text NOT NULL, embedding {stageType} NOT NULL, metadata jsonb) ON COMMIT DROP", connection, transaction))
        {
            await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        NpgsqlDbType vectorType = _options.StorageType == PgVectorStorageType.Bit ? NpgsqlDbType.Varbit : NpgsqlDbType.Array | NpgsqlDbType.Real;
        await using (NpgsqlBinaryImporter importer = await connection.BeginBinaryImportAsync($"COPY {Stage} (key, embedding, metadata) FROM STDIN (FORMAT BINARY)", cancellationToken).ConfigureAwait(false))
        {
            foreach (PreparedRecord record in batch)
            {
                await importer.StartRowAsync(cancellationToken).ConfigureAwait(false);
                await importer.WriteAsync(record.Key, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                await importer.WriteAsync(record.Vector, vectorType, cancellationToken).ConfigureAwait(false);
                if (record.Metadata is null)
                {
                    await importer.WriteNullAsync(cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await importer.WriteAsync(record.Metadata, NpgsqlDbType.Jsonb, cancellationToken).ConfigureAwait(false);
                }
            }

            await importer.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }

        string merge = $"INSERT INTO {_sql.Table} (key, embedding, metadata) SELECT key, embedding::{(_options.StorageType == PgVectorStorageType.Bit ? "" : "real[]::")}{_sql.ColumnType}, metadata FROM {Stage} " +
            "ON CONFLICT (key) DO UPDATE SET embedding = EXCLUDED.embedding, metadata = EXCLUDED.metadata";
        await using (var insert = new NpgsqlCommand(merge, connection, transaction) { CommandTimeout = 0 })
        {
            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private string InsertSql(int rows)
    {
        if (rows == _options.RowsPerInsertStatement && _insertSqlFull is { } cached)
        {
            return cached;
        }

        string vector = _options.StorageType == PgVectorStorageType.Bit ? "::" + _sql.ColumnType : "::real[]::" + _sql.ColumnType;
        var sql = new StringBuilder(64 + (rows * 40));
        sql.Append("INSERT INTO ").Append(_sql.Table).Append(" (key, embedding, metadata) VALUES ");
        for (int row = 0; row < rows; row++)
        {
            int p = (row * 3) + 1;
            sql.Append(row == 0 ? "(" : ", (")
                .Append('$').Append(p.ToString(CultureInfo.InvariantCulture)).Append(", ")
                .Append('$').Append((p + 1).ToString(CultureInfo.InvariantCulture)).Append(vector).Append(", ")
                .Append('$').Append((p + 2).ToString(CultureInfo.InvariantCulture)).Append(')');
        }

        sql.Append(" ON CONFLICT (key) DO UPDATE SET embedding = EXCLUDED.embedding, metadata = EXCLUDED.metadata");
        string text = sql.ToString();
        if (rows == _options.RowsPerInsertStatement)
        {
            _insertSqlFull = text;
        }

        return text;
    }

    private NpgsqlParameter VectorParameter(object vector) => _options.StorageType == PgVectorStorageType.Bit
        ? new NpgsqlParameter { Value = vector, NpgsqlDbType = NpgsqlDbType.Varbit }
        : new NpgsqlParameter { Value = vector, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Real };

    /// <summary>Turns a vector into what travels to the server: a float array, or a bit string for <see cref="PgVectorStorageType.Bit"/>.</summary>
    private object ToParameterValue(ReadOnlyMemory<float> vector)
    {
        if (_options.StorageType == PgVectorStorageType.Bit)
        {
            ReadOnlySpan<float> span = vector.Span;
            var bits = new BitArray(span.Length);
            for (int i = 0; i < span.Length; i++)
            {
                bits[i] = span[i] > 0f;
            }

            return bits;
        }

        // Copy unless the memory is a whole array: the caller may reuse its buffer once the call returns.
        return MemoryMarshal.TryGetArray(vector, out ArraySegment<float> segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : vector.ToArray();
    }

    private async Task EnsureInitializedAsync(CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        if (_server is not null)
        {
            return;
        }

        await _initLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_server is not null)
            {
                return;
            }

            _server = await RunAsync("open the collection", InitializeOnceAsync, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _initLock.Release();
        }
    }

    private async Task<ServerInfo> InitializeOnceAsync(CancellationToken cancellationToken)
    {
        await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        if (_options.CreateIfMissing)
        {
            await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

            // Processes starting together would otherwise race on CREATE EXTENSION / CREATE TABLE.
            await using (var lockCommand = new NpgsqlCommand("SELECT pg_advisory_xact_lock(7415301, hashtext($1))", connection, transaction))
            {
                lockCommand.Parameters.Add(new NpgsqlParameter { Value = _options.Schema + "." + _options.Collection });
                await lockCommand.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            foreach (string statement in _sql.SchemaStatements(_options.CreateAnnIndex))
            {
                await using var command = new NpgsqlCommand(statement, connection, transaction) { CommandTimeout = 0 };
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await using (var record = new NpgsqlCommand($"INSERT INTO {_sql.CollectionsTableName} (name, dimensions, metric, storage, fingerprint) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (name) DO NOTHING", connection, transaction))
            {
                record.Parameters.Add(new NpgsqlParameter { Value = _options.Collection });
                record.Parameters.Add(new NpgsqlParameter { Value = Dimensions });
                record.Parameters.Add(new NpgsqlParameter { Value = _sql.MetricName });
                record.Parameters.Add(new NpgsqlParameter { Value = _sql.StorageName });
                record.Parameters.Add(new NpgsqlParameter { Value = (object?)_options.Fingerprint?.ToString() ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
                await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        int dimensions;
        string metric;
        string storage;
        string? fingerprint;
        try
        {
            await using var read = new NpgsqlCommand($"SELECT dimensions, metric, storage, fingerprint FROM {_sql.CollectionsTableName} WHERE name = $1", connection);
            read.Parameters.Add(new NpgsqlParameter { Value = _options.Collection });
            await using NpgsqlDataReader reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                throw new PgVectorIndexException($"{_description} does not exist. Run the migration (PgVectorIndex.GetMigrationScript or MigrateAsync with CreateIfMissing on) first.");
            }

            dimensions = reader.GetInt32(0);
            metric = reader.GetString(1);
            storage = reader.GetString(2);
            fingerprint = reader.IsDBNull(3) ? null : reader.GetString(3);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            throw new PgVectorIndexException($"{_description} does not exist ({ex.MessageText}). Run the migration (PgVectorIndex.GetMigrationScript, or MigrateAsync with CreateIfMissing on) first.", ex);
        }

        if (dimensions != Dimensions || metric != _sql.MetricName || storage != _sql.StorageName)
        {
            throw new InvalidOperationException(
                $"{_description} was created with {dimensions} dimensions, metric {metric} and storage {storage}; these options ask for {Dimensions}, {_sql.MetricName} and {_sql.StorageName}. Use another collection name or matching options.");
        }

        if (fingerprint is not null)
        {
            var recorded = EmbedderFingerprint.Parse(fingerprint);
            if (_options.Fingerprint is { } configured)
            {
                recorded.EnsureCompatible(configured, _description);
            }

            Volatile.Write(ref _fingerprint, recorded);
        }
        else if (_options.Fingerprint is { } configured)
        {
            // Recorded without one (created ahead of time, or by a process that had none): this process's becomes the record.
            await using var adopt = new NpgsqlCommand($"UPDATE {_sql.CollectionsTableName} SET fingerprint = $2 WHERE name = $1 AND fingerprint IS NULL", connection);
            adopt.Parameters.Add(new NpgsqlParameter { Value = _options.Collection });
            adopt.Parameters.Add(new NpgsqlParameter { Value = configured.ToString() });
            await adopt.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        string version;
        string? vectorVersion;
        await using (var info = new NpgsqlCommand("SELECT version(), (SELECT extversion FROM pg_extension WHERE extname = 'vector')", connection))
        await using (NpgsqlDataReader reader = await info.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            version = reader.GetString(0);
            vectorVersion = reader.IsDBNull(1) ? null : reader.GetString(1);
        }

        return new ServerInfo(version, vectorVersion, ResolveBulkPath(_options.BulkPath, version));
    }

    /// <summary>Resolves <see cref="PgVectorBulkPath.Auto"/> from <c>version()</c>: WebAssembly builds (PGlite) cannot take COPY FROM STDIN.</summary>
    internal static PgVectorBulkPath ResolveBulkPath(PgVectorBulkPath configured, string version)
    {
        if (configured != PgVectorBulkPath.Auto)
        {
            return configured;
        }

        bool webAssembly = version.Contains("emscripten", StringComparison.OrdinalIgnoreCase)
            || version.Contains("wasm", StringComparison.OrdinalIgnoreCase)
            || version.Contains("wasi", StringComparison.OrdinalIgnoreCase);
        return webAssembly ? PgVectorBulkPath.BatchedInsert : PgVectorBulkPath.Copy;
    }

    private static string PathName(PgVectorBulkPath path) => path == PgVectorBulkPath.Copy ? "binary COPY" : "batched INSERT";

    private async Task<T> RunAsync<T>(string operation, Func<CancellationToken, Task<T>> action, CancellationToken cancellationToken)
    {
        try
        {
            return await _retry.ExecuteAsync(async ct => await action(ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        }
        catch (NpgsqlException ex) when (!cancellationToken.IsCancellationRequested)
        {
            string state = TransientFailures.SqlStateOf(ex) is { } s ? $"SQL state {s}" : "no SQL state (the connection failed)";
            throw new PgVectorIndexException($"Could not {operation} on {_description}: {ex.Message} [{state}].", ex);
        }
    }

    private async Task RunAsync(string operation, Func<CancellationToken, Task> action, CancellationToken cancellationToken) =>
        await RunAsync<bool>(operation, async ct =>
        {
            await action(ct).ConfigureAwait(false);
            return true;
        }, cancellationToken).ConfigureAwait(false);

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

    private sealed record ServerInfo(string ServerVersion, string? VectorVersion, PgVectorBulkPath BulkPath)
    {
        public bool SupportsIterativeScan => VectorVersion is not null && System.Version.TryParse(VectorVersion, out System.Version? v) && v >= new System.Version(0, 8, 0);
    }

    private readonly record struct PreparedRecord(string Key, object Vector, string? Metadata);
}
