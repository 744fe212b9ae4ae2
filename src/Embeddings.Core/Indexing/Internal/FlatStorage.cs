using System.Numerics.Tensors;
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

    public abstract void Write(IndexFileWriter writer, int rows);

    public abstract void Read(IndexFileReader reader, int rows);

    public static FlatStorage Create(VectorStorageKind kind, int dimensions, DistanceMetric metric, int capacity) => kind switch
    {
        VectorStorageKind.Float32 => new Float32FlatStorage(dimensions, metric, capacity),
        VectorStorageKind.Float16 => new Float16FlatStorage(dimensions, metric, capacity),
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

    public override void Write(IndexFileWriter writer, int rows) => writer.WriteSingles(_rows.AsSpan(0, rows * Dimensions));

    public override void Read(IndexFileReader reader, int rows)
    {
        EnsureCapacity(rows);
        reader.ReadSingles(_rows.AsSpan(0, rows * Dimensions));
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
        reader.ReadHalves(_rows.AsSpan(0, rows * Dimensions));
    }
}
