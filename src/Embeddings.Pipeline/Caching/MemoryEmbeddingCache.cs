namespace Embeddings.Pipeline;

/// <summary>An in-memory least-recently-used vector store, bounded by entries, bytes or both.</summary>
/// <remarks>
/// Vectors are copied into large float slabs (256 KiB each, one set per vector length) rather than kept as one array
/// per entry, and the recency list is a linked list of indices into a struct array. So a cache of any size is a handful
/// of large-object-heap arrays that the garbage collector neither promotes nor copies: storing a vector adds nothing
/// that survives a gen-0 collection, and the caller's array dies young. Slots of each length stay dense (an evicted
/// slot is refilled with the last one), so a length's slabs shrink as its entries go (down
/// to one spare 256 KiB array per length ever stored). A hit returns a fresh copy.
/// </remarks>
public sealed class MemoryEmbeddingCache : IEmbeddingCacheStore
{
    /// <summary>The bytes counted per entry beyond the vector (key, list node and dictionary slot): 120.</summary>
    public const int EntryOverheadBytes = 120;

    private const int SlabFloats = 64 * 1024;
    private const int None = -1;

    private readonly Dictionary<EmbeddingCacheKey, int> _map = [];
    private readonly Dictionary<int, Slab> _slabs = [];
    private readonly Lock _gate = new();
    private readonly int _maxEntries;
    private readonly long _maxBytes;
    private Entry[] _entries = new Entry[16];
    private int _entryCount;
    private int _freeEntry = None;
    private int _head = None;
    private int _tail = None;
    private long _bytes;

    /// <summary>Creates the cache.</summary>
    /// <param name="options">The bounds; <see langword="null"/> for the defaults.</param>
    public MemoryEmbeddingCache(MemoryEmbeddingCacheOptions? options = null)
    {
        options ??= new MemoryEmbeddingCacheOptions();
        if (options.MaxEntries is int entries)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(entries, "options.MaxEntries");
        }

