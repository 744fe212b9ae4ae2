namespace Embeddings.PgVector;

/// <summary>
/// pgvector's iterative index scans (0.8.0 and later) for filtered searches: when the filter rejects most of the
/// candidates an index scan yields, the scan continues instead of returning fewer than <c>k</c> rows.
/// </summary>
public enum PgVectorIterativeScan
{
    /// <summary>Never turned on.</summary>
    Off = 0,

    /// <summary><c>strict_order</c>: results stay exactly ordered by distance (HNSW only; IVFFlat falls back to <see cref="RelaxedOrder"/>).</summary>
    StrictOrder = 1,

    /// <summary><c>relaxed_order</c>: faster; the results are re-sorted by distance before they are returned.</summary>
    RelaxedOrder = 2,
}
