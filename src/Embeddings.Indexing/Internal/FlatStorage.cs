using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Embeddings.Indexing.Internal;

/// <summary>The rows of a <see cref="FlatIndex"/>: append, overwrite, move, and scan a row range into a top-k heap.</summary>
internal abstract class FlatStorage
{
    protected FlatStorage(int dimensions, DistanceMetric metric)
    {
        Dimensions = dimensions;
        Metric = metric;
    }

    public int Dimensions { get; }

    public DistanceMetric Metric { get; }

    public abstract VectorStorageKind Kind { get; }

    /// <summary>Gets the bytes one row occupies.</summary>
    public abstract int BytesPerRow { get; }

    public abstract void EnsureCapacity(int rows);

    /// <summary>Writes an already prepared (normalized for cosine) vector into <paramref name="row"/>.</summary>
    public abstract void Set(int row, ReadOnlySpan<float> vector);

    public abstract void Move(int from, int to);

    /// <summary>Scans rows [<paramref name="start"/>, <paramref name="end"/>) and keeps the <paramref name="k"/> closest in <paramref name="heap"/>.</summary>
    public abstract void Scan(ReadOnlySpan<float> query, int start, int end, int k, NeighborHeap heap);

    /// <summary>
    /// Scans rows [<paramref name="start"/>, <paramref name="end"/>) for prepared queries [<paramref name="firstQuery"/>,
    /// <paramref name="firstQuery"/> + <paramref name="queryCount"/>), padded to whole tiles, into one heap per query.
    /// </summary>
    public virtual void ScanBatch(ReadOnlySpan<float> queries, int firstQuery, int queryCount, int start, int end, int k, NeighborHeap[] heaps, Span<float> scratch)
    {
        for (int q = firstQuery; q < firstQuery + queryCount; q++)
        {
            Scan(queries.Slice(q * Dimensions, Dimensions), start, end, k, heaps[q]);
        }
    }

    /// <summary>
    /// Scans the given rows, ascending, and keeps the <paramref name="k"/> closest in <paramref name="heap"/>: the rows a
    /// filter admitted, pushed in the same order and with the same distances as <see cref="Scan"/> over their runs.
    /// </summary>
    public virtual void ScanSelected(ReadOnlySpan<float> query, ReadOnlySpan<int> rows, int k, NeighborHeap heap)
    {
        foreach (int row in rows)
        {
            Scan(query, row, row + 1, k, heap);
        }
    }

    public abstract void Write(IndexFileWriter writer, int rows);

    public abstract void Read(IndexFileReader reader, int rows);

    /// <summary>Turns a distance from <see cref="Scan"/> into the reported score.</summary>
    public virtual float ToScore(float distance) => IndexKernels.ToScore(Metric, distance);

    public static FlatStorage Create(VectorStorageKind kind, int dimensions, DistanceMetric metric, int capacity, IVectorQuantizer? quantizer) => kind switch
    {
        VectorStorageKind.Float32 => new Float32FlatStorage(dimensions, metric, capacity),
        VectorStorageKind.Float16 => new Float16FlatStorage(dimensions, metric, capacity),
        VectorStorageKind.Quantized => new QuantizedFlatStorage(dimensions, metric, capacity, quantizer!),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown storage kind."),
    };

    protected static void ScanRows<TDistance>(ref float query, ref float rows, int dims, int count, int firstId, int k, NeighborHeap heap)
        where TDistance : struct, IIndexDistance
    {
        for (int i = 0; i < count; i++)
        {
            float d = TDistance.Compute(ref query, ref System.Runtime.CompilerServices.Unsafe.Add(ref rows, (nint)i * dims), dims);
            if (heap.Count < k)
            {
                heap.Push(d, firstId + i);
            }
            else if (d < heap.TopDistance)
            {
                heap.ReplaceTop(d, firstId + i);
            }
        }
    }

    protected void ScanRows(ReadOnlySpan<float> query, ReadOnlySpan<float> rows, int count, int firstId, int k, NeighborHeap heap)
    {
        ref float q = ref MemoryMarshal.GetReference(query);
        ref float r = ref MemoryMarshal.GetReference(rows);
        switch (Metric)
        {
            case DistanceMetric.Cosine or DistanceMetric.DotProduct:
                ScanRows<NegativeDotDistance>(ref q, ref r, Dimensions, count, firstId, k, heap);
                break;
            case DistanceMetric.Euclidean or DistanceMetric.EuclideanSquared:
                ScanRows<SquaredL2Distance>(ref q, ref r, Dimensions, count, firstId, k, heap);
                break;
            default:
                ScanRows<ManhattanDistance>(ref q, ref r, Dimensions, count, firstId, k, heap);
                break;
        }
    }
}

