using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Embeddings.Indexing.Internal;

/// <summary>Which live nodes a graph search may return; a struct so the walk is specialized per filter kind.</summary>
internal interface INodeAdmission
{
    /// <summary>Returns whether the live node <paramref name="id"/> may be a result.</summary>
    bool Admits(int id);
}

/// <summary>Admits every live node: the unfiltered search.</summary>
internal readonly struct AdmitAllNodes : INodeAdmission
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Admits(int id) => true;
}

/// <summary>
/// The HNSW graph on int ids, in the shape of hnswlib's <c>hnswalg.h</c>: vectors in one id-indexed array, layer-0
/// neighbour lists in one flat int array (element 0 of each list is its count), upper layers per node, a state
/// stamp and a spin lock per node. It knows nothing of keys or metadata; the caller allocates ids and grows it.
/// </summary>
/// <remarks>
/// Concurrency: <see cref="Insert"/>, <see cref="Reconnect"/> and <see cref="Search{TAdmission}"/> run in parallel;
/// each neighbour list has its own lock, taken by writers only. <see cref="Resize"/> must run alone.
/// </remarks>
internal sealed partial class HnswGraph
{
    /// <summary>The low bits of a stamp: the node's state. The rest is a generation bumped each time the id is reused.</summary>
    public const int StateMask = 3;
    public const int StateInserting = 0;
    public const int StateLive = 1;
    public const int StateDeleted = 2;
    public const int GenerationStep = 4;
    public const int MaxLevel = 30;

    /// <summary>The most cache lines of one vector the walk prefetches; the hardware prefetcher streams the rest.</summary>
    private const int PrefetchLineLimit = 8;

    private readonly int _m;
    private readonly int _maxM0;
    private readonly int _efConstruction;
    private readonly int _stride0;
    private readonly int _strideUpper;
    private readonly int _dims;
    private readonly DistanceMetric _metric;
    private readonly double _levelMultiplier;
    private readonly Random _levelRandom;
    private readonly Lock _randomLock = new();
    private readonly Lock _entryLock = new();

    private float[] _vectors;
    private int[] _links0;
    private int[]?[] _upper;
    private sbyte[] _levels;
    private int[] _stamps;
    private int[] _locks;
    private int _capacity;
    private long _entry = PackEntry(-1, -1);

    public HnswGraph(int dimensions, DistanceMetric metric, int m, int efConstruction, int? seed, int capacity)
    {
        _m = m;
        _maxM0 = 2 * m;
        _efConstruction = Math.Max(efConstruction, m);
        _stride0 = _maxM0 + 1;
        _strideUpper = _m + 1;
        _dims = dimensions;
        _metric = metric;
        _levelMultiplier = 1 / Math.Log(m);
        _levelRandom = seed is int s ? new Random(s) : new Random();
        _capacity = capacity;
        _vectors = new float[checked(capacity * _dims)];
        _links0 = new int[checked(capacity * _stride0)];
        _upper = new int[]?[capacity];
        _levels = new sbyte[capacity];
        _stamps = new int[capacity];
        _locks = new int[capacity];
    }

    public int M => _m;

    public int MaxM0 => _maxM0;

    public int EfConstruction => _efConstruction;

    public int Capacity => Volatile.Read(ref _capacity);

    /// <summary>Gets the most nodes any graph of these dimensions holds (the arrays' length limit).</summary>
    public long CapacityLimit => Array.MaxLength / Math.Max(_dims, _stride0);

    /// <summary>Gets the entry point and the top level; (-1, -1) while the graph is empty.</summary>
    public (int Entry, int MaxLevel) EntryPoint => UnpackEntry(Interlocked.Read(ref _entry));

    /// <summary>Gets the vectors, <c>Dimensions</c> floats per id; the caller writes a node's vector before inserting it.</summary>
    public float[] Vectors => _vectors;

    /// <summary>Gets the layer-0 lists, <c>2M + 1</c> ints per id (count first).</summary>
    public int[] Layer0 => _links0;

    /// <summary>Gets each node's top level.</summary>
    public sbyte[] Levels => _levels;

    /// <summary>Gets each node's upper lists, <c>M + 1</c> ints per level above 0, or null for a level-0 node.</summary>
    public int[]?[] Upper => _upper;

    /// <summary>Gets each node's stamp (state and generation); read and written with <see cref="Volatile"/>.</summary>
    public int[] Stamps => _stamps;

    /// <summary>Sets the entry point of a graph read from a file.</summary>
    public void SetEntryPoint(int entry, int maxLevel) => Interlocked.Exchange(ref _entry, PackEntry(entry, maxLevel));