        if (options.MaxBytes is long bytes)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bytes, "options.MaxBytes");
        }

        _maxEntries = options.MaxEntries ?? int.MaxValue;
        _maxBytes = options.MaxBytes ?? long.MaxValue;
    }

    /// <inheritdoc />
    public string Name => "memory";

    /// <summary>Gets the number of vectors held.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _map.Count;
            }
        }
    }

    /// <summary>Gets the bytes counted against <see cref="MemoryEmbeddingCacheOptions.MaxBytes"/>.</summary>
    public long Bytes
    {
        get
        {
            lock (_gate)
            {
                return _bytes;
            }
        }
    }

    /// <inheritdoc />
    /// <remarks>Each vector found is a new array, which the caller may keep or modify.</remarks>
    public void GetMany(IReadOnlyList<EmbeddingCacheKey> keys, float[]?[] results)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(results);
        lock (_gate)
        {
            for (int i = 0; i < keys.Count; i++)
            {
                if (_map.TryGetValue(keys[i], out int index))
                {
                    Unlink(index);
                    LinkFirst(index);
                    ref Entry entry = ref _entries[index];
                    Slab slab = _slabs[entry.Length];
                    var vector = GC.AllocateUninitializedArray<float>(entry.Length);
                    slab.Span(entry.Slot).CopyTo(vector);
                    results[i] = vector;
                }
                else
                {
                    results[i] = null;
                }
            }
        }
    }

    /// <inheritdoc />
    /// <remarks>The vectors are copied; the caller keeps ownership of its arrays.</remarks>
    public void SetMany(IReadOnlyList<EmbeddingCacheKey> keys, IReadOnlyList<float[]> vectors)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(vectors);
        lock (_gate)
        {
            for (int i = 0; i < keys.Count; i++)
            {
                float[] vector = vectors[i];
                ArgumentNullException.ThrowIfNull(vector, nameof(vectors));
                long size = Size(vector.Length);
                if (size > _maxBytes)
                {
                    continue;
                }

                if (_map.Remove(keys[i], out int old))
                {
                    Release(old);
                }

                int index = Allocate();
                Slab slab = SlabFor(vector.Length);
                int slot = slab.Add(index);
                vector.CopyTo(slab.Span(slot));
                _entries[index] = new Entry { Key = keys[i], Length = vector.Length, Slot = slot };
                LinkFirst(index);
                _map[keys[i]] = index;
                _bytes += size;
                while (_map.Count > _maxEntries || _bytes > _maxBytes)
                {
                    int last = _tail;
                    _map.Remove(_entries[last].Key);
                    Release(last);
                }
            }
        }
    }

    private static long Size(int length) => ((long)length * sizeof(float)) + EntryOverheadBytes;

    private Slab SlabFor(int length)
    {
        if (!_slabs.TryGetValue(length, out Slab? slab))
        {
            slab = new Slab(length);
            _slabs[length] = slab;
        }

        return slab;
    }

    private int Allocate()
    {
        if (_freeEntry != None)
        {
            int free = _freeEntry;
            _freeEntry = _entries[free].Next;
            return free;
        }

        if (_entryCount == _entries.Length)
        {
            Array.Resize(ref _entries, _entries.Length * 2);
        }

        return _entryCount++;
    }

    /// <summary>Unlinks an entry that has left the map, frees its slot and returns it to the free list.</summary>
    private void Release(int index)
    {
        Unlink(index);
        ref Entry entry = ref _entries[index];
        _bytes -= Size(entry.Length);
        Slab slab = _slabs[entry.Length];
        int moved = slab.Remove(entry.Slot);
        if (moved != None)
        {
            _entries[moved].Slot = entry.Slot;
        }

        entry = new Entry { Next = _freeEntry };
        _freeEntry = index;
    }

    private void LinkFirst(int index)
    {
        ref Entry entry = ref _entries[index];
        entry.Previous = None;
        entry.Next = _head;
        if (_head != None)
        {
            _entries[_head].Previous = index;
        }

        _head = index;
        if (_tail == None)
        {
            _tail = index;
        }
    }

    private void Unlink(int index)
    {
        ref Entry entry = ref _entries[index];
        if (entry.Previous != None)
        {
            _entries[entry.Previous].Next = entry.Next;
        }
        else
        {
            _head = entry.Next;
        }

        if (entry.Next != None)
        {
            _entries[entry.Next].Previous = entry.Previous;
        }
        else
        {
            _tail = entry.Previous;
        }

        entry.Previous = None;
        entry.Next = None;
    }

    /// <summary>One cached vector: its key, where its floats are, and its neighbours in recency order (or the next free entry).</summary>
    private struct Entry
    {
        public EmbeddingCacheKey Key;
        public int Length;
        public int Slot;
        public int Previous;
        public int Next;
    }

    /// <summary>
    /// The floats of every vector of one length, in dense slots 0..Count-1 spread over large arrays; removing a slot moves
    /// the last one into it, so the arrays beyond the last slot can be dropped.
    /// </summary>
    private sealed class Slab(int length)
    {
        private readonly int _slotsPerArray = Math.Max(1, SlabFloats / length);
        private readonly List<float[]> _arrays = [];
        private int[] _owners = new int[16];

        public int Count { get; private set; }

        public Span<float> Span(int slot) =>
            _arrays[slot / _slotsPerArray].AsSpan((slot % _slotsPerArray) * length, length);

        /// <summary>Takes the next slot for the entry <paramref name="owner"/>.</summary>
        public int Add(int owner)
        {
            int slot = Count;
            if (slot / _slotsPerArray == _arrays.Count)
            {
                _arrays.Add(GC.AllocateUninitializedArray<float>(_slotsPerArray * length));
            }

            if (slot == _owners.Length)
            {
                Array.Resize(ref _owners, _owners.Length * 2);
            }

            _owners[slot] = owner;
            Count++;
            return slot;
        }

        /// <summary>Frees <paramref name="slot"/> by moving the last slot into it.</summary>
        /// <returns>The entry whose slot is now <paramref name="slot"/>, or -1 when the freed slot was the last.</returns>
        public int Remove(int slot)
        {
            int last = Count - 1;
            int moved = None;
            if (slot != last)
            {
                Span(last).CopyTo(Span(slot));
                moved = _owners[last];
                _owners[slot] = moved;
            }

            Count = last;

            // Keep one spare array so a length that hovers at an array boundary does not allocate on every insert.
            int needed = (Count + _slotsPerArray - 1) / _slotsPerArray;
            if (_arrays.Count > needed + 1)
            {
                _arrays.RemoveAt(_arrays.Count - 1);
            }

            return moved;
        }
    }
}
