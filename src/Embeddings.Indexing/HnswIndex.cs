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
public sealed class HnswIndex : InMemoryVectorIndex
{
    private const int StateMask = 3;
    private const int StateInserting = 0;
    private const int StateLive = 1;
    private const int StateDeleted = 2;
    private const int GenerationStep = 4;
    private const int MaxLevel = 30;
    private const int FilterSampleSize = 256;

    private readonly int _m;
    private readonly int _maxM0;
    private readonly int _efConstruction;
    private readonly int _stride0;
    private readonly int _strideUpper;
    private readonly int _dims;
    private readonly double _levelMultiplier;
    private readonly int _filteredExactThreshold;
    private readonly int? _seed;
    private readonly bool _reuseRemovedSlots;
    private readonly Random _levelRandom;
    private readonly Lock _randomLock = new();
    private readonly ReaderWriterLockSlim _structure = new(LockRecursionPolicy.NoRecursion);
    private readonly Lock _mapLock = new();
    private readonly Lock _entryLock = new();
    private readonly Dictionary<string, int> _slots = new(StringComparer.Ordinal);
    private readonly Stack<int> _free = new();

    private float[] _vectors;
    private int[] _links0;
    private int[]?[] _upper;
    private sbyte[] _levels;
    private int[] _stamps;
    private int[] _locks;
    private string?[] _keys;
    private IReadOnlyDictionary<string, object?>?[] _metadata;
    private int _capacity;
    private int _allocated;
    private long _live;
    private long _entry = PackEntry(-1, -1);
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
        _m = options.M;
        _maxM0 = 2 * options.M;
        _efConstruction = Math.Max(options.EfConstruction, options.M);
        _efSearch = options.EfSearch;
        _seed = options.Seed;
        _reuseRemovedSlots = options.ReuseRemovedSlots;
        _filteredExactThreshold = options.FilteredExactSearchThreshold;
        _stride0 = _maxM0 + 1;
        _strideUpper = _m + 1;
        _dims = dimensions;
        _levelMultiplier = 1 / Math.Log(options.M);
        _levelRandom = options.Seed is int seed ? new Random(seed) : new Random();
        _capacity = options.InitialCapacity;
        _vectors = new float[checked(_capacity * _dims)];
        _links0 = new int[checked(_capacity * _stride0)];
        _upper = new int[]?[_capacity];
        _levels = new sbyte[_capacity];
        _stamps = new int[_capacity];
        _locks = new int[_capacity];
        _keys = new string?[_capacity];
        _metadata = new IReadOnlyDictionary<string, object?>?[_capacity];
        _slots.EnsureCapacity(_capacity);
    }

    /// <summary>Gets M, the neighbours per node on the upper layers (2M on layer 0).</summary>
    public int M => _m;

    /// <summary>Gets the candidate list size used while inserting.</summary>
    public int EfConstruction => _efConstruction;

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
    public int Capacity => Volatile.Read(ref _capacity);

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
                long upper = 0;
                for (int i = 0; i < _allocated; i++)
                {
                    if (_upper[i] is int[] links)
                    {
                        upper += 24 + (links.Length * 4L);
                    }
                }

                return ((long)_vectors.Length * 4) + ((long)_links0.Length * 4) + ((long)_capacity * (8 + 1 + 4 + 4 + 8 + 8)) + upper;
            }
            finally
            {
                _structure.ExitReadLock();
            }
        }
    }

    private protected override string Description => "HNSW index";

    /// <summary>Loads an index saved with <see cref="InMemoryVectorIndex.Save"/>.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The index.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not an HNSW index file, is truncated or corrupt, or has a newer format version.</exception>
    public static HnswIndex Load(string path)
    {
        using IndexFileReader reader = IndexFileReader.Open(path, IndexKind.Hnsw);
        (int dimensions, DistanceMetric metric, EmbedderFingerprint? fingerprint) = ReadCommonHeader(reader);
        int m = reader.ReadInt32();
        int efConstruction = reader.ReadInt32();
        int efSearch = reader.ReadInt32();
        int hasSeed = reader.ReadInt32();
        int seed = reader.ReadInt32();
        int filteredExact = reader.ReadInt32();
        int reuse = reader.ReadInt32();
        int allocated = reader.ReadInt32();
        long live = reader.ReadInt64();
        int entry = reader.ReadInt32();
        int maxLevel = reader.ReadInt32();
        reader.Require(m is >= 2 and <= 1024, $"M {m}");
        reader.Require(efConstruction > 0 && efSearch > 0 && filteredExact >= 0, "search parameters");
        reader.Require(allocated >= 0 && (long)Math.Max(allocated, 16) * Math.Max(dimensions, (2 * m) + 1) <= Array.MaxLength, $"slot count {allocated} of {dimensions} dimensions");

        // Each slot takes a state byte, a level byte, its vector and its layer-0 list; checked before the count sizes any array.
        long slotBytes = 2 + (dimensions * 4L) + (((2L * m) + 1) * 4);
        reader.Require(allocated * slotBytes <= reader.Remaining, $"slot count {allocated} ({allocated * slotBytes} bytes needed, {reader.Remaining} present)");
        reader.Require(live >= 0 && live <= allocated, $"live count {live}");
        reader.Require(entry >= -1 && entry < allocated && maxLevel >= -1 && maxLevel <= MaxLevel && (entry == -1) == (maxLevel == -1), "entry point");

        var options = new HnswIndexOptions
        {
            M = m,
            EfConstruction = efConstruction,
            EfSearch = efSearch,
            Seed = hasSeed != 0 ? seed : null,
            FilteredExactSearchThreshold = filteredExact,
            ReuseRemovedSlots = reuse != 0,
            InitialCapacity = Math.Max(allocated, 16),
        };
        var index = new HnswIndex(dimensions, metric, options, fingerprint);
        try
        {
            index.ReadBody(reader, allocated, live, entry, maxLevel);
        }
        catch
        {
            index.Dispose();
            throw;
        }

        return index;
    }

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
        for (int i = 0; i < records.Count; i++)
        {
            metadata[i] = RecordValidation.NormalizeMetadata(records[i].Metadata, records[i].Key);
        }

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
        if (capacity > Volatile.Read(ref _capacity))
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
            SearchScratch scratch = SearchScratch.Rent(_capacity, _dims);
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
            lock (_mapLock)
            {
                if (_free.Count > 0 && _reuseRemovedSlots)
                {
                    slot = _free.Pop();
                    reused = true;
                }
                else if (_allocated < _capacity)
                {
                    slot = _allocated++;
                }

                if (slot >= 0)
                {
                    int generation = (_stamps[slot] & ~StateMask) + GenerationStep;
                    Volatile.Write(ref _stamps[slot], generation | StateInserting);
                    _keys[slot] = key;
                    _metadata[slot] = metadata;
                }
            }

            if (slot < 0)
            {
                _structure.ExitReadLock();
                Grow((long)_capacity * 2);
                continue;
            }

            try
            {
                PrepareQuery(vector, _vectors.AsSpan(slot * _dims, _dims));
                if (reused)
                {
                    Reconnect(slot);
                }
                else
                {
                    Insert(slot);
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
                    Volatile.Write(ref _stamps[slot], (_stamps[slot] & ~StateMask) | StateLive);
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
            SearchScratch scratch = SearchScratch.Rent(_capacity, _dims);
            Span<float> q = scratch.Query.AsSpan(0, _dims);
            PrepareQuery(query, q);
            int ef = Math.Max(options?.EfSearch ?? Volatile.Read(ref _efSearch), k);
            MetadataFilter? filter = options?.Filter;
            if (filter is null)
            {
                SearchGraph(q, ef, null, scratch);
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
                    SearchGraph(q, widened, filter, scratch);
                }
            }

            return Materialize(q, k, filter, scratch, keys, scores, metadata);
        }
        finally
        {
            _structure.ExitReadLock();
        }
    }

    private protected override void SaveCore(string path)
    {
        _structure.EnterWriteLock();
        try
        {
            using IndexFileWriter writer = IndexFileWriter.Create(path, IndexKind.Hnsw);
            WriteCommonHeader(writer);
            writer.WriteInt32(_m);
            writer.WriteInt32(_efConstruction);
            writer.WriteInt32(_efSearch);
            writer.WriteInt32(_seed.HasValue ? 1 : 0);
            writer.WriteInt32(_seed ?? 0);
            writer.WriteInt32(_filteredExactThreshold);
            writer.WriteInt32(_reuseRemovedSlots ? 1 : 0);
            // Inserts hold the structure lock shared, so under the exclusive lock no slot is mid-insert. Removes
            // take only the map lock, so the live set, keys and metadata are snapshotted under it in one step.
            var states = new byte[_allocated];
            var keys = new string?[_allocated];
            var metadata = new IReadOnlyDictionary<string, object?>?[_allocated];
            long live;
            lock (_mapLock)
            {
                live = _live;
                for (int i = 0; i < _allocated; i++)
                {
                    states[i] = (byte)(_stamps[i] & StateMask);
                    if (states[i] == StateLive)
                    {
                        keys[i] = _keys[i];
                        metadata[i] = _metadata[i];
                    }
                }
            }

            writer.WriteInt32(_allocated);
            writer.WriteInt64(live);
            (int entry, int maxLevel) = UnpackEntry(Interlocked.Read(ref _entry));
            writer.WriteInt32(entry);
            writer.WriteInt32(maxLevel);
            writer.WriteBytes(states);
            writer.WriteBytes(MemoryMarshal.AsBytes(_levels.AsSpan(0, _allocated)));
            writer.WriteSingles(_vectors.AsSpan(0, _allocated * _dims));
            writer.WriteInt32s(_links0.AsSpan(0, _allocated * _stride0));
            for (int i = 0; i < _allocated; i++)
            {
                if (_levels[i] > 0)
                {
                    writer.WriteInt32s(_upper[i]);
                }
            }

            for (int i = 0; i < _allocated; i++)
            {
                if (states[i] == StateLive)
                {
                    writer.WriteString(keys[i]);
                    writer.WriteMetadata(metadata[i]);
                }
            }

            writer.Commit();
        }
        finally
        {
            _structure.ExitWriteLock();
        }
    }

    private protected override void DisposeCore() => _structure.Dispose();

    private static long PackEntry(int entry, int maxLevel) => ((long)maxLevel << 32) | (uint)entry;

    private static (int Entry, int MaxLevel) UnpackEntry(long packed) => ((int)packed, (int)(packed >> 32));

    private void ReadBody(IndexFileReader reader, int allocated, long live, int entry, int maxLevel)
    {
        var states = new byte[allocated];
        reader.ReadBytes(states);
        reader.ReadBytes(MemoryMarshal.AsBytes(_levels.AsSpan(0, allocated)));
        reader.ReadSingles(_vectors.AsSpan(0, allocated * _dims));
        reader.Require(allocated == 0 || System.Numerics.Tensors.TensorPrimitives.IsFiniteAll<float>(_vectors.AsSpan(0, allocated * _dims)), "a stored vector value (NaN or infinite)");
        reader.ReadInt32s(_links0.AsSpan(0, allocated * _stride0));
        for (int i = 0; i < allocated; i++)
        {
            int level = _levels[i];
            reader.Require(level >= 0 && level <= Math.Max(maxLevel, 0), $"level {level} of node {i}");
            reader.Require(states[i] is StateLive or StateDeleted, $"state {states[i]} of node {i}");
            CheckLinks(reader, _links0.AsSpan(i * _stride0, _stride0), _maxM0, allocated, i);
            if (level > 0)
            {
                reader.Require(level * _strideUpper * 4L <= reader.Remaining, $"the upper layers of node {i}");
                var upper = new int[level * _strideUpper];
                reader.ReadInt32s(upper);
                for (int l = 0; l < level; l++)
                {
                    CheckLinks(reader, upper.AsSpan(l * _strideUpper, _strideUpper), _m, allocated, i);
                }

                _upper[i] = upper;
            }
        }

        if (entry >= 0)
        {
            reader.Require(_levels[entry] == maxLevel, "entry point level");
        }

        long liveFound = 0;
        for (int i = 0; i < allocated; i++)
        {
            if (states[i] == StateLive)
            {
                string key = reader.ReadString() ?? throw reader.Corrupt($"node {i} has no key");
                reader.Require(key.Length > 0 && _slots.TryAdd(key, i), $"key '{key}' of node {i} (empty or duplicate)");
                _keys[i] = key;
                _metadata[i] = reader.ReadMetadata();
                _stamps[i] = StateLive;
                liveFound++;
            }
            else
            {
                _stamps[i] = StateDeleted;
            }
        }

        reader.Require(liveFound == live, $"live count {live} (found {liveFound})");
        for (int i = allocated - 1; i >= 0; i--)
        {
            if (states[i] == StateDeleted && i != entry)
            {
                _free.Push(i);
            }
        }

        reader.EnsureAtEnd();
        _allocated = allocated;
        _live = live;
        _entry = PackEntry(entry, maxLevel);
    }

    private static void CheckLinks(IndexFileReader reader, ReadOnlySpan<int> list, int max, int allocated, int node)
    {
        int count = list[0];
        reader.Require(count >= 0 && count <= max, $"neighbour count {count} of node {node}");
        for (int j = 1; j <= count; j++)
        {
            reader.Require((uint)list[j] < (uint)allocated, $"neighbour {list[j]} of node {node}");
        }
    }

    private void MarkDeletedLocked(int slot)
    {
        int stamp = _stamps[slot];
        if ((stamp & StateMask) == StateDeleted)
        {
            return;
        }

        Volatile.Write(ref _stamps[slot], (stamp & ~StateMask) | StateDeleted);
        _keys[slot] = null;
        _metadata[slot] = null;

        // The entry point's slot is never reused: reuse clears the slot's lists, and every walk starts there.
        // It stays a tombstone that routes searches.
        if (slot != UnpackEntry(Interlocked.Read(ref _entry)).Entry)
        {
            _free.Push(slot);
        }
    }

    private void Grow(long wanted)
    {
        _structure.EnterWriteLock();
        try
        {
            if (wanted <= _capacity)
            {
                return;
            }

            long limit = Array.MaxLength / Math.Max(_dims, _stride0);
            if (_capacity >= limit)
            {
                throw new InvalidOperationException($"The HNSW index is full: {_capacity} nodes of {_dims} dimensions is the most one index holds.");
            }

            int capacity = (int)Math.Min(Math.Max(wanted, 16), limit);
            Array.Resize(ref _vectors, capacity * _dims);
            Array.Resize(ref _links0, capacity * _stride0);
            Array.Resize(ref _upper, capacity);
            Array.Resize(ref _levels, capacity);
            Array.Resize(ref _stamps, capacity);
            Array.Resize(ref _locks, capacity);
            Array.Resize(ref _keys, capacity);
            Array.Resize(ref _metadata, capacity);
            lock (_mapLock)
            {
                _slots.EnsureCapacity(capacity);
            }

            Volatile.Write(ref _capacity, capacity);
        }
        finally
        {
            _structure.ExitWriteLock();
        }
    }

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
    private bool IsDeleted(int id) => (Volatile.Read(ref _stamps[id]) & StateMask) == StateDeleted;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ref float VectorRef(int id) => ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_vectors), (nint)id * _dims);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private float Distance(ref float a, int id) => IndexKernels.Distance(Metric, ref a, ref VectorRef(id), _dims);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private float Distance(int a, int b) => IndexKernels.Distance(Metric, ref VectorRef(a), ref VectorRef(b), _dims);

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

    private void Insert(int slot)
    {
        int level = RandomLevel();
        _levels[slot] = (sbyte)level;
        _links0[slot * _stride0] = 0;
        Volatile.Write(ref _upper[slot], level > 0 ? new int[level * _strideUpper] : null);
        ref float vector = ref VectorRef(slot);
        SearchScratch scratch = SearchScratch.Rent(_capacity, _dims);
        scratch.EnsureSelectionCapacity(Math.Max(_efConstruction, _maxM0) + 2);

        // As in hnswlib, an insert that raises the top level holds the entry lock throughout, so two such
        // inserts cannot both think they are the new entry point.
        bool holdsEntry = true;
        _entryLock.Enter();
        try
        {
            (int entry, int maxLevel) = UnpackEntry(Interlocked.Read(ref _entry));
            if (entry < 0)
            {
                Interlocked.Exchange(ref _entry, PackEntry(slot, level));
                return;
            }

            if (level <= maxLevel)
            {
                _entryLock.Exit();
                holdsEntry = false;
            }

            DescendAndConnect(ref vector, slot, level, entry, maxLevel, scratch);

            if (level > maxLevel)
            {
                Interlocked.Exchange(ref _entry, PackEntry(slot, level));
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
    /// Puts a new vector into a reused slot. First the old node is unlinked the way FreshDiskANN deletes: every
    /// node that pointed to it (its neighbours and, nearly always, nodes in its two-hop neighbourhood) re-selects
    /// its list from its other neighbours plus the old node's neighbours, so no one loses a neighbour to a vector
    /// that moved. Then the slot is cleared and inserted like a new node at its old level.
    /// </summary>
    private void Reconnect(int slot)
    {
        int level = _levels[slot];
        SearchScratch scratch = SearchScratch.Rent(_capacity, _dims);
        int maxNeighbors = _maxM0 + 1;
        scratch.EnsureSelectionCapacity(Math.Max(Math.Max(_efConstruction, _maxM0), 2 * maxNeighbors) + 2);
        scratch.EnsureIdCapacity((maxNeighbors * maxNeighbors) + 2, maxNeighbors);
        for (int l = 0; l <= level; l++)
        {
            int limit = l == 0 ? _maxM0 : _m;
            int[] candidates = scratch.Ids;
            int[] hops = scratch.HopIds;
            int candidateCount = 0;
            int hopCount = 0;
            scratch.NewVisit();
            scratch.TryVisit(slot);
            LockNode(slot);
            try
            {
                Span<int> own = Links(slot, l);
                int n = own.IsEmpty ? 0 : Math.Min(own[0], limit);
                for (int j = 0; j < n; j++)
                {
                    hops[hopCount++] = own[j + 1];
                }

                if (!own.IsEmpty)
                {
                    Volatile.Write(ref own[0], 0);
                }
            }
            finally
            {
                UnlockNode(slot);
            }

            for (int h = 0; h < hopCount; h++)
            {
                int hop = hops[h];
                if (scratch.TryVisit(hop))
                {
                    candidates[candidateCount++] = hop;
                }

                Span<int> twoHop = Links(hop, l);
                int n = twoHop.IsEmpty ? 0 : Math.Min(Volatile.Read(ref twoHop[0]), limit);
                for (int j = 1; j <= n; j++)
                {
                    int candidate = twoHop[j];
                    if (scratch.TryVisit(candidate))
                    {
                        candidates[candidateCount++] = candidate;
                    }
                }
            }

            for (int c = 0; c < candidateCount; c++)
            {
                int node = candidates[c];
                Span<int> list = Links(node, l);
                if (list.IsEmpty || !list.Slice(1, Math.Min(Volatile.Read(ref list[0]), limit)).Contains(slot))
                {
                    continue;
                }

                HeapEntry[] pool = scratch.NeighborSorted;
                int count = 0;
                int n = Math.Min(Volatile.Read(ref list[0]), limit);
                for (int j = 1; j <= n; j++)
                {
                    count = AddCandidate(pool, count, node, list[j], slot);
                }

                for (int h = 0; h < hopCount; h++)
                {
                    count = AddCandidate(pool, count, node, hops[h], slot);
                }

                InsertionSort(pool.AsSpan(0, count));
                int selected = SelectNeighbors(pool, count, limit, scratch.NeighborSelected);

                // The heuristic alone would thin the list; keep it as long as it was (less the removed link) by
                // adding back the closest pruned candidates, as hnswlib's keepPrunedConnections does.
                int target = Math.Min(n - 1, count);
                for (int i = 0; i < count && selected < target; i++)
                {
                    if (!scratch.NeighborSelected.AsSpan(0, selected).ContainsId(pool[i].Id))
                    {
                        scratch.NeighborSelected[selected++] = pool[i];
                    }
                }

                WriteLinks(node, l, scratch.NeighborSelected.AsSpan(0, selected));
            }
        }

        (int entry, int maxLevel) = UnpackEntry(Interlocked.Read(ref _entry));
        DescendAndConnect(ref VectorRef(slot), slot, level, entry, maxLevel, scratch);
    }

    /// <summary>Greedy descent from the entry point down to <paramref name="level"/>, then a beam search and linking on every layer the node lives on.</summary>
    private void DescendAndConnect(ref float vector, int slot, int level, int entry, int maxLevel, SearchScratch scratch)
    {
        int current = entry;
        if (level < maxLevel)
        {
            current = Metric switch
            {
                DistanceMetric.Cosine or DistanceMetric.DotProduct => Descend<NegativeDotDistance>(ref vector, entry, maxLevel, level, out _),
                DistanceMetric.Euclidean or DistanceMetric.EuclideanSquared => Descend<SquaredL2Distance>(ref vector, entry, maxLevel, level, out _),
                _ => Descend<ManhattanDistance>(ref vector, entry, maxLevel, level, out _),
            };
        }

        for (int l = Math.Min(level, maxLevel); l >= 0; l--)
        {
            SearchLayer(ref vector, current, l, _efConstruction, slot, scratch);
            if (scratch.Results.Count == 0)
            {
                continue;
            }

            current = Connect(slot, l, scratch, isUpdate: false);
        }
    }

    /// <summary>
    /// Replaces the link from <paramref name="node"/> to the removed <paramref name="removed"/> with the closest of the
    /// removed node's neighbours that <paramref name="node"/> does not link to yet, keeping the rest of its list as built.
    /// </summary>
    private void ReplaceLink(int node, int level, int limit, int removed, ReadOnlySpan<int> replacements)
    {
        LockNode(node);
        try
        {
            Span<int> list = Links(node, level);
            int n = Math.Min(list[0], limit);
            int at = list.Slice(1, n).IndexOf(removed);
            if (at < 0)
            {
                return;
            }

            int best = -1;
            float bestDistance = float.PositiveInfinity;
            foreach (int candidate in replacements)
            {
                if (candidate == node || candidate == removed || IsDeleted(candidate) || list.Slice(1, n).Contains(candidate))
                {
                    continue;
                }

                float d = Distance(node, candidate);
                if (d < bestDistance)
                {
                    bestDistance = d;
                    best = candidate;
                }
            }

            if (best >= 0)
            {
                list[at + 1] = best;
            }
            else
            {
                list[at + 1] = list[n];
                Volatile.Write(ref list[0], n - 1);
            }
        }
        finally
        {
            UnlockNode(node);
        }
    }

    private int AddCandidate(HeapEntry[] pool, int count, int node, int candidate, int excluded)
    {
        if (candidate == node || candidate == excluded || IsDeleted(candidate) || pool.AsSpan(0, count).ContainsId(candidate))
        {
            return count;
        }

        pool[count] = new HeapEntry(Distance(node, candidate), candidate);
        return count + 1;
    }

    private void WriteLinks(int id, int level, ReadOnlySpan<HeapEntry> neighbors)
    {
        LockNode(id);
        try
        {
            Span<int> list = Links(id, level);
            if (list.IsEmpty)
            {
                return;
            }

            int n = Math.Min(neighbors.Length, list.Length - 1);
            for (int j = 0; j < n; j++)
            {
                list[j + 1] = neighbors[j].Id;
            }

            Volatile.Write(ref list[0], n);
        }
        finally
        {
            UnlockNode(id);
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
    /// Links <paramref name="slot"/> to the heuristic's choice among <c>scratch.Results</c> on <paramref name="level"/>,
    /// and each chosen node back to it (re-running the heuristic on a full list). Returns the closest chosen node.
    /// </summary>
    private int Connect(int slot, int level, SearchScratch scratch, bool isUpdate)
    {
        int limit = level == 0 ? _maxM0 : _m;
        int sorted = scratch.Results.DrainAscending(scratch.Sorted);
        int selected = SelectNeighbors(scratch.Sorted, sorted, _m, scratch.Selected);
        HeapEntry[] chosen = scratch.Selected;
        if (isUpdate)
        {
            WriteLinks(slot, level, chosen.AsSpan(0, selected));
        }
        else
        {
            MergeOwnLinks(slot, level, limit, chosen, selected, scratch);
        }

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
                if (list.Slice(1, n).Contains(slot))
                {
                    continue;
                }

                if (n < limit)
                {
                    list[n + 1] = slot;
                    Volatile.Write(ref list[0], n + 1);
                    continue;
                }

                HeapEntry[] pool = scratch.NeighborSorted;
                pool[0] = new HeapEntry(Distance(neighbor, slot), slot);
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
    private void MergeOwnLinks(int slot, int level, int limit, HeapEntry[] chosen, int selected, SearchScratch scratch)
    {
        LockNode(slot);
        try
        {
            Span<int> list = Links(slot, level);
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
                    pool[count++] = new HeapEntry(Distance(slot, other), other);
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
            UnlockNode(slot);
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

    private void SearchGraph(ReadOnlySpan<float> query, int ef, MetadataFilter? filter, SearchScratch scratch)
    {
        switch (Metric)
        {
            case DistanceMetric.Cosine or DistanceMetric.DotProduct:
                SearchGraph<NegativeDotDistance>(query, ef, filter, scratch);
                break;
            case DistanceMetric.Euclidean or DistanceMetric.EuclideanSquared:
                SearchGraph<SquaredL2Distance>(query, ef, filter, scratch);
                break;
            default:
                SearchGraph<ManhattanDistance>(query, ef, filter, scratch);
                break;
        }
    }

    /// <summary>The query path (hnswlib's searchBaseLayerST): greedy through the upper layers, then a beam of width ef on layer 0.</summary>
    private void SearchGraph<TDistance>(ReadOnlySpan<float> query, int ef, MetadataFilter? filter, SearchScratch scratch)
        where TDistance : struct, IIndexDistance
    {
        NeighborHeap results = scratch.Results;
        NeighborHeap candidates = scratch.Candidates;
        results.Clear();
        candidates.Clear();
        (int entry, int maxLevel) = UnpackEntry(Interlocked.Read(ref _entry));
        if (entry < 0)
        {
            return;
        }

        int dims = _dims;
        ref float q = ref MemoryMarshal.GetReference(query);
        ref float vectors = ref MemoryMarshal.GetArrayDataReference(_vectors);
        int current = Descend<TDistance>(ref q, entry, maxLevel, 0, out float currentDistance);

        // With tombstones or a filter, results fill more slowly than candidates, so the walk may not stop at the first
        // candidate beyond the bound until ef results are in (hnswlib does the same). Racy reads only cost speed.
        bool stopEarly = filter is null && Volatile.Read(ref _allocated) <= Interlocked.Read(ref _live);
        ref int links = ref MemoryMarshal.GetArrayDataReference(_links0);
        ref int stamps = ref MemoryMarshal.GetArrayDataReference(_stamps);
        int stride = _stride0;
        int maxM0 = _maxM0;
        scratch.NewVisit();
        scratch.TryVisit(current);
        float lowerBound = float.PositiveInfinity;
        if (Admits(ref stamps, current, filter))
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
            for (int j = 1; j <= n; j++)
            {
                int neighbor = Unsafe.Add(ref list, j);
                if (!scratch.TryVisit(neighbor))
                {
                    continue;
                }

                float d = TDistance.Compute(ref q, ref Unsafe.Add(ref vectors, (nint)neighbor * dims), dims);
                if (results.Count < ef || d < lowerBound)
                {
                    candidates.Push(-d, neighbor);
                    if (Admits(ref stamps, neighbor, filter))
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

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool Admits(ref int stamps, int id, MetadataFilter? filter) =>
        (Volatile.Read(ref Unsafe.Add(ref stamps, id)) & StateMask) == StateLive && (filter is null || filter.Matches(_metadata[id]));

    private void ExactScan(ReadOnlySpan<float> query, int k, MetadataFilter? filter, SearchScratch scratch)
    {
        NeighborHeap results = scratch.Results;
        results.Clear();
        ref float q = ref MemoryMarshal.GetReference(query);
        ref int stamps = ref MemoryMarshal.GetArrayDataReference(_stamps);
        int allocated = Volatile.Read(ref _allocated);
        for (int id = 0; id < allocated; id++)
        {
            if (Admits(ref stamps, id, filter))
            {
                results.PushBounded(Distance(ref q, id), id, k);
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
            int stamp = Volatile.Read(ref _stamps[id]);
            if ((stamp & StateMask) != StateLive)
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

    /// <summary>
    /// Turns the result heap into keys and scores. Each hit's slot stamp is read before and after its key and
    /// vector, and the score is recomputed from the vector read in between, so a slot removed or reused during the
    /// search is dropped rather than returned with another record's key or score.
    /// </summary>
    [ThreadStatic]
    private static Action<int>? t_materializeObserver;

    /// <summary>Test hook, per thread: called with the number of hits written so far before each candidate is read, so a test can upsert mid-materialization.</summary>
    internal static Action<int>? MaterializeObserverForTesting
    {
        get => t_materializeObserver;
        set => t_materializeObserver = value;
    }

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
        int written = 0;
        HashSet<string>? seen = n > 64 ? new HashSet<string>(n, StringComparer.Ordinal) : null;
        for (int i = 0; i < n && written < keys.Length; i++)
        {
            MaterializeObserverForTesting?.Invoke(written);
            int id = scratch.Sorted[i].Id;
            int before = Volatile.Read(ref _stamps[id]);
            if ((before & StateMask) != StateLive)
            {
                continue;
            }

            string? key = Volatile.Read(ref _keys[id]);
            IReadOnlyDictionary<string, object?>? data = Volatile.Read(ref _metadata[id]);
            float distance = Distance(ref q, id);
            if (key is null || Volatile.Read(ref _stamps[id]) != before)
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
}