    /// <summary>Grows every per-node array to <paramref name="capacity"/>; nothing else may run meanwhile.</summary>
    public void Resize(int capacity)
    {
        Array.Resize(ref _vectors, capacity * _dims);
        Array.Resize(ref _links0, capacity * _stride0);
        Array.Resize(ref _upper, capacity);
        Array.Resize(ref _levels, capacity);
        Array.Resize(ref _stamps, capacity);
        Array.Resize(ref _locks, capacity);
        Volatile.Write(ref _capacity, capacity);
    }

    /// <summary>Gets the bytes held for the first <paramref name="allocated"/> ids: vectors, lists and per-node state.</summary>
    public long AllocatedBytes(int allocated)
    {
        long upper = 0;
        for (int i = 0; i < allocated; i++)
        {
            if (_upper[i] is int[] links)
            {
                upper += 24 + (links.Length * 4L);
            }
        }

        return ((long)_vectors.Length * 4) + ((long)_links0.Length * 4) + ((long)_capacity * (8 + 1 + 4 + 4)) + upper;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool IsDeleted(int id) => (Volatile.Read(ref _stamps[id]) & StateMask) == StateDeleted;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Distance(ref float query, int id) => IndexKernels.Distance(_metric, ref query, ref VectorRef(id), _dims);

    /// <summary>Links a new node, whose vector is written, at a random level (hnswlib's addPoint).</summary>
    public void Insert(int id)
    {
        int level = RandomLevel();
        _levels[id] = (sbyte)level;
        _links0[id * _stride0] = 0;
        Volatile.Write(ref _upper[id], level > 0 ? new int[level * _strideUpper] : null);
        ref float vector = ref VectorRef(id);
        SearchScratch scratch = SearchScratch.Rent(_capacity, _dims);
        scratch.EnsureSelectionCapacity(Math.Max(_efConstruction, _maxM0) + 2);

        // As in hnswlib, an insert that raises the top level holds the entry lock throughout, so two such
        // inserts cannot both think they are the new entry point.
        bool holdsEntry = true;
        _entryLock.Enter();
        try
        {
            (int entry, int maxLevel) = EntryPoint;
            if (entry < 0)
            {
                Interlocked.Exchange(ref _entry, PackEntry(id, level));
                return;
            }

            if (level <= maxLevel)
            {
                _entryLock.Exit();
                holdsEntry = false;
            }

            DescendAndConnect(ref vector, id, level, entry, maxLevel, scratch);

            if (level > maxLevel)
            {
                Interlocked.Exchange(ref _entry, PackEntry(id, level));
            }
        }
        finally
        {
            if (holdsEntry)
            {
                _entryLock.Exit();
            }
        }
    }

    /// <summary>
    /// The query path (hnswlib's searchBaseLayerST): greedy through the upper layers, then a beam of width
    /// <paramref name="ef"/> on layer 0. Leaves up to <paramref name="ef"/> live, admitted nodes in <c>scratch.Results</c>.
    /// </summary>
    /// <remarks>
    /// <c>stopEarly</c> lets the walk stop at the first candidate beyond the bound before ef results are in: with
    /// tombstones or a filter, results fill more slowly than candidates, so the caller passes it only without either.
    /// </remarks>
    public void Search<TAdmission>(ReadOnlySpan<float> query, int ef, bool stopEarly, TAdmission admission, SearchScratch scratch)
        where TAdmission : struct, INodeAdmission
    {
        switch (_metric)
        {
            case DistanceMetric.Cosine or DistanceMetric.DotProduct:
                Search<NegativeDotDistance, TAdmission>(query, ef, stopEarly, admission, scratch);
                break;
            case DistanceMetric.Euclidean or DistanceMetric.EuclideanSquared:
                Search<SquaredL2Distance, TAdmission>(query, ef, stopEarly, admission, scratch);
                break;
            default:
                Search<ManhattanDistance, TAdmission>(query, ef, stopEarly, admission, scratch);
                break;
        }
    }

    private void Search<TDistance, TAdmission>(ReadOnlySpan<float> query, int ef, bool stopEarly, TAdmission admission, SearchScratch scratch)
        where TDistance : struct, IIndexDistance
        where TAdmission : struct, INodeAdmission
    {
        NeighborHeap results = scratch.Results;
        NeighborHeap candidates = scratch.Candidates;
        results.Clear();
        candidates.Clear();
        (int entry, int maxLevel) = EntryPoint;
        if (entry < 0)
        {
            return;
        }

        int dims = _dims;
        ref float q = ref MemoryMarshal.GetReference(query);
        ref float vectors = ref MemoryMarshal.GetArrayDataReference(_vectors);
        int current = Descend<TDistance>(ref q, entry, maxLevel, 0, out float currentDistance);

        ref int links = ref MemoryMarshal.GetArrayDataReference(_links0);
        ref int stamps = ref MemoryMarshal.GetArrayDataReference(_stamps);
        int stride = _stride0;
        int maxM0 = _maxM0;
        int prefetchLines = Math.Min(((dims * sizeof(float)) + 63) / 64, PrefetchLineLimit);
        scratch.EnsureGatherCapacity(maxM0);
        int[] gatheredIds = scratch.Gathered;
        float[] gatheredDistances = scratch.GatheredDistances;
        ref int gathered = ref MemoryMarshal.GetArrayDataReference(gatheredIds);
        ref float distances = ref MemoryMarshal.GetArrayDataReference(gatheredDistances);
        scratch.NewVisit();
        scratch.TryVisit(current);
        float lowerBound = float.PositiveInfinity;
        if (IsLive(ref stamps, current) && admission.Admits(current))
        {
            results.Push(currentDistance, current);
            lowerBound = currentDistance;
        }

        candidates.Push(-currentDistance, current);
        while (candidates.Count > 0)
        {
            float candidateDistance = -candidates.TopDistance;
            if (candidateDistance > lowerBound && (results.Count == ef || stopEarly))
            {
                break;
            }

            int node = candidates.Pop().Id;
            ref int list = ref Unsafe.Add(ref links, (nint)node * stride);
            int n = Math.Min(Volatile.Read(ref list), maxM0);

            // Gather the unvisited neighbours and ask for their vectors first, then take all distances in one pass:
            // the rows' cache misses overlap instead of each stalling its own distance.
            int count = 0;
            for (int j = 1; j <= n; j++)
            {
                int neighbor = Unsafe.Add(ref list, j);
                if (scratch.TryVisit(neighbor))
                {
                    Unsafe.Add(ref gathered, count++) = neighbor;
                    HnswKernels.Prefetch(ref Unsafe.Add(ref vectors, (nint)neighbor * dims), prefetchLines);
                }
            }

            HnswKernels.Distances<TDistance>(ref q, ref vectors, dims, gatheredIds.AsSpan(0, count), gatheredDistances.AsSpan(0, count));
            for (int j = 0; j < count; j++)
            {
                float d = Unsafe.Add(ref distances, j);
                if (results.Count < ef || d < lowerBound)
                {
                    int neighbor = Unsafe.Add(ref gathered, j);
                    candidates.Push(-d, neighbor);
                    if (IsLive(ref stamps, neighbor) && admission.Admits(neighbor))
                    {
                        results.Push(d, neighbor);
                        if (results.Count > ef)
                        {
                            results.Pop();
                        }
                    }

                    if (results.Count > 0)
                    {
                        lowerBound = results.TopDistance;
                    }
                }
            }
        }
    }

    private static long PackEntry(int entry, int maxLevel) => ((long)maxLevel << 32) | (uint)entry;

    private static (int Entry, int MaxLevel) UnpackEntry(long packed) => ((int)packed, (int)(packed >> 32));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsLive(ref int stamps, int id) => (Volatile.Read(ref Unsafe.Add(ref stamps, id)) & StateMask) == StateLive;

    private int RandomLevel()
    {
        double u;
        lock (_randomLock)
        {
            u = _levelRandom.NextDouble();
        }

        return (int)Math.Min(-Math.Log(1 - u) * _levelMultiplier, MaxLevel);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ref float VectorRef(int id) => ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_vectors), (nint)id * _dims);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private float Distance(int a, int b) => IndexKernels.Distance(_metric, ref VectorRef(a), ref VectorRef(b), _dims);

