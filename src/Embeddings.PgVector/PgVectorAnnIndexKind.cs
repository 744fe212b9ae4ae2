namespace Embeddings.PgVector;

/// <summary>The approximate nearest-neighbour index built over a collection's vectors.</summary>
public enum PgVectorAnnIndexKind
{
    /// <summary>No ANN index: every search is an exact scan.</summary>
    None = 0,

    /// <summary>HNSW (<c>m</c>, <c>ef_construction</c>; searched with <c>hnsw.ef_search</c>).</summary>
    Hnsw = 1,

    /// <summary>IVFFlat (<c>lists</c>; searched with <c>ivfflat.probes</c>). Build it after loading, since it clusters the rows present.</summary>
    IvfFlat = 2,
}
