using Npgsql;
using NpgsqlTypes;

namespace Embeddings.PgVector;

/// <summary>
/// A collection's schema: creates it (extension, schema, tables, indexes, record) under an advisory lock, checks
/// the record against the options (dimensions, metric, storage, fingerprint), builds the ANN index later, and
/// drops it.
/// </summary>
internal sealed class PgVectorSchema(PgVectorIndexOptions options, PgVectorSql sql, string description)
{
    /// <summary>Resolves <see cref="PgVectorBulkPath.Auto"/> from <c>version()</c>: WebAssembly builds (PGlite) cannot take COPY FROM STDIN.</summary>
    /// <param name="configured">The configured path.</param>
    /// <param name="version">The server's <c>version()</c>.</param>
    /// <returns>The path to take.</returns>
    public static PgVectorBulkPath ResolveBulkPath(PgVectorBulkPath configured, string version)
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

    /// <summary>Creates the collection when allowed and absent, then checks its record and reads the server's versions.</summary>
    /// <param name="connection">An open connection.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>What was learned.</returns>
    /// <exception cref="PgVectorIndexException">The collection does not exist and may not be created.</exception>
    /// <exception cref="InvalidOperationException">The collection was created with other dimensions, metric or storage.</exception>
    /// <exception cref="EmbedderMismatchException">The collection was recorded with another embedder.</exception>
    public async Task<PgVectorCollectionState> OpenAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        if (options.CreateIfMissing)
        {
            await CreateAsync(connection, cancellationToken).ConfigureAwait(false);
        }

        (int dimensions, string metric, string storage, string? fingerprint) = await ReadRecordAsync(connection, cancellationToken).ConfigureAwait(false);
        if (dimensions != sql.Dimensions || metric != sql.MetricName || storage != sql.StorageName)
        {
            throw new InvalidOperationException(
                $"{description} was created with {dimensions} dimensions, metric {metric} and storage {storage}; these options ask for {sql.Dimensions}, {sql.MetricName} and {sql.StorageName}. Use another collection name or matching options.");
        }

        EmbedderFingerprint? recorded = null;
        if (fingerprint is not null)
        {
            recorded = EmbedderFingerprint.Parse(fingerprint);
            if (options.Fingerprint is { } configured)
            {
                recorded.EnsureCompatible(configured, description);
            }
        }
        else if (options.Fingerprint is { } configured)
        {
            // Recorded without one (created ahead of time, or by a process that had none): this process's becomes the record.
            await using var adopt = new NpgsqlCommand(sql.AdoptFingerprint, connection);
            adopt.Parameters.Add(new NpgsqlParameter { Value = options.Collection });
            adopt.Parameters.Add(new NpgsqlParameter { Value = configured.ToString() });
            await adopt.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await using var info = new NpgsqlCommand(PgVectorSql.ServerVersions, connection);
        await using NpgsqlDataReader reader = await info.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        string version = reader.GetString(0);
        string? vectorVersion = reader.IsDBNull(1) ? null : reader.GetString(1);
        return new PgVectorCollectionState(version, vectorVersion, ResolveBulkPath(options.BulkPath, version), recorded);
    }

    /// <summary>Builds the ANN index (and the binary-quantized one) when absent, in one transaction.</summary>
    /// <param name="connection">An open connection.</param>
    /// <param name="cancellationToken">Cancels the build (PostgreSQL stops when the query is cancelled).</param>
    /// <returns>A task that completes when the index is built.</returns>
    public async Task CreateAnnIndexAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await PgVectorRunner.ExecuteAllAsync(connection, transaction, sql.AnnIndexStatements(options.IndexBuildMemoryMegabytes), cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Drops the collection's table and forgets its record, in one transaction.</summary>
    /// <param name="connection">An open connection.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the collection is gone.</returns>
    public async Task DropAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var drop = new NpgsqlCommand(sql.DropTable, connection, transaction))
        {
            await drop.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await using (var forget = new NpgsqlCommand(sql.ForgetCollection, connection, transaction))
        {
            forget.Parameters.Add(new NpgsqlParameter { Value = options.Collection });
            try
            {
                await forget.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UndefinedTable)
            {
                // Nothing was ever created: nothing to forget.
            }
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task CreateAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

        // Processes starting together would otherwise race on CREATE EXTENSION / CREATE TABLE.
        await using (var lockCommand = new NpgsqlCommand(PgVectorSql.AdvisoryLock, connection, transaction))
        {
            lockCommand.Parameters.Add(new NpgsqlParameter { Value = options.Schema + "." + options.Collection });
            await lockCommand.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await PgVectorRunner.ExecuteAllAsync(connection, transaction, sql.SchemaStatements(options.CreateAnnIndex), cancellationToken).ConfigureAwait(false);
        await using (var record = new NpgsqlCommand(sql.InsertCollectionRecord, connection, transaction))
        {
            record.Parameters.Add(new NpgsqlParameter { Value = options.Collection });
            record.Parameters.Add(new NpgsqlParameter { Value = sql.Dimensions });
            record.Parameters.Add(new NpgsqlParameter { Value = sql.MetricName });
            record.Parameters.Add(new NpgsqlParameter { Value = sql.StorageName });
            record.Parameters.Add(new NpgsqlParameter { Value = (object?)options.Fingerprint?.ToString() ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
            await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<(int Dimensions, string Metric, string Storage, string? Fingerprint)> ReadRecordAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        try
        {
            await using var read = new NpgsqlCommand(sql.ReadCollectionRecord, connection);
            read.Parameters.Add(new NpgsqlParameter { Value = options.Collection });
            await using NpgsqlDataReader reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                throw new PgVectorIndexException($"{description} does not exist. Run the migration (PgVectorIndex.GetMigrationScript or MigrateAsync with CreateIfMissing on) first.");
            }

            return (reader.GetInt32(0), reader.GetString(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3));
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            throw new PgVectorIndexException($"{description} does not exist ({ex.MessageText}). Run the migration (PgVectorIndex.GetMigrationScript, or MigrateAsync with CreateIfMissing on) first.", ex);
        }
    }
}