    /// <summary>The neighbour list of <paramref name="id"/> on <paramref name="level"/>: element 0 is the count. Empty when the node has no such level (yet).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Span<int> Links(int id, int level)
    {
        if (level == 0)
        {
            return _links0.AsSpan(id * _stride0, _stride0);
        }

        int[]? upper = Volatile.Read(ref _upper[id]);
        int offset = (level - 1) * _strideUpper;
        return upper is not null && offset + _strideUpper <= upper.Length ? upper.AsSpan(offset, _strideUpper) : Span<int>.Empty;
    }

    private void LockNode(int id)
    {
        ref int gate = ref _locks[id];
        if (Interlocked.CompareExchange(ref gate, 1, 0) != 0)
        {
            var spinner = default(SpinWait);
            while (Interlocked.CompareExchange(ref gate, 1, 0) != 0)
            {
                spinner.SpinOnce();
            }
        }
    }

    private void UnlockNode(int id) => Volatile.Write(ref _locks[id], 0);

    /// <summary>Greedy descent from the entry point down to <paramref name="level"/>, then a beam search and linking on every layer the node lives on.</summary>
    private void DescendAndConnect(ref float vector, int id, int level, int entry, int maxLevel, SearchScratch scratch)
    {
        int current = entry;
        if (level < maxLevel)
        {
            current = _metric switch
            {
                DistanceMetric.Cosine or DistanceMetric.DotProduct => Descend<NegativeDotDistance>(ref vector, entry, maxLevel, level, out _),
                DistanceMetric.Euclidean or DistanceMetric.EuclideanSquared => Descend<SquaredL2Distance>(ref vector, entry, maxLevel, level, out _),
                _ => Descend<ManhattanDistance>(ref vector, entry, maxLevel, level, out _),
            };
        }

        for (int l = Math.Min(level, maxLevel); l >= 0; l--)
        {
            SearchLayer(ref vector, current, l, _efConstruction, id, scratch);
            if (scratch.Results.Count == 0)
            {
                continue;
            }

            current = Connect(id, l, scratch);
        }
    }

