using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Embeddings.Indexing.Internal;

namespace Embeddings;

/// <summary>
/// An approximate nearest-neighbour index on a hierarchical navigable small-world graph (Malkov and Yashunin),
/// following hnswlib's algorithm: the neighbour-selection heuristic, levels drawn with multiplier 1/ln(M),
/// vectors in one contiguous slot-indexed array and layer-0 neighbour lists in one flat int array.
/// </summary>
/// <remarks>
/// <para>Concurrency: inserts run in parallel with each other and with searches; each node's neighbour list has
/// its own spin lock, so writers only contend when they touch the same node. Searches take no node locks.
/// Growing the arrays and saving take an exclusive lock for their duration.</para>
/// <para>Removal marks the node as a tombstone: it keeps routing searches but is never returned. The next insert
/// reuses the slot: it writes the new vector there and repairs the neighbourhood (hnswlib's update path), so the
/// graph does not fill with dead nodes. Replacing a key is a removal plus an insert.</para>
/// <para>A filtered search estimates from a sample how many records the filter admits; when few are (see
/// <see cref="HnswIndexOptions.FilteredExactSearchThreshold"/>) it scans them exactly, otherwise it walks the
/// graph with a larger candidate list and returns only admitted records.</para>
/// </remarks>
public sealed partial class HnswIndex : InMemoryVectorIndex
{
    private const int FilterSampleSize = 256;

    private readonly HnswGraph _graph;
    private readonly int _dims;
    private readonly int _filteredExactThreshold;
    private readonly int? _seed;
    private readonly bool _reuseRemovedSlots;
    private readonly ReaderWriterLockSlim _structure = new(LockRecursionPolicy.NoRecursion);
    private readonly Lock _mapLock = new();
    private readonly Dictionary<string, int> _slots = new(StringComparer.Ordinal);
    private readonly Stack<int> _free = new();

    private string?[] _keys;
    private IReadOnlyDictionary<string, object?>?[] _metadata;
    private int _allocated;
    private long _live;
    private int _efSearch;

    /// <summary>Creates an empty index.</summary>
    /// <param name="dimensions">The vector length; positive.</param>
    /// <param name="metric">The metric; cosine vectors are normalized on insert and compared by dot product.</param>
    /// <param name="options">The graph parameters; <see langword="null"/> for the defaults.</param>
    /// <param name="fingerprint">The embedder fingerprint the index is locked to, or <see langword="null"/>.</param>
    public HnswIndex(int dimensions, DistanceMetric metric = DistanceMetric.Cosine, HnswIndexOptions? options = null, EmbedderFingerprint? fingerprint = null)
        : base(dimensions, metric, fingerprint)
    {
        options ??= new HnswIndexOptions();
        options.Validate();
        _efSearch = options.EfSearch;
        _seed = options.Seed;
        _reuseRemovedSlots = options.ReuseRemovedSlots;
        _filteredExactThreshold = options.FilteredExactSearchThreshold;
        _dims = dimensions;
        int capacity = options.InitialCapacity;
        _graph = new HnswGraph(dimensions, metric, options.M, options.EfConstruction, options.Seed, capacity);
        _keys = new string?[capacity];
        _metadata = new IReadOnlyDictionary<string, object?>?[capacity];
        _slots.EnsureCapacity(capacity);
    }

    /// <summary>Gets M, the neighbours per node on the upper layers (2M on layer 0).</summary>
    public int M => _graph.M;

    /// <summary>Gets the candidate list size used while inserting.</summary>
    public int EfConstruction => _graph.EfConstruction;