/// <summary>Float32 rows in one contiguous array.</summary>
internal sealed class Float32FlatStorage : FlatStorage
{
    private float[] _rows;

    public Float32FlatStorage(int dimensions, DistanceMetric metric, int capacity)
        : base(dimensions, metric)
    {
        _rows = new float[checked(capacity * dimensions)];
    }

    public override VectorStorageKind Kind => VectorStorageKind.Float32;

    public override int BytesPerRow => Dimensions * sizeof(float);

    public override void EnsureCapacity(int rows)
    {
        long needed = (long)rows * Dimensions;
        if (needed > _rows.Length)
        {
            Array.Resize(ref _rows, (int)Math.Min(Math.Max(needed, _rows.Length * 2L), Array.MaxLength / Dimensions * (long)Dimensions));
        }
    }

    public override void Set(int row, ReadOnlySpan<float> vector) => vector.CopyTo(_rows.AsSpan(row * Dimensions, Dimensions));

    public override void Move(int from, int to) => Array.Copy(_rows, from * Dimensions, _rows, to * Dimensions, Dimensions);

    public override void Scan(ReadOnlySpan<float> query, int start, int end, int k, NeighborHeap heap) =>
        ScanRows(query, _rows.AsSpan(start * Dimensions, (end - start) * Dimensions), end - start, start, k, heap);

    public override void ScanBatch(ReadOnlySpan<float> queries, int firstQuery, int queryCount, int start, int end, int k, NeighborHeap[] heaps, Span<float> scratch) =>
        BlockedScan.Scan(Metric, queries, firstQuery, queryCount, _rows, Dimensions, start, end, k, heaps, scratch);

    public override void ScanSelected(ReadOnlySpan<float> query, ReadOnlySpan<int> rows, int k, NeighborHeap heap)
    {
        switch (Metric)
        {
            case DistanceMetric.Cosine or DistanceMetric.DotProduct:
                ScanSelected<NegativeDotDistance>(query, rows, k, heap);
                break;
            case DistanceMetric.Euclidean or DistanceMetric.EuclideanSquared:
                ScanSelected<SquaredL2Distance>(query, rows, k, heap);
                break;
            default:
                ScanSelected<ManhattanDistance>(query, rows, k, heap);
                break;
        }
    }

    public override void Write(IndexFileWriter writer, int rows) => writer.WriteSingles(_rows.AsSpan(0, rows * Dimensions));

    public override void Read(IndexFileReader reader, int rows)
    {
        EnsureCapacity(rows);
        Span<float> values = _rows.AsSpan(0, rows * Dimensions);
        reader.ReadSingles(values);
        reader.Require(values.IsEmpty || TensorPrimitives.IsFiniteAll(values), "a stored vector value (NaN or infinite)");
    }

    private void ScanSelected<TDistance>(ReadOnlySpan<float> query, ReadOnlySpan<int> rows, int k, NeighborHeap heap)
        where TDistance : struct, IIndexDistance
    {
        // Admitted rows are scattered, so the hardware prefetcher, which follows sequential lines within a page,
        // misses each one; asking for the row a few ahead overlaps its load with the current row's distance.
        const int Ahead = 4;
        int dims = Dimensions;
        int lines = ((dims * sizeof(float)) + 63) / 64;
        ref float q = ref MemoryMarshal.GetReference(query);
        ref float data = ref MemoryMarshal.GetArrayDataReference(_rows);
        for (int i = 0; i < Math.Min(Ahead, rows.Length); i++)
        {
            HnswKernels.Prefetch(ref Unsafe.Add(ref data, (nint)rows[i] * dims), lines);
        }

        for (int i = 0; i < rows.Length; i++)
        {
            if (i + Ahead < rows.Length)
            {
                HnswKernels.Prefetch(ref Unsafe.Add(ref data, (nint)rows[i + Ahead] * dims), lines);
            }

            ScanRows<TDistance>(ref q, ref Unsafe.Add(ref data, (nint)rows[i] * dims), dims, 1, rows[i], k, heap);
        }
    }
}

/// <summary>Float16 rows, widened to float32 a block at a time for scoring.</summary>
internal sealed class Float16FlatStorage : FlatStorage
{
    private const int BlockRows = 64;

    [ThreadStatic]
    private static float[]? t_block;

    private Half[] _rows;