    /// <summary>
    /// Greedy descent from <paramref name="entry"/> on layer <paramref name="top"/> down to layer
    /// <paramref name="bottom"/> + 1: on each layer, moves to any closer neighbour until none is closer. Inserts and
    /// queries share it.
    /// </summary>
    /// <returns>The node reached; <paramref name="distance"/> is its distance to <paramref name="vector"/>.</returns>
    private int Descend<TDistance>(ref float vector, int entry, int top, int bottom, out float distance)
        where TDistance : struct, IIndexDistance
    {
        int dims = _dims;
        ref float vectors = ref MemoryMarshal.GetArrayDataReference(_vectors);
        int current = entry;
        distance = TDistance.Compute(ref vector, ref Unsafe.Add(ref vectors, (nint)current * dims), dims);
        for (int level = top; level > bottom; level--)
        {
            bool changed = true;
            while (changed)
            {
                changed = false;
                Span<int> list = Links(current, level);
                if (list.IsEmpty)
                {
                    break;
                }

                int n = Math.Min(Volatile.Read(ref list[0]), _m);
                for (int j = 1; j <= n; j++)
                {
                    int candidate = list[j];
                    float d = TDistance.Compute(ref vector, ref Unsafe.Add(ref vectors, (nint)candidate * dims), dims);
                    if (d < distance)
                    {
                        distance = d;
                        current = candidate;
                        changed = true;
                    }
                }
            }
        }

        return current;
    }

    /// <summary>Construction-time beam search on one layer; leaves up to <paramref name="ef"/> non-deleted nodes other than <paramref name="exclude"/> in <c>scratch.Results</c>.</summary>
    private void SearchLayer(ref float vector, int entry, int level, int ef, int exclude, SearchScratch scratch)
    {
        NeighborHeap results = scratch.Results;
        NeighborHeap candidates = scratch.Candidates;
        results.Clear();
        candidates.Clear();
        scratch.NewVisit();
        int limit = level == 0 ? _maxM0 : _m;

        float d0 = Distance(ref vector, entry);
        float lowerBound = float.PositiveInfinity;
        if (entry != exclude && !IsDeleted(entry))
        {
            results.Push(d0, entry);
            lowerBound = d0;
        }

        candidates.Push(-d0, entry);
        scratch.TryVisit(entry);
        while (candidates.Count > 0)
        {
            float candidateDistance = -candidates.TopDistance;
            if (candidateDistance > lowerBound && results.Count == ef)
            {
                break;
            }

            int current = candidates.Pop().Id;
            Span<int> list = Links(current, level);
            if (list.IsEmpty)
            {
                continue;
            }

            int n = Math.Min(Volatile.Read(ref list[0]), limit);
            for (int j = 1; j <= n; j++)
            {
                int neighbor = list[j];
                if (!scratch.TryVisit(neighbor))
                {
                    continue;
                }

                float d = Distance(ref vector, neighbor);
                if (results.Count < ef || d < lowerBound)
                {
                    candidates.Push(-d, neighbor);
                    if (neighbor != exclude && !IsDeleted(neighbor))
                    {
                        results.Push(d, neighbor);
                        if (results.Count > ef)
                        {
                            results.Pop();
                        }
                    }

                    if (results.Count > 0)
                    {
                        lowerBound = results.TopDistance;
                    }
                }
            }
        }
    }

