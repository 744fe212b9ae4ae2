namespace Embeddings.PgVector;

/// <summary>The outcome of a completed bulk upsert.</summary>
/// <param name="Records">Records written (inserted or replaced).</param>
/// <param name="Batches">Batches (transactions) committed.</param>
/// <param name="Elapsed">Wall-clock time of the load.</param>
/// <param name="Path">The bulk path taken: <see cref="PgVectorBulkPath.Copy"/> or <see cref="PgVectorBulkPath.BatchedInsert"/>.</param>
/// <param name="Retries">Batch attempts that failed transiently and were repeated.</param>
public sealed record PgVectorBulkResult(long Records, int Batches, TimeSpan Elapsed, PgVectorBulkPath Path, int Retries)
{
    /// <summary>Gets the load rate in records per second.</summary>
    public double RecordsPerSecond => Elapsed > TimeSpan.Zero ? Records / Elapsed.TotalSeconds : 0;
}
