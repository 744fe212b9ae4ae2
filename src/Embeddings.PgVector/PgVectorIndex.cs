using System.Diagnostics;
using System.Globalization;
using Embeddings.Indexing.Internal;
using Npgsql;

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
    private readonly PgVectorRunner _runner;
    private readonly PgVectorSchema _schema;
    private readonly PgVectorBulkWriter _writer;
    private readonly SemaphoreSlim _initLock = new(1, 1);
    private volatile PgVectorCollectionState? _state;
    private EmbedderFingerprint? _fingerprint;
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
        string description = $"pgvector collection '{options.Schema}.{options.Collection}'";
        _dataSource = dataSource;
        _ownsDataSource = ownsDataSource;
        _options = options;
        _sql = new PgVectorSql(options, dimensions);
        _runner = new PgVectorRunner(dataSource, options.Retry, description);
        _schema = new PgVectorSchema(options, _sql, description);
        _writer = new PgVectorBulkWriter(_runner, _sql, options);
        _fingerprint = options.Fingerprint;
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
    public PgVectorBulkPath BulkPath => _state?.BulkPath ?? _options.BulkPath;

    private string Description => _runner.Description;

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
        return new PgVectorSql(options, options.Validate()).MigrationScript();
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
        await _runner.RunAsync("create the ANN index", _schema.CreateAnnIndexAsync, cancellationToken).ConfigureAwait(false);
        return watch.Elapsed;
    }

    /// <summary>Drops the collection's table and its record. The index is unusable afterwards until the migration runs again.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the collection is gone.</returns>
    public async Task DropAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        await _runner.RunAsync("drop the collection", _schema.DropAsync, cancellationToken).ConfigureAwait(false);
        _state = null;
    }

    /// <summary>Tells which bulk path <see cref="PgVectorBulkPath.Auto"/> resolves to on this server, without issuing COPY.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see cref="PgVectorBulkPath.Copy"/> or <see cref="PgVectorBulkPath.BatchedInsert"/>.</returns>
    public async Task<PgVectorBulkPath> DetectBulkPathAsync(CancellationToken cancellationToken = default) =>
        (await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false)).BulkPath;

    /// <inheritdoc />
    public async ValueTask<long> CountAsync(CancellationToken cancellationToken = default)
    {
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        return await _runner.RunAsync("count records", async (connection, ct) =>
        {
            await using var command = new NpgsqlCommand(_sql.Count, connection);
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
        var prepared = new PreparedRecord[records.Count];
        var keys = new HashSet<string>(records.Count, StringComparer.Ordinal);
        for (int i = 0; i < records.Count; i++)
        {
            prepared[i] = _writer.Prepare(records[i], i, keys);
        }

        if (prepared.Length == 0)
        {
            return;
        }

        await WriteAsync(prepared, source, progress: null, cancellationToken).ConfigureAwait(false);
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
        return WriteAsync(_writer.PrepareEach(records), source, progress, cancellationToken);
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
        return await _runner.RunAsync("remove records", async (connection, ct) =>
        {
            await using var command = new NpgsqlCommand(_sql.DeleteKeys, connection);
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
            throw new ArgumentException($"The query has {query.Length} dimensions; {Description} holds {Dimensions}.", nameof(query));
        }

        VectorMath.EnsureFinite(query.Span, nameof(query));
        if (options?.EfSearch is int requested)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(requested, "options.EfSearch");
        }

        if (options?.Fingerprint is { } queryFingerprint && Fingerprint is { } own)
        {
            own.EnsureCompatible(queryFingerprint, Description);
        }

        PgVectorCollectionState state = await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        if (options?.Fingerprint is { } late && Fingerprint is { } recorded)
        {
            recorded.EnsureCompatible(late, Description);
        }

        var search = new PgVectorSearch(_options, _sql, state, VectorValues.ToValue(query, _options.StorageType), k, options);
        return await _runner.RunAsync("search", search.RunAsync, cancellationToken).ConfigureAwait(false);
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

    private async Task<PgVectorBulkResult> WriteAsync(IEnumerable<PreparedRecord> records, EmbedderFingerprint? source, IProgress<PgVectorBulkProgress>? progress, CancellationToken cancellationToken)
    {
        PgVectorCollectionState state = await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);

        // Again now the recorded fingerprint is known: before the first operation only the configured one was.
        CheckSource(source);
        return await _writer.WriteAsync(records, state.BulkPath, progress, cancellationToken).ConfigureAwait(false);
    }

    private void CheckSource(EmbedderFingerprint? source)
    {
        ThrowIfDisposed();
        if (source is not null && Fingerprint is { } own)
        {
            own.EnsureCompatible(source, Description);
        }
    }

    private async Task<PgVectorCollectionState> EnsureInitializedAsync(CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        if (_state is { } ready)
        {
            return ready;
        }

        await _initLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_state is { } opened)
            {
                return opened;
            }

            PgVectorCollectionState state = await _runner.RunAsync("open the collection", _schema.OpenAsync, cancellationToken).ConfigureAwait(false);
            if (state.RecordedFingerprint is { } recorded)
            {
                Volatile.Write(ref _fingerprint, recorded);
            }

            _state = state;
            return state;
        }
        finally
        {
            _initLock.Release();
        }
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
}
