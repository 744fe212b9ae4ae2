namespace Embeddings.PgVector;

/// <summary>Progress of a bulk upsert, reported after each committed batch.</summary>
/// <param name="CommittedRecords">Records committed so far.</param>
/// <param name="CommittedBatches">Batches (transactions) committed so far.</param>
/// <param name="Elapsed">Time since the load started.</param>
/// <param name="Path">The bulk path in use.</param>
public sealed record PgVectorBulkProgress(long CommittedRecords, int CommittedBatches, TimeSpan Elapsed, PgVectorBulkPath Path);