    public Float16FlatStorage(int dimensions, DistanceMetric metric, int capacity)
        : base(dimensions, metric)
    {
        _rows = new Half[checked(capacity * dimensions)];
    }

    public override VectorStorageKind Kind => VectorStorageKind.Float16;

    public override int BytesPerRow => Dimensions * 2;

    public override void EnsureCapacity(int rows)
    {
        long needed = (long)rows * Dimensions;
        if (needed > _rows.Length)
        {
            Array.Resize(ref _rows, (int)Math.Min(Math.Max(needed, _rows.Length * 2L), Array.MaxLength / Dimensions * (long)Dimensions));
        }
    }

    public override void Set(int row, ReadOnlySpan<float> vector) => TensorPrimitives.ConvertToHalf(vector, _rows.AsSpan(row * Dimensions, Dimensions));

    public override void Move(int from, int to) => Array.Copy(_rows, from * Dimensions, _rows, to * Dimensions, Dimensions);

    public override void Scan(ReadOnlySpan<float> query, int start, int end, int k, NeighborHeap heap)
    {
        int blockLength = BlockRows * Dimensions;
        float[] block = t_block is { } cached && cached.Length >= blockLength ? cached : (t_block = new float[blockLength]);
        for (int first = start; first < end; first += BlockRows)
        {
            int rows = Math.Min(BlockRows, end - first);
            Span<float> widened = block.AsSpan(0, rows * Dimensions);
            TensorPrimitives.ConvertToSingle(_rows.AsSpan(first * Dimensions, rows * Dimensions), widened);
            ScanRows(query, widened, rows, first, k, heap);
        }
    }

    public override void Write(IndexFileWriter writer, int rows) => writer.WriteHalves(_rows.AsSpan(0, rows * Dimensions));

    public override void Read(IndexFileReader reader, int rows)
    {
        EnsureCapacity(rows);
        Span<Half> values = _rows.AsSpan(0, rows * Dimensions);
        reader.ReadHalves(values);
        reader.Require(values.IsEmpty || TensorPrimitives.IsFiniteAll(values), "a stored vector value (NaN or infinite)");
    }
}

/// <summary>
/// Quantizer codes back to back; a search scores blocks of codes with the quantizer's asymmetric scorer (the query
/// stays float). Cosine vectors are normalized before encoding and scored by dot product.
/// </summary>
internal sealed class QuantizedFlatStorage : FlatStorage
{
    private const int BlockRows = 256;

    [ThreadStatic]
    private static float[]? t_scores;

    private readonly int _codeBytes;
    private readonly ProductCodeBlocks? _blocks;
    private byte[] _codes;

    public QuantizedFlatStorage(int dimensions, DistanceMetric metric, int capacity, IVectorQuantizer quantizer)
        : base(dimensions, metric)
    {
        ArgumentNullException.ThrowIfNull(quantizer);
        if (quantizer.Dimensions != dimensions)
        {
            throw new ArgumentException($"Dimension mismatch: the quantizer encodes {quantizer.Dimensions}-dimensional vectors, the index holds {dimensions}.", nameof(quantizer));
        }

        Quantizer = quantizer;
        _codeBytes = quantizer.BytesPerVector;

        // 8-bit PQ codes live in 64-code blocks where the CPU can scan them with byte tables; the results are the
        // same as over back-to-back codes, several times faster.
        if (quantizer is ProductQuantizer { Centroids: 256, Subspaces: <= 256 } && ProductCodeBlocks.IsHardwareAccelerated)
        {
            _blocks = new ProductCodeBlocks(_codeBytes, capacity);
            _codes = [];
        }
        else
        {
            _codes = new byte[checked(capacity * _codeBytes)];
        }
    }

    public IVectorQuantizer Quantizer { get; }

    public override VectorStorageKind Kind => VectorStorageKind.Quantized;

    public override int BytesPerRow => _codeBytes;

    private DistanceMetric ScorerMetric => Metric == DistanceMetric.Cosine ? DistanceMetric.DotProduct : Metric;

    public override float ToScore(float distance) => -distance;

    public override void EnsureCapacity(int rows)
    {
        if (_blocks is not null)
        {
            _blocks.EnsureCapacity(rows);
            return;
        }

        long needed = (long)rows * _codeBytes;
        if (needed > _codes.Length)
        {
            Array.Resize(ref _codes, (int)Math.Min(Math.Max(needed, _codes.Length * 2L), Array.MaxLength / _codeBytes * (long)_codeBytes));
        }
    }