    /// <summary>Gets or sets the default search effort; <see cref="VectorSearchOptions.EfSearch"/> overrides it per call.</summary>
    public int EfSearch
    {
        get => Volatile.Read(ref _efSearch);
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
            Volatile.Write(ref _efSearch, value);
        }
    }

    /// <summary>Gets the level generator's seed, or <see langword="null"/>.</summary>
    public int? Seed => _seed;

    /// <summary>Gets how many nodes fit before the arrays grow.</summary>
    public int Capacity => _graph.Capacity;

    /// <summary>Gets the number of removed nodes whose slots wait to be reused by the next inserts.</summary>
    public int TombstoneCount
    {
        get
        {
            lock (_mapLock)
            {
                return _free.Count;
            }
        }
    }

    /// <inheritdoc />
    public override long Count => Interlocked.Read(ref _live);

    /// <summary>Gets the bytes the index holds in its arrays (vectors, links, per-slot state), excluding keys and metadata.</summary>
    public long AllocatedBytes
    {
        get
        {
            _structure.EnterReadLock();
            try
            {
                // Keys and metadata are excluded; the key and metadata reference arrays are counted.
                return _graph.AllocatedBytes(_allocated) + ((long)_graph.Capacity * (8 + 8));
            }
            finally
            {
                _structure.ExitReadLock();
            }
        }
    }

    private protected override string Description => "HNSW index";

    /// <summary>Inserts records from several threads at once (the graph takes concurrent inserts); for bulk builds.</summary>
    /// <param name="records">The records; keys unique within the batch.</param>
    /// <param name="maxDegreeOfParallelism">How many threads insert; positive.</param>
    /// <param name="source">The fingerprint of the embedder that made the vectors.</param>
    /// <param name="cancellationToken">Cancels between records; records already written stay written.</param>
    public void AddParallel(IReadOnlyList<VectorRecord> records, int maxDegreeOfParallelism, EmbedderFingerprint? source = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxDegreeOfParallelism);
        ThrowIfDisposed();
        RecordValidation.CheckBatch(records, Dimensions);
        if (source is not null && Fingerprint is not null)
        {
            Fingerprint.EnsureCompatible(source, Description);
        }

        var metadata = new IReadOnlyDictionary<string, object?>?[records.Count];
        MetadataSchema? schema = _lastSchema;
        for (int i = 0; i < records.Count; i++)
        {
            metadata[i] = RecordValidation.NormalizeMetadata(records[i].Metadata, records[i].Key, ref schema);
        }

        _lastSchema = schema;

        EnsureCapacity(Count + records.Count);
        int next = -1;
        var workers = new Thread[maxDegreeOfParallelism];
        Exception? failure = null;
        for (int t = 0; t < workers.Length; t++)
        {
            workers[t] = new Thread(() =>
            {
                try
                {
                    int i;
                    while ((i = Interlocked.Increment(ref next)) < records.Count && failure is null)
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        AddCore(records[i].Key, records[i].Vector.Span, metadata[i]);
                    }
                }
                catch (Exception e)
                {
                    Interlocked.CompareExchange(ref failure, e, null);
                }
            });
            workers[t].Start();
        }

        foreach (Thread worker in workers)
        {
            worker.Join();
        }

        if (failure is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        }
    }

    /// <summary>Grows the arrays to hold at least <paramref name="capacity"/> nodes now, instead of doubling as inserts arrive.</summary>
    /// <param name="capacity">The node count to make room for.</param>
    public void EnsureCapacity(long capacity)
    {
        ThrowIfDisposed();
        if (capacity > _graph.Capacity)
        {
            Grow(capacity);
        }
    }

    /// <summary>Returns the exact top-k by scanning every live record; the reference the graph search approximates.</summary>
    /// <param name="query">The query, <see cref="InMemoryVectorIndex.Dimensions"/> long.</param>
    /// <param name="k">How many results at most; positive.</param>
    /// <param name="filter">An optional metadata filter.</param>
    /// <returns>Up to <paramref name="k"/> results by descending score.</returns>
    public IReadOnlyList<VectorSearchResult> SearchExact(ReadOnlySpan<float> query, int k, MetadataFilter? filter = null)
    {
        ThrowIfDisposed();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        RecordValidation.CheckVector(query, Dimensions, nameof(query));
        int capacity = (int)Math.Min(k, Math.Max(Count, 0) + 64);
        var keys = new string[capacity];
        var scores = new float[capacity];
        var metadata = new IReadOnlyDictionary<string, object?>?[capacity];
        int n;
        _structure.EnterReadLock();
        try
        {
            SearchScratch scratch = SearchScratch.Rent(_graph.Capacity, _dims);
            Span<float> q = scratch.Query.AsSpan(0, _dims);
            PrepareQuery(query, q);
            ExactScan(q, capacity, filter, scratch);
            n = Materialize(q, capacity, filter, scratch, keys, scores, metadata);
        }
        finally
        {
            _structure.ExitReadLock();
        }

        var results = new VectorSearchResult[n];
        for (int i = 0; i < n; i++)
        {
            results[i] = new VectorSearchResult(keys[i], scores[i], metadata[i]);
        }

        return results;
    }

    private protected override void AddCore(string key, ReadOnlySpan<float> vector, IReadOnlyDictionary<string, object?>? metadata)
    {
        while (true)
        {
            _structure.EnterReadLock();
            int slot = -1;
            bool reused = false;
            int[] stamps = _graph.Stamps;
            lock (_mapLock)
            {
                if (_free.Count > 0 && _reuseRemovedSlots)
                {
                    slot = _free.Pop();
                    reused = true;
                }
                else if (_allocated < _graph.Capacity)
                {
                    slot = _allocated++;
                }

                if (slot >= 0)
                {
                    int generation = (stamps[slot] & ~HnswGraph.StateMask) + HnswGraph.GenerationStep;
                    Volatile.Write(ref stamps[slot], generation | HnswGraph.StateInserting);
                    _keys[slot] = key;
                    _metadata[slot] = metadata;
                }
            }

            if (slot < 0)
            {
                _structure.ExitReadLock();
                Grow((long)_graph.Capacity * 2);
                continue;
            }

            try
            {
                PrepareQuery(vector, _graph.Vectors.AsSpan(slot * _dims, _dims));
                if (reused)
                {
                    _graph.Reconnect(slot);
                }
                else
                {
                    _graph.Insert(slot);
                }

                lock (_mapLock)
                {
                    if (_slots.TryGetValue(key, out int previous))
                    {
                        MarkDeletedLocked(previous);
                    }
                    else
                    {
                        _live++;
                    }

                    _slots[key] = slot;
                    Volatile.Write(ref stamps[slot], (stamps[slot] & ~HnswGraph.StateMask) | HnswGraph.StateLive);
                }
            }
            catch
            {
                lock (_mapLock)
                {
                    MarkDeletedLocked(slot);
                }

                throw;
            }
            finally
            {
                _structure.ExitReadLock();
            }

            return;
        }
    }

    private protected override bool RemoveCore(string key)
    {
        lock (_mapLock)
        {
            if (!_slots.Remove(key, out int slot))
            {
                return false;
            }

            MarkDeletedLocked(slot);
            _live--;
            return true;
        }
    }

    private protected override int SearchCore(
        ReadOnlySpan<float> query,
        int k,
        VectorSearchOptions? options,
        Span<string> keys,
        Span<float> scores,
        Span<IReadOnlyDictionary<string, object?>?> metadata)
    {
        _structure.EnterReadLock();
        try
        {
            SearchScratch scratch = SearchScratch.Rent(_graph.Capacity, _dims);
            Span<float> q = scratch.Query.AsSpan(0, _dims);
            PrepareQuery(query, q);
            int ef = Math.Max(options?.EfSearch ?? Volatile.Read(ref _efSearch), k);
            MetadataFilter? filter = options?.Filter;
            if (filter is null)
            {
                _graph.Search(q, ef, stopEarly: Volatile.Read(ref _allocated) <= Interlocked.Read(ref _live), default(AdmitAllNodes), scratch);
            }
            else
            {
                double admitted = EstimateAdmittedFraction(filter);
                double admittedCount = admitted * Count;
                if (admittedCount <= _filteredExactThreshold)
                {
                    ExactScan(q, k, filter, scratch);
                }
                else
                {
                    // A walk that only keeps admitted nodes must look at about 1/fraction nodes per result.
                    int widened = (int)Math.Min(Math.Max(ef, ef / Math.Max(admitted, 1e-3)), ef * 32L);
                    _graph.Search(q, widened, stopEarly: false, new MetadataAdmission(filter, _metadata), scratch);
                }
            }

            return Materialize(q, k, filter, scratch, keys, scores, metadata);
        }
        finally
        {
            _structure.ExitReadLock();
        }
    }

    private protected override void DisposeCore() => _structure.Dispose();

    private void MarkDeletedLocked(int slot)
    {
        int[] stamps = _graph.Stamps;
        int stamp = stamps[slot];
        if ((stamp & HnswGraph.StateMask) == HnswGraph.StateDeleted)
        {
            return;
        }

        Volatile.Write(ref stamps[slot], (stamp & ~HnswGraph.StateMask) | HnswGraph.StateDeleted);
        _keys[slot] = null;
        _metadata[slot] = null;

        // The entry point's slot is never reused: reuse clears the slot's lists, and every walk starts there.
        // It stays a tombstone that routes searches.
        if (slot != _graph.EntryPoint.Entry)
        {
            _free.Push(slot);
        }
    }

    private void Grow(long wanted)
    {
        _structure.EnterWriteLock();
        try
        {
            int current = _graph.Capacity;
            if (wanted <= current)
            {
                return;
            }

            long limit = _graph.CapacityLimit;
            if (current >= limit)
            {
                throw new InvalidOperationException($"The HNSW index is full: {current} nodes of {_dims} dimensions is the most one index holds.");
            }

            int capacity = (int)Math.Min(Math.Max(wanted, 16), limit);
            Array.Resize(ref _keys, capacity);
            Array.Resize(ref _metadata, capacity);
            lock (_mapLock)
            {
                _slots.EnsureCapacity(capacity);
            }

            _graph.Resize(capacity);
        }
        finally
        {
            _structure.ExitWriteLock();
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool Admits(ref int stamps, int id, MetadataFilter? filter) =>
        (Volatile.Read(ref Unsafe.Add(ref stamps, id)) & HnswGraph.StateMask) == HnswGraph.StateLive && (filter is null || filter.Matches(_metadata[id]));

    private void ExactScan(ReadOnlySpan<float> query, int k, MetadataFilter? filter, SearchScratch scratch)
    {
        NeighborHeap results = scratch.Results;
        results.Clear();
        ref float q = ref MemoryMarshal.GetReference(query);
        ref int stamps = ref MemoryMarshal.GetArrayDataReference(_graph.Stamps);
        int allocated = Volatile.Read(ref _allocated);
        for (int id = 0; id < allocated; id++)
        {
            if (Admits(ref stamps, id, filter))
            {
                results.PushBounded(_graph.Distance(ref q, id), id, k);
            }
        }
    }

    private double EstimateAdmittedFraction(MetadataFilter filter)
    {
        int allocated = Volatile.Read(ref _allocated);
        int step = Math.Max(1, allocated / FilterSampleSize);
        int seen = 0;
        int admitted = 0;
        for (int id = step / 2; id < allocated; id += step)
        {
            int stamp = Volatile.Read(ref _graph.Stamps[id]);
            if ((stamp & HnswGraph.StateMask) != HnswGraph.StateLive)
            {
                continue;
            }

            seen++;
            if (filter.Matches(_metadata[id]))
            {
                admitted++;
            }
        }

        return seen == 0 ? 0 : (double)admitted / seen;
    }

    [ThreadStatic]
    private static Action<int>? t_materializeObserver;

    /// <summary>Test hook, per thread: called with the number of hits written so far before each candidate is read, so a test can upsert mid-materialization.</summary>
    internal static Action<int>? MaterializeObserverForTesting
    {
        get => t_materializeObserver;
        set => t_materializeObserver = value;
    }

    /// <summary>
    /// Turns the result heap into keys and scores. Each hit's slot stamp is read before and after its key and
    /// vector, and the score is recomputed from the vector read in between, so a slot removed or reused during the
    /// search is dropped rather than returned with another record's key or score.
    /// </summary>
    private int Materialize(
        ReadOnlySpan<float> query,
        int k,
        MetadataFilter? filter,
        SearchScratch scratch,
        Span<string> keys,
        Span<float> scores,
        Span<IReadOnlyDictionary<string, object?>?> metadata)
    {
        NeighborHeap results = scratch.Results;
        while (results.Count > k)
        {
            results.Pop();
        }

        scratch.EnsureSelectionCapacity(results.Count);
        int n = results.DrainAscending(scratch.Sorted);
        ref float q = ref MemoryMarshal.GetReference(query);
        int[] stamps = _graph.Stamps;
        int written = 0;
        HashSet<string>? seen = n > 64 ? new HashSet<string>(n, StringComparer.Ordinal) : null;
        for (int i = 0; i < n && written < keys.Length; i++)
        {
            MaterializeObserverForTesting?.Invoke(written);
            int id = scratch.Sorted[i].Id;
            int before = Volatile.Read(ref stamps[id]);
            if ((before & HnswGraph.StateMask) != HnswGraph.StateLive)
            {
                continue;
            }

            string? key = Volatile.Read(ref _keys[id]);
            IReadOnlyDictionary<string, object?>? data = Volatile.Read(ref _metadata[id]);
            float distance = _graph.Distance(ref q, id);
            if (key is null || Volatile.Read(ref stamps[id]) != before)
            {
                continue;
            }

            // The slot may have been removed and reused by another record since the walk admitted it; the
            // stamp check above proves key, metadata and vector belong together, so check the filter on them.
            if (filter is not null && !filter.Matches(data))
            {
                continue;
            }

            // An upsert moves a key to a new slot; if it ran between reading the old slot and the new one, both
            // passed their stamp checks. Keep the first (the walk ranked it best) so a key appears once.
            if (seen is not null ? !seen.Add(key) : keys[..written].Contains(key))
            {
                continue;
            }

            float score = IndexKernels.ToScore(Metric, distance);
            int at = written++;
            while (at > 0 && scores[at - 1] < score)
            {
                keys[at] = keys[at - 1];
                scores[at] = scores[at - 1];
                if (!metadata.IsEmpty)
                {
                    metadata[at] = metadata[at - 1];
                }

                at--;
            }

            keys[at] = key;
            scores[at] = score;
            if (!metadata.IsEmpty)
            {
                metadata[at] = data;
            }
        }

        return written;
    }

    /// <summary>Admits the live nodes whose metadata the filter matches.</summary>
    private readonly struct MetadataAdmission(MetadataFilter filter, IReadOnlyDictionary<string, object?>?[] metadata) : INodeAdmission
    {
        public bool Admits(int id) => filter.Matches(metadata[id]);
    }
}
