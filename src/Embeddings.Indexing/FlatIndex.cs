using System.Buffers;
using Embeddings.Indexing.Internal;

namespace Embeddings;

/// <summary>
/// Exact nearest-neighbour search: every query scans every record with SIMD kernels into a bounded top-k heap.
/// Cosine vectors are normalized once on insert so a search costs one dot product per record. Rows are kept
/// contiguous (a removal moves the last row into the hole), and a search over many records may be split across
/// threads (<see cref="FlatIndexOptions.MaxDegreeOfParallelism"/>).
/// </summary>
/// <remarks>
/// Concurrency: searches run in parallel with each other; an upsert or remove waits for running searches and
/// briefly holds searches back, so each search sees the collection before or after it.
/// </remarks>
public sealed class FlatIndex : InMemoryVectorIndex
{
    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);
    private readonly Dictionary<string, int> _rows = new(StringComparer.Ordinal);
    private readonly FlatStorage _storage;
    private readonly int _maxDegreeOfParallelism;
    private readonly int _parallelThreshold;
    private string[] _keys;
    private IReadOnlyDictionary<string, object?>?[] _metadata;
    private int _count;

    /// <summary>Creates an empty index.</summary>
    /// <param name="dimensions">The vector length; positive.</param>
    /// <param name="metric">The metric.</param>
    /// <param name="options">Storage and threading; <see langword="null"/> for the defaults.</param>
    /// <param name="fingerprint">The embedder fingerprint the index is locked to, or <see langword="null"/>.</param>
    public FlatIndex(int dimensions, DistanceMetric metric = DistanceMetric.Cosine, FlatIndexOptions? options = null, EmbedderFingerprint? fingerprint = null)
        : base(dimensions, metric, fingerprint)
    {
        options ??= new FlatIndexOptions();
        options.Validate();
        _storage = FlatStorage.Create(options.Storage, dimensions, metric, options.InitialCapacity, options.Quantizer);
        _maxDegreeOfParallelism = options.MaxDegreeOfParallelism;
        _parallelThreshold = options.ParallelThreshold;
        _keys = new string[options.InitialCapacity];
        _metadata = new IReadOnlyDictionary<string, object?>?[options.InitialCapacity];
    }

    /// <summary>Gets how vectors are stored.</summary>
    public VectorStorageKind Storage => _storage.Kind;

    /// <summary>Gets the quantizer whose codes the index stores, or <see langword="null"/> for float storage.</summary>
    public IVectorQuantizer? Quantizer => (_storage as QuantizedFlatStorage)?.Quantizer;

    /// <summary>Gets the bytes one stored vector occupies.</summary>
    public int BytesPerVector => _storage.BytesPerRow;

    /// <inheritdoc />
    public override long Count => Volatile.Read(ref _count);

    private protected override string Description => "flat index";

    /// <summary>Loads an index saved with <see cref="InMemoryVectorIndex.Save"/>.</summary>
    /// <param name="path">The file.</param>
    /// <param name="maxDegreeOfParallelism">How many threads one search may use after loading; positive.</param>
    /// <returns>The index.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a flat index file, is truncated or corrupt, or has a newer format version.</exception>
    public static FlatIndex Load(string path, int maxDegreeOfParallelism = 1)
    {
        using IndexFileReader reader = IndexFileReader.Open(path, IndexKind.Flat);
        (int dimensions, DistanceMetric metric, EmbedderFingerprint? fingerprint) = ReadCommonHeader(reader);
        int storage = reader.ReadInt32();
        reader.Require(Enum.IsDefined((VectorStorageKind)storage), $"storage kind {storage}");
        int count = reader.ReadInt32();
        reader.Require(count >= 0 && (long)Math.Max(count, 16) * dimensions <= Array.MaxLength, $"record count {count} of {dimensions} dimensions");
        IVectorQuantizer? quantizer = storage == (int)VectorStorageKind.Quantized ? QuantizedFlatStorage.ReadQuantizer(reader) : null;
        reader.Require(quantizer is null || quantizer.Dimensions == dimensions, "quantizer dimensions");

        // Each record takes its row, a key (length and at least one byte) and a metadata count; checked before the
        // count sizes any array, so a crafted count is refused instead of allocated.
        long rowBytes = storage switch
        {
            (int)VectorStorageKind.Float32 => dimensions * 4L,
            (int)VectorStorageKind.Float16 => dimensions * 2L,
            _ => quantizer!.BytesPerVector,
        };
        reader.Require(count * (rowBytes + 9) <= reader.Remaining, $"record count {count} ({count * (rowBytes + 9)} bytes needed, {reader.Remaining} present)");
        var index = new FlatIndex(
            dimensions,
            metric,
            new FlatIndexOptions { Storage = (VectorStorageKind)storage, Quantizer = quantizer, InitialCapacity = Math.Max(count, 16), MaxDegreeOfParallelism = maxDegreeOfParallelism },
            fingerprint);
        index._storage.Read(reader, count);
        for (int i = 0; i < count; i++)
        {
            string key = reader.ReadString() ?? throw reader.Corrupt($"record {i} has no key");
            reader.Require(key.Length > 0 && index._rows.TryAdd(key, i), $"key '{key}' of record {i} (empty or duplicate)");
            index._keys[i] = key;
            index._metadata[i] = reader.ReadMetadata();
        }

        reader.EnsureAtEnd();
        index._count = count;
        return index;
    }

    /// <remarks>Cosine vectors are normalized before they are stored, so only the other metrics can overflow half precision.</remarks>
    private protected override void CheckStorable(ReadOnlySpan<float> vector, string paramName)
    {
        bool half = _storage.Kind == VectorStorageKind.Float16 || (_storage as QuantizedFlatStorage)?.Quantizer is Float16Quantizer;
        if (half && Metric != DistanceMetric.Cosine)
        {
            VectorQuantizer.CheckHalfRange(vector, paramName);
        }
    }

    private protected override void AddCore(string key, ReadOnlySpan<float> vector, IReadOnlyDictionary<string, object?>? metadata)
    {
        float[] rented = ArrayPool<float>.Shared.Rent(Dimensions);
        try
        {
            Span<float> prepared = rented.AsSpan(0, Dimensions);
            PrepareQuery(vector, prepared);
            _lock.EnterWriteLock();
            try
            {
                if (!_rows.TryGetValue(key, out int row))
                {
                    row = _count;
                    if (row == _keys.Length)
                    {
                        int capacity = (int)Math.Min(_keys.Length * 2L, Array.MaxLength / Dimensions);
                        if (capacity <= row)
                        {
                            throw new InvalidOperationException($"The flat index is full at {row} records of {Dimensions} dimensions.");
                        }

                        Array.Resize(ref _keys, capacity);
                        Array.Resize(ref _metadata, capacity);
                    }

                    _storage.EnsureCapacity(row + 1);
                    _rows[key] = row;
                    _keys[row] = key;
                    Volatile.Write(ref _count, row + 1);
                }

                _storage.Set(row, prepared);
                _metadata[row] = metadata;
            }
            finally
            {
                _lock.ExitWriteLock();
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(rented);
        }
    }

    private protected override bool RemoveCore(string key)
    {
        _lock.EnterWriteLock();
        try
        {
            if (!_rows.Remove(key, out int row))
            {
                return false;
            }

            int last = _count - 1;
            if (row != last)
            {
                _storage.Move(last, row);
                _keys[row] = _keys[last];
                _metadata[row] = _metadata[last];
                _rows[_keys[row]] = row;
            }

            _keys[last] = null!;
            _metadata[last] = null;
            Volatile.Write(ref _count, last);
            return true;
        }
        finally
        {
            _lock.ExitWriteLock();
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
        _lock.EnterReadLock();
        try
        {
            SearchScratch scratch = SearchScratch.Rent(0, Dimensions);
            Span<float> q = scratch.Query.AsSpan(0, Dimensions);
            PrepareQuery(query, q);
            NeighborHeap heap = scratch.Results;
            heap.Clear();
            MetadataFilter? filter = options?.Filter;
            int count = _count;
            if (filter is not null)
            {
                ScanFiltered(q, k, filter, heap);
            }
            else if (_maxDegreeOfParallelism > 1 && count >= _parallelThreshold)
            {
                ScanParallel(scratch.Query, count, k, heap);
            }
            else
            {
                _storage.Scan(q, 0, count, k, heap);
            }

            scratch.EnsureSelectionCapacity(heap.Count);
            int n = heap.DrainAscending(scratch.Sorted);
            n = Math.Min(n, keys.Length);
            for (int i = 0; i < n; i++)
            {
                int row = scratch.Sorted[i].Id;
                keys[i] = _keys[row];
                scores[i] = _storage.ToScore(scratch.Sorted[i].Distance);
                if (!metadata.IsEmpty)
                {
                    metadata[i] = _metadata[row];
                }
            }

            return n;
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <summary>
    /// Searches many queries at once. Float32 rows are scored by a register-blocked kernel that passes each block of
    /// rows (kept in cache) under a block of queries, so memory traffic is paid once per block of queries instead
    /// of once per query; other storage kinds scan query by query. Results equal those of
    /// <see cref="InMemoryVectorIndex.Search(ReadOnlySpan{float}, int, VectorSearchOptions?)"/> per query, up to
    /// float rounding in the order of summation.
    /// </summary>
    /// <param name="queries">The queries back to back: a positive multiple of <see cref="IVectorIndex.Dimensions"/> floats, each query finite.</param>
    /// <param name="k">How many results per query at most; positive.</param>
    /// <param name="options">Filter and fingerprint, shared by every query; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Cancels between blocks of queries.</param>
    /// <returns>One list per query, in query order, each by descending score.</returns>
    /// <exception cref="ArgumentException">The length of <paramref name="queries"/> is not a positive multiple of the dimensions, or a query has a non-finite value.</exception>
    public IReadOnlyList<IReadOnlyList<VectorSearchResult>> SearchBatch(ReadOnlySpan<float> queries, int k, VectorSearchOptions? options = null, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        if (queries.IsEmpty || queries.Length % Dimensions != 0)
        {
            throw new ArgumentException($"queries holds {queries.Length} floats, which is not a positive multiple of the index's {Dimensions} dimensions.", nameof(queries));
        }

        int queryCount = queries.Length / Dimensions;
        int padded = (queryCount + BlockedScan.QueryTile - 1) / BlockedScan.QueryTile * BlockedScan.QueryTile;
        float[] prepared = ArrayPool<float>.Shared.Rent(padded * Dimensions);
        try
        {
            for (int i = 0; i < queryCount; i++)
            {
                ReadOnlySpan<float> query = queries.Slice(i * Dimensions, Dimensions);
                CheckQuery(query, options, $"queries[{i}]");
                PrepareQuery(query, prepared.AsSpan(i * Dimensions, Dimensions));
            }

            // The kernel always reads whole tiles; padding rows only need to be finite.
            prepared.AsSpan(queryCount * Dimensions, (padded - queryCount) * Dimensions).Clear();
            cancellationToken.ThrowIfCancellationRequested();
            _lock.EnterReadLock();
            try
            {
                int count = _count;
                var heaps = new NeighborHeap[queryCount];
                for (int i = 0; i < queryCount; i++)
                {
                    heaps[i] = new NeighborHeap(Math.Min(k, Math.Max(count, 1)));
                }

                List<(int Start, int End)> runs = AdmittedRuns(options?.Filter, count);
                int blocks = (queryCount + BlockedScan.QueryBlock - 1) / BlockedScan.QueryBlock;
                if (_maxDegreeOfParallelism > 1 && blocks > 1)
                {
                    Parallel.For(
                        0,
                        blocks,
                        new ParallelOptions { MaxDegreeOfParallelism = _maxDegreeOfParallelism, CancellationToken = cancellationToken },
                        () => new float[BlockedScan.ScratchLength(Dimensions)],
                        (block, _, scratch) =>
                        {
                            ScanBlock(prepared, block, queryCount, runs, k, heaps, scratch);
                            return scratch;
                        },
                        _ => { });
                }
                else
                {
                    var scratch = new float[BlockedScan.ScratchLength(Dimensions)];
                    for (int block = 0; block < blocks; block++)
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        ScanBlock(prepared, block, queryCount, runs, k, heaps, scratch);
                    }
                }

                return Materialize(heaps);
            }
            finally
            {
                _lock.ExitReadLock();
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(prepared);
        }
    }

    private protected override void SaveCore(string path)
    {
        // Writers take the lock exclusively, so a shared hold is a consistent snapshot that still lets searches run.
        _lock.EnterReadLock();
        try
        {
            using IndexFileWriter writer = IndexFileWriter.Create(path, IndexKind.Flat);
            WriteCommonHeader(writer);
            writer.WriteInt32((int)_storage.Kind);
            writer.WriteInt32(_count);
            _storage.Write(writer, _count);
            for (int i = 0; i < _count; i++)
            {
                writer.WriteString(_keys[i]);
                writer.WriteMetadata(_metadata[i]);
            }

            writer.Commit();
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    private protected override void DisposeCore() => _lock.Dispose();

    private void ScanFiltered(ReadOnlySpan<float> query, int k, MetadataFilter filter, NeighborHeap heap)
    {
        // Admitted rows are gathered a block at a time and scanned together, so the storage can prefetch ahead.
        Span<int> admitted = stackalloc int[256];
        int n = 0;
        for (int row = 0; row < _count; row++)
        {
            if (filter.Matches(_metadata[row]))
            {
                admitted[n++] = row;
                if (n == admitted.Length)
                {
                    _storage.ScanSelected(query, admitted, k, heap);
                    n = 0;
                }
            }
        }

        _storage.ScanSelected(query, admitted[..n], k, heap);
    }

    private void ScanBlock(float[] prepared, int block, int queryCount, List<(int Start, int End)> runs, int k, NeighborHeap[] heaps, float[] scratch)
    {
        int first = block * BlockedScan.QueryBlock;
        int n = Math.Min(BlockedScan.QueryBlock, queryCount - first);
        foreach ((int start, int end) in runs)
        {
            _storage.ScanBatch(prepared, first, n, start, end, k, heaps, scratch);
        }
    }

    /// <summary>The row ranges a filter admits, found once for the whole batch; one range of every row without a filter.</summary>
    private List<(int Start, int End)> AdmittedRuns(MetadataFilter? filter, int count)
    {
        var runs = new List<(int Start, int End)>();
        if (filter is null)
        {
            if (count > 0)
            {
                runs.Add((0, count));
            }

            return runs;
        }

        int start = -1;
        for (int row = 0; row <= count; row++)
        {
            bool admitted = row < count && filter.Matches(_metadata[row]);
            if (admitted && start < 0)
            {
                start = row;
            }
            else if (!admitted && start >= 0)
            {
                runs.Add((start, row));
                start = -1;
            }
        }

        return runs;
    }

    private IReadOnlyList<VectorSearchResult>[] Materialize(NeighborHeap[] heaps)
    {
        var results = new IReadOnlyList<VectorSearchResult>[heaps.Length];
        var sorted = new HeapEntry[heaps.Max(h => h.Count) + 1];
        for (int q = 0; q < heaps.Length; q++)
        {
            int n = heaps[q].DrainAscending(sorted);
            var hits = new VectorSearchResult[n];
            for (int i = 0; i < n; i++)
            {
                int row = sorted[i].Id;
                hits[i] = new VectorSearchResult(_keys[row], _storage.ToScore(sorted[i].Distance), _metadata[row]);
            }

            results[q] = hits;
        }

        return results;
    }

    private void ScanParallel(float[] query, int count, int k, NeighborHeap heap)
    {
        int parts = Math.Min(_maxDegreeOfParallelism, (count + 4095) / 4096);
        var partial = new NeighborHeap[parts];
        Parallel.For(
            0,
            parts,
            new ParallelOptions { MaxDegreeOfParallelism = _maxDegreeOfParallelism },
            part =>
            {
                var local = new NeighborHeap(k);
                int start = (int)((long)count * part / parts);
                int end = (int)((long)count * (part + 1) / parts);
                _storage.Scan(query.AsSpan(0, Dimensions), start, end, k, local);
                partial[part] = local;
            });
        foreach (NeighborHeap local in partial)
        {
            HeapEntry[] items = local.Items;
            for (int i = 0; i < local.Count; i++)
            {
                heap.PushBounded(items[i].Distance, items[i].Id, k);
            }
        }
    }
}