    public override void Set(int row, ReadOnlySpan<float> vector)
    {
        if (_blocks is null)
        {
            Quantizer.Encode(vector, _codes.AsSpan(row * _codeBytes, _codeBytes));
            return;
        }

        Span<byte> code = stackalloc byte[_codeBytes];
        Quantizer.Encode(vector, code);
        _blocks.Set(row, code);
    }

    public override void Move(int from, int to)
    {
        if (_blocks is null)
        {
            Array.Copy(_codes, from * _codeBytes, _codes, to * _codeBytes, _codeBytes);
        }
        else
        {
            _blocks.Move(from, to);
        }
    }

    public override void Scan(ReadOnlySpan<float> query, int start, int end, int k, NeighborHeap heap)
    {
        QuantizedQueryScorer scorer = Quantizer.CreateScorer(query, ScorerMetric);
        if (_blocks is not null)
        {
            var sink = new NeighborHeapSink(heap, k);
            _blocks.Scan((ProductQuantizer.TableScorer)scorer, start, end, ref sink, accelerate: true);
            return;
        }

        float[] scores = t_scores ??= new float[BlockRows];
        for (int first = start; first < end; first += BlockRows)
        {
            int rows = Math.Min(BlockRows, end - first);
            scorer.ScoreMany(_codes.AsSpan(first * _codeBytes, rows * _codeBytes), scores.AsSpan(0, rows));
            for (int i = 0; i < rows; i++)
            {
                heap.PushBounded(-scores[i], first + i, k);
            }
        }
    }

    public override void Write(IndexFileWriter writer, int rows)
    {
        using var buffer = new MemoryStream();
        Quantizer.Save(buffer);
        writer.WriteInt32(checked((int)buffer.Length));
        writer.WriteBytes(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
        if (_blocks is null)
        {
            writer.WriteBytes(_codes.AsSpan(0, rows * _codeBytes));
            return;
        }

        // The file keeps codes back to back whatever the memory layout, so files move between machines.
        Span<byte> code = stackalloc byte[_codeBytes];
        for (int row = 0; row < rows; row++)
        {
            _blocks.CopyTo(row, code);
            writer.WriteBytes(code);
        }
    }

    public override void Read(IndexFileReader reader, int rows)
    {
        // The quantizer itself was read by ReadQuantizer before this storage was built.
        EnsureCapacity(rows);
        if (_blocks is null)
        {
            Span<byte> codes = _codes.AsSpan(0, rows * _codeBytes);
            reader.ReadBytes(codes);
            CheckCodes(reader, codes);
            return;
        }

        Span<byte> code = stackalloc byte[_codeBytes];
        for (int row = 0; row < rows; row++)
        {
            reader.ReadBytes(code);
            CheckCodes(reader, code);
            _blocks.Set(row, code);
        }
    }

    /// <summary>
    /// Checks loaded codes the way Encode would have made them: float codes finite, PQ sub-codes below the
    /// centroid count (the scorers index tables with them). The file's checksum only proves the bytes are the ones saved.
    /// </summary>
    private void CheckCodes(IndexFileReader reader, ReadOnlySpan<byte> codes)
    {
        switch (Quantizer)
        {
            case ProductQuantizer pq:
                try
                {
                    ProductQuantizer.TableScorer.CheckSubCodes(codes, pq.Centroids, pq.Subspaces);
                }
                catch (ArgumentException e)
                {
                    throw reader.Corrupt(e.Message.TrimEnd('.'));
                }

                break;
            case Float32Quantizer or MatryoshkaPrefixQuantizer:
                reader.Require(TensorPrimitives.IsFiniteAll(MemoryMarshal.Cast<byte, float>(codes)), "a stored float value (NaN or infinite)");
                break;
            case Float16Quantizer:
                reader.Require(TensorPrimitives.IsFiniteAll(MemoryMarshal.Cast<byte, Half>(codes)), "a stored half-precision value (NaN or infinite)");
                break;
        }
    }

    public static IVectorQuantizer ReadQuantizer(IndexFileReader reader)
    {
        int length = reader.ReadInt32();
        reader.Require(length > 0 && length <= reader.Remaining, $"quantizer length {length}");
        var bytes = new byte[length];
        reader.ReadBytes(bytes);
        try
        {
            return VectorQuantizer.Load(new MemoryStream(bytes, writable: false));
        }
        catch (Exception e) when (e is InvalidDataException or ArgumentException or EndOfStreamException or FormatException)
        {
            throw reader.Corrupt($"its quantizer cannot be read ({e.Message})");
        }
    }

}
