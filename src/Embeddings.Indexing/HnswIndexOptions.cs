namespace Embeddings;

/// <summary>Parameters of an <see cref="HnswIndex"/>.</summary>
public sealed class HnswIndexOptions
{
    /// <summary>Gets or sets M, the number of neighbours each node keeps per upper layer (2M on layer 0). Default: 16.</summary>
    public int M { get; set; } = 16;

    /// <summary>Gets or sets the size of the candidate list while inserting; larger builds slower and searches better. Default: 200.</summary>
    public int EfConstruction { get; set; } = 200;

    /// <summary>Gets or sets the default search effort (candidate list size); a search uses at least k. Default: 64.</summary>
    public int EfSearch { get; set; } = 64;

    /// <summary>
    /// Gets or sets the seed of the level generator, or <see langword="null"/> for a random one. With a seed, the
    /// same inserts in the same order on one thread build the same graph. Default: <see langword="null"/>.
    /// </summary>
    public int? Seed { get; set; }

    /// <summary>Gets or sets how many nodes the index has room for before it grows (it doubles when full). Default: 1024.</summary>
    public int InitialCapacity { get; set; } = 1024;

    /// <summary>
    /// Gets or sets the number of admitted records at or below which a filtered search scans the admitted records
    /// exactly instead of walking the graph (the count is estimated from a sample of the index). Default: 2048.
    /// </summary>
    public int FilteredExactSearchThreshold { get; set; } = 2048;

    /// <summary>
    /// Gets or sets whether inserts reuse the slots of removed records (writing the new vector there and repairing
    /// the neighbourhood). When false, removed records stay as tombstones that route searches, and memory grows with
    /// every insert. Default: <see langword="true"/>.
    /// </summary>
    public bool ReuseRemovedSlots { get; set; } = true;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(M, 2, nameof(M));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(M, 1024, nameof(M));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(EfConstruction, nameof(EfConstruction));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(EfSearch, nameof(EfSearch));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(InitialCapacity, nameof(InitialCapacity));
        ArgumentOutOfRangeException.ThrowIfNegative(FilteredExactSearchThreshold, nameof(FilteredExactSearchThreshold));
    }
}
