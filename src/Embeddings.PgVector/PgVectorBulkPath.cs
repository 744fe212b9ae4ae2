namespace Embeddings.PgVector;

/// <summary>How bulk upserts reach the server.</summary>
public enum PgVectorBulkPath
{
    /// <summary>
    /// Binary COPY where the server is known to take it, batched inserts otherwise. The choice is made from
    /// <c>version()</c>, without ever issuing COPY as a probe: PostgreSQL builds compiled to WebAssembly (PGlite)
    /// get batched inserts, since COPY FROM STDIN wedges them.
    /// </summary>
    Auto = 0,

    /// <summary>Binary COPY into a temporary staging table, then <c>INSERT ... ON CONFLICT DO UPDATE</c> from it.</summary>
    Copy = 1,

    /// <summary>Multi-row <c>INSERT ... ON CONFLICT DO UPDATE</c> statements sent together in one <c>NpgsqlBatch</c>.</summary>
    BatchedInsert = 2,
}
