namespace Embeddings.Pipeline;

/// <summary>An in-memory least-recently-used vector store, bounded by entries, bytes or both.</summary>
public sealed class MemoryEmbeddingCache : IEmbeddingCacheStore
{
    /// <summary>The bytes counted per entry beyond the vector (key, list node and dictionary slot): 120.</summary>
    public const int EntryOverheadBytes = 120;

    private readonly Dictionary<EmbeddingCacheKey, LinkedListNode<Entry>> _map = [];
    private readonly LinkedList<Entry> _recency = new();
    private readonly Lock _gate = new();
    private readonly int _maxEntries;
    private readonly long _maxBytes;
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
    public void GetMany(IReadOnlyList<EmbeddingCacheKey> keys, float[]?[] results)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(results);
        lock (_gate)
        {
            for (int i = 0; i < keys.Count; i++)
            {
                if (_map.TryGetValue(keys[i], out LinkedListNode<Entry>? node))
                {
                    _recency.Remove(node);
                    _recency.AddFirst(node);
                    results[i] = node.Value.Vector;
                }
                else
                {
                    results[i] = null;
                }
            }
        }
    }

    /// <inheritdoc />
    public void SetMany(IReadOnlyList<EmbeddingCacheKey> keys, IReadOnlyList<float[]> vectors)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(vectors);
        lock (_gate)
        {
            for (int i = 0; i < keys.Count; i++)
            {
                long size = Size(vectors[i]);
                if (size > _maxBytes)
                {
                    continue;
                }

                if (_map.Remove(keys[i], out LinkedListNode<Entry>? old))
                {
                    _recency.Remove(old);
                    _bytes -= Size(old.Value.Vector);
                }

                _map[keys[i]] = _recency.AddFirst(new Entry(keys[i], vectors[i]));
                _bytes += size;
                while (_map.Count > _maxEntries || _bytes > _maxBytes)
                {
                    LinkedListNode<Entry> last = _recency.Last!;
                    _recency.RemoveLast();
                    _map.Remove(last.Value.Key);
                    _bytes -= Size(last.Value.Vector);
                }
            }
        }
    }

    private static long Size(float[] vector) => ((long)vector.Length * sizeof(float)) + EntryOverheadBytes;

    private sealed record Entry(EmbeddingCacheKey Key, float[] Vector);
}