    /// <summary>
    /// Links <paramref name="id"/> to the heuristic's choice among <c>scratch.Results</c> on <paramref name="level"/>,
    /// and each chosen node back to it (re-running the heuristic on a full list). Returns the closest chosen node.
    /// </summary>
    private int Connect(int id, int level, SearchScratch scratch)
    {
        int limit = level == 0 ? _maxM0 : _m;
        int sorted = scratch.Results.DrainAscending(scratch.Sorted);
        int selected = SelectNeighbors(scratch.Sorted, sorted, _m, scratch.Selected);
        HeapEntry[] chosen = scratch.Selected;
        MergeOwnLinks(id, level, limit, chosen, selected, scratch);

        for (int i = 0; i < selected; i++)
        {
            int neighbor = chosen[i].Id;
            LockNode(neighbor);
            try
            {
                Span<int> list = Links(neighbor, level);
                if (list.IsEmpty)
                {
                    continue;
                }

                int n = Math.Min(list[0], limit);
                if (list.Slice(1, n).Contains(id))
                {
                    continue;
                }

                if (n < limit)
                {
                    list[n + 1] = id;
                    Volatile.Write(ref list[0], n + 1);
                    continue;
                }

                HeapEntry[] pool = scratch.NeighborSorted;
                pool[0] = new HeapEntry(Distance(neighbor, id), id);
                int count = 1;
                for (int j = 1; j <= n; j++)
                {
                    int other = list[j];
                    pool[count++] = new HeapEntry(Distance(neighbor, other), other);
                }

                InsertionSort(pool.AsSpan(0, count));
                int kept = SelectNeighbors(pool, count, limit, scratch.NeighborSelected);
                for (int j = 0; j < kept; j++)
                {
                    list[j + 1] = scratch.NeighborSelected[j].Id;
                }

                Volatile.Write(ref list[0], kept);
            }
            finally
            {
                UnlockNode(neighbor);
            }
        }

        return selected > 0 ? chosen[0].Id : scratch.Sorted[0].Id;
    }

    /// <summary>
    /// Writes a new node's neighbour list on <paramref name="level"/> without losing links other inserts added
    /// meanwhile: once the node is linked on a higher level, a concurrent insert can reach it, find its lower list
    /// still empty, and append itself there; overwriting would orphan that insert.
    /// </summary>
    private void MergeOwnLinks(int id, int level, int limit, HeapEntry[] chosen, int selected, SearchScratch scratch)
    {
        LockNode(id);
        try
        {
            Span<int> list = Links(id, level);
            if (list.IsEmpty)
            {
                return;
            }

            int existing = Math.Min(list[0], limit);
            HeapEntry[] pool = scratch.NeighborSorted;
            Array.Copy(chosen, pool, selected);
            int count = selected;
            for (int j = 1; j <= existing; j++)
            {
                int other = list[j];
                if (!chosen.AsSpan(0, selected).ContainsId(other))
                {
                    pool[count++] = new HeapEntry(Distance(id, other), other);
                }
            }

            HeapEntry[] final = pool;
            if (count > limit)
            {
                InsertionSort(pool.AsSpan(0, count));
                count = SelectNeighbors(pool, count, limit, scratch.NeighborSelected);
                final = scratch.NeighborSelected;
            }

            for (int j = 0; j < count; j++)
            {
                list[j + 1] = final[j].Id;
            }

            Volatile.Write(ref list[0], count);
        }
        finally
        {
            UnlockNode(id);
        }
    }

    /// <summary>
    /// hnswlib's getNeighborsByHeuristic2: walking candidates from the closest, keep one only if it is closer to the
    /// base than to every one already kept, so the kept neighbours point in different directions.
    /// </summary>
    private int SelectNeighbors(HeapEntry[] ascending, int count, int limit, HeapEntry[] selected)
    {
        if (count < limit)
        {
            Array.Copy(ascending, selected, count);
            return count;
        }

        int kept = 0;
        for (int i = 0; i < count && kept < limit; i++)
        {
            HeapEntry candidate = ascending[i];
            bool good = true;
            for (int j = 0; j < kept; j++)
            {
                if (Distance(candidate.Id, selected[j].Id) < candidate.Distance)
                {
                    good = false;
                    break;
                }
            }

            if (good)
            {
                selected[kept++] = candidate;
            }
        }

        return kept;
    }

    private static void InsertionSort(Span<HeapEntry> entries)
    {
        for (int i = 1; i < entries.Length; i++)
        {
            HeapEntry item = entries[i];
            int j = i - 1;
            while (j >= 0 && entries[j].Distance > item.Distance)
            {
                entries[j + 1] = entries[j];
                j--;
            }

            entries[j + 1] = item;
        }
    }
}
