namespace Embeddings.PgVector;

/// <summary>What opening a collection learned: the server, the bulk path it takes, and the fingerprint on record.</summary>
/// <param name="ServerVersion">The server's <c>version()</c>.</param>
/// <param name="VectorVersion">The installed pgvector version, or <see langword="null"/>.</param>
/// <param name="BulkPath">The bulk path loads take on this server.</param>
/// <param name="RecordedFingerprint">The fingerprint the collection was recorded with, or <see langword="null"/> when none was.</param>
internal sealed record PgVectorCollectionState(string ServerVersion, string? VectorVersion, PgVectorBulkPath BulkPath, EmbedderFingerprint? RecordedFingerprint)
{
    /// <summary>Gets a value indicating whether pgvector can scan its indexes iteratively (0.8.0 and later), which filtered searches need to fill k.</summary>
    public bool SupportsIterativeScan => VectorVersion is not null && Version.TryParse(VectorVersion, out Version? v) && v >= new Version(0, 8, 0);
}
