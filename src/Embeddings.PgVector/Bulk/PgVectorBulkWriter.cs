using System.Collections.ObjectModel;
using System.Diagnostics;
using Embeddings.Indexing.Internal;
using Npgsql;
using NpgsqlTypes;

namespace Embeddings.PgVector;

/// <summary>
/// Checks records and writes them in batches, each one transaction retried whole: over binary COPY into a
/// temporary staging table merged with an upsert, or over multi-row upserts sent as one <see cref="NpgsqlBatch"/>.
/// </summary>
internal sealed class PgVectorBulkWriter(PgVectorRunner runner, PgVectorSql sql, PgVectorIndexOptions options)
{
    /// <summary>Checks a record with the rules every index applies, and PostgreSQL's own, then puts it in the form it travels in.</summary>
    /// <param name="record">The record.</param>
    /// <param name="position">Its position, for messages.</param>
    /// <param name="keys">The keys met so far in its batch.</param>
    /// <returns>The prepared record.</returns>
    /// <exception cref="ArgumentException">The record is invalid; the message names it.</exception>
    public PreparedRecord Prepare(VectorRecord? record, long position, ISet<string> keys)
    {
        RecordValidation.CheckRecord(record, position, sql.Dimensions, keys, "records");
        IReadOnlyDictionary<string, object?>? metadata = RecordValidation.NormalizeMetadata(record!.Metadata, record.Key);
        PostgresText.CheckRecord(record.Key, position, metadata, "records");

        // Empty metadata is stored as {} rather than NULL, as before validation was shared.
        string? json = record.Metadata is null ? null : MetadataJson.Serialize(metadata ?? ReadOnlyDictionary<string, object?>.Empty, record.Key);
        return new PreparedRecord(record.Key, VectorValues.ToValue(record.Vector, options.StorageType), json);
    }

    /// <summary>Prepares records lazily, as a load reads them; keys need be unique within a batch only.</summary>
    /// <param name="records">The records.</param>
    /// <returns>The prepared records.</returns>
    public IEnumerable<PreparedRecord> PrepareEach(IEnumerable<VectorRecord> records)
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        long position = 0;
        foreach (VectorRecord record in records)
        {
            if (position % options.BatchSize == 0)
            {
                keys.Clear();
            }

            yield return Prepare(record, position, keys);
            position++;
        }
    }

    /// <summary>Writes the records in batches of <see cref="PgVectorIndexOptions.BatchSize"/>.</summary>
    /// <param name="records">The prepared records, read once.</param>
    /// <param name="path">The resolved bulk path.</param>
    /// <param name="progress">Receives progress after every committed batch; may be <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels between or inside batches; committed batches stay.</param>
    /// <returns>What was loaded.</returns>
    /// <exception cref="PgVectorIndexException">A batch failed after its retries.</exception>
    public async Task<PgVectorBulkResult> WriteAsync(IEnumerable<PreparedRecord> records, PgVectorBulkPath path, IProgress<PgVectorBulkProgress>? progress, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var batch = new List<PreparedRecord>(options.BatchSize);
        long committed = 0;
        int batches = 0;
        int retries = 0;

        async Task FlushAsync()
        {
            int attempts = await WriteBatchAsync(batch, path, committed, batches, cancellationToken).ConfigureAwait(false);
            retries += attempts - 1;
            committed += batch.Count;
            batches++;
            batch.Clear();
            progress?.Report(new PgVectorBulkProgress(committed, batches, watch.Elapsed, path));
        }

        using IEnumerator<PreparedRecord> enumerator = records.GetEnumerator();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!enumerator.MoveNext())
            {
                break;
            }

            batch.Add(enumerator.Current);
            if (batch.Count == options.BatchSize)
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

    private static string PathName(PgVectorBulkPath path) => path == PgVectorBulkPath.Copy ? "binary COPY" : "batched INSERT";

    /// <summary>Writes one batch under the retry pipeline and returns how many attempts it took.</summary>
    private async Task<int> WriteBatchAsync(List<PreparedRecord> batch, PgVectorBulkPath path, long committed, int batches, CancellationToken cancellationToken)
    {
        int attempts = 0;
        try
        {
            await runner.Retry.ExecuteAsync(
                async ct =>
                {
                    attempts++;
                    await using NpgsqlConnection connection = await runner.OpenAsync(ct).ConfigureAwait(false);
                    await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
                    if (path == PgVectorBulkPath.Copy)
                    {
                        await WriteByCopyAsync(batch, connection, transaction, ct).ConfigureAwait(false);
                    }
                    else
                    {
                        await WriteByInsertsAsync(batch, connection, transaction, ct).ConfigureAwait(false);
                    }

                    await transaction.CommitAsync(ct).ConfigureAwait(false);
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException && ex is not ArgumentException)
        {
            throw new PgVectorIndexException(
                $"Loading {runner.Description} failed at batch {batches + 1} (records {committed + 1}..{committed + batch.Count}) after {attempts} attempt(s) over the {PathName(path)} path: {ex.Message} [{PgVectorRunner.StateOf(ex)}]. " +
                $"{committed} record(s) in {batches} batch(es) were committed; none of the failing batch is visible. Upserts are idempotent: run the load again to complete it.",
                ex,
                committed,
                attempts);
        }

        return attempts;
    }

    private async Task WriteByInsertsAsync(List<PreparedRecord> batch, NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        await using var npgsqlBatch = new NpgsqlBatch(connection, transaction) { Timeout = 0 };
        int perStatement = options.RowsPerInsertStatement;
        for (int start = 0; start < batch.Count; start += perStatement)
        {
            int rows = Math.Min(perStatement, batch.Count - start);
            var command = new NpgsqlBatchCommand(sql.Insert(rows));
            for (int i = start; i < start + rows; i++)
            {
                PreparedRecord record = batch[i];
                command.Parameters.Add(new NpgsqlParameter { Value = record.Key, NpgsqlDbType = NpgsqlDbType.Text });
                command.Parameters.Add(VectorValues.Parameter(record.Vector, options.StorageType));
                command.Parameters.Add(new NpgsqlParameter { Value = (object?)record.Metadata ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Jsonb });
            }

            npgsqlBatch.BatchCommands.Add(command);
        }

        await npgsqlBatch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task WriteByCopyAsync(List<PreparedRecord> batch, NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        await using (var create = new NpgsqlCommand(sql.CreateStage, connection, transaction))
        {
            await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        NpgsqlDbType vectorType = VectorValues.WireType(options.StorageType);
        await using (NpgsqlBinaryImporter importer = await connection.BeginBinaryImportAsync(sql.CopyIntoStage, cancellationToken).ConfigureAwait(false))
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

        await using var merge = new NpgsqlCommand(sql.MergeStage, connection, transaction) { CommandTimeout = 0 };
        await merge.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
