namespace Embeddings.Indexing.Internal;

/// <summary>
/// Per-thread working memory for graph and flat searches: a generation-stamped visited set (cleared by bumping
/// the generation, not by zeroing), the candidate and result heaps, and buffers for the query and the
/// neighbour-selection heuristic. Pooled in a thread-static so a search allocates nothing.
/// </summary>
internal sealed class SearchScratch
{
    [ThreadStatic]
    private static SearchScratch? t_current;

    private ushort[] _visited = [];
    private ushort _generation;

    public NeighborHeap Results { get; } = new();

    public NeighborHeap Candidates { get; } = new();

    public float[] Query { get; private set; } = [];

    public HeapEntry[] Sorted { get; private set; } = new HeapEntry[64];

    public HeapEntry[] Selected { get; private set; } = new HeapEntry[64];

    public HeapEntry[] NeighborSorted { get; private set; } = new HeapEntry[64];

    public HeapEntry[] NeighborSelected { get; private set; } = new HeapEntry[64];

    public int[] Ids { get; private set; } = new int[256];

    /// <summary>Gets the unvisited neighbours of the node a graph walk expands, gathered before their distances.</summary>
    public int[] Gathered { get; private set; } = new int[64];

    /// <summary>Gets the distances to <see cref="Gathered"/>.</summary>
    public float[] GatheredDistances { get; private set; } = new float[64];

    public void EnsureGatherCapacity(int count)
    {
        if (Gathered.Length < count)
        {
            Gathered = new int[count];
            GatheredDistances = new float[count];
        }
    }

    public int[] HopIds { get; private set; } = new int[64];

    public void EnsureIdCapacity(int count, int hops)
    {
        if (Ids.Length < count)
        {
            Ids = new int[Math.Max(count, Ids.Length * 2)];
        }

        if (HopIds.Length < hops)
        {
            HopIds = new int[Math.Max(hops, HopIds.Length * 2)];
        }
    }

    /// <summary>Gets this thread's scratch, sized for <paramref name="slots"/> nodes and <paramref name="dimensions"/>.</summary>
    public static SearchScratch Rent(int slots, int dimensions)
    {
        SearchScratch scratch = t_current ??= new SearchScratch();
        if (scratch._visited.Length < slots)
        {
            scratch._visited = new ushort[Math.Max(slots, scratch._visited.Length * 2)];
            scratch._generation = 0;
        }

        if (scratch.Query.Length < dimensions)
        {
            scratch.Query = new float[dimensions];
        }

        return scratch;
    }

    public void EnsureSelectionCapacity(int count)
    {
        if (Sorted.Length < count)
        {
            int size = Math.Max(count, Sorted.Length * 2);
            Sorted = new HeapEntry[size];
            Selected = new HeapEntry[size];
            NeighborSorted = new HeapEntry[size];
            NeighborSelected = new HeapEntry[size];
        }
    }

    /// <summary>Starts a new visit: every node becomes unvisited.</summary>
    public void NewVisit()
    {
        // Two-byte stamps (as hnswlib) halve the visited set's cache footprint; it is cleared every 65,535 visits.
        if (++_generation == ushort.MaxValue)
        {
            Array.Clear(_visited);
            _generation = 1;
        }
    }

    /// <summary>Marks <paramref name="id"/> visited; returns false when it already was.</summary>
    public bool TryVisit(int id)
    {
        ref ushort stamp = ref _visited[id];
        if (stamp == _generation)
        {
            return false;
        }

        stamp = _generation;
        return true;
    }
}
