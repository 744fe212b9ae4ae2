using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Embeddings;

/// <summary>
/// Growable storage of product-quantization codes (one byte per sub-code) in blocks of 64, each block sub-code-major, with the
/// exact scan that <see cref="PackedProductCodes"/> and the PQ-backed <see cref="FlatIndex"/> share.
/// </summary>
internal sealed class ProductCodeBlocks
{
    public const int BlockSize = 64;

    private readonly int _subspaces;
    private byte[] _blocks;

    public ProductCodeBlocks(int subspaces, int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(subspaces);
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        _subspaces = subspaces;
        _blocks = new byte[checked(BlocksFor(capacity) * subspaces * BlockSize)];
    }

    /// <summary>Gets a value indicating whether this CPU runs the byte-table first pass (AVX-512 VBMI and BMI2).</summary>
    public static bool IsHardwareAccelerated => Avx512Vbmi.IsSupported && Bmi2.X64.IsSupported;

    public long SizeInBytes => _blocks.LongLength;

    private int BlockBytes => _subspaces * BlockSize;

    /// <summary>Whether the byte-table pass applies: 256 centroids, sums that fit 16 bits, and a score that grows with the table sum.</summary>
    public static bool SupportsByteTables(ProductQuantizer.TableScorer scorer) =>
        IsHardwareAccelerated && scorer.Centroids == 256 && scorer.BytesPerVector <= 256 && scorer.Metric != DistanceMetric.Cosine;

    public void EnsureCapacity(int rows)
    {
        long needed = (long)BlocksFor(rows) * BlockBytes;
        if (needed > _blocks.Length)
        {
            long grown = Math.Max(needed, _blocks.Length * 2L);
            Array.Resize(ref _blocks, (int)Math.Min(grown, Array.MaxLength / BlockBytes * (long)BlockBytes));
        }
    }

    public void Set(int row, ReadOnlySpan<byte> code)
    {
        int offset = Offset(row);
        for (int j = 0; j < _subspaces; j++)
        {
            _blocks[offset + (j * BlockSize)] = code[j];
        }
    }

    public void CopyTo(int row, Span<byte> code)
    {
        int offset = Offset(row);
        for (int j = 0; j < _subspaces; j++)
        {
            code[j] = _blocks[offset + (j * BlockSize)];
        }
    }

    public void Move(int from, int to)
    {
        int source = Offset(from);
        int target = Offset(to);
        for (int j = 0; j < _subspaces; j++)
        {
            _blocks[target + (j * BlockSize)] = _blocks[source + (j * BlockSize)];
        }
    }

    /// <summary>
    /// Offers every code in [<paramref name="start"/>, <paramref name="end"/>) that could enter <paramref name="sink"/>,
    /// scored exactly as <paramref name="scorer"/> scores it, in ascending index order.
    /// </summary>
    public void Scan<TSink>(ProductQuantizer.TableScorer scorer, int start, int end, ref TSink sink, bool accelerate)
#if NET9_0_OR_GREATER
        where TSink : IScoreSink, allows ref struct
#else
        where TSink : struct, IScoreSink
#endif
    {
        if (start >= end)
        {
            return;
        }

        if (accelerate && SupportsByteTables(scorer))
        {
            ScanWithByteTables(scorer, start, end, ref sink);
        }
        else
        {
            ScanWithFloatTables(scorer, start, end, ref sink);
        }
    }

    private static int BlocksFor(int rows) => (rows + BlockSize - 1) / BlockSize;

    /// <summary>Maps the k-th best score to the smallest "gain" (the table sum, negated for distances) a code needs to beat it, erring low.</summary>
    private static double GainThreshold(DistanceMetric metric, float threshold)
    {
        if (float.IsNegativeInfinity(threshold))
        {
            return double.NegativeInfinity;
        }

        // The gain is the score itself for dot products (+sum) and squared or Manhattan distances (-sum); Euclidean
        // scores -sqrt(sum), so nothing beats a threshold of 0 or more, and otherwise the sum must stay under
        // threshold², with relative slack for the rounding of the square root.
        return metric != DistanceMetric.Euclidean ? threshold
            : threshold >= 0f ? double.PositiveInfinity
            : -((double)threshold * threshold * (1 + 1e-6));
    }

    /// <summary>Lanes of the block starting at <paramref name="first"/> that lie inside [start, end).</summary>
    private static ulong LanesInRange(int first, int start, int end)
    {
        ulong lanes = ulong.MaxValue;
        if (start > first)
        {
            lanes <<= start - first;
        }

        if (end - first < BlockSize)
        {
            lanes &= (1UL << (end - first)) - 1;
        }

        return lanes;
    }

    private int Offset(int row) => (row / BlockSize * BlockBytes) + (row % BlockSize);

    private void ScanWithFloatTables<TSink>(ProductQuantizer.TableScorer scorer, int start, int end, ref TSink sink)
#if NET9_0_OR_GREATER
        where TSink : IScoreSink, allows ref struct
#else
        where TSink : struct, IScoreSink
#endif
    {
        int m = _subspaces;
        byte[]? rented = null;
        Span<byte> unpacked = m <= 64 ? stackalloc byte[BlockSize * 64] : (rented = ArrayPool<byte>.Shared.Rent(BlockSize * m));
        Span<float> scores = stackalloc float[BlockSize];
        for (int first = start / BlockSize * BlockSize; first < end; first += BlockSize)
        {
            int from = Math.Max(start, first) - first;
            int to = Math.Min(end, first + BlockSize) - first;
            int n = to - from;
            ReadOnlySpan<byte> block = _blocks.AsSpan(first / BlockSize * BlockBytes, BlockBytes);
            for (int j = 0; j < m; j++)
            {
                ReadOnlySpan<byte> slice = block.Slice((j * BlockSize) + from, n);
                for (int lane = 0; lane < n; lane++)
                {
                    unpacked[(lane * m) + j] = slice[lane];
                }
            }

            scorer.ScoreMany(unpacked[..(n * m)], scores[..n]);
            for (int lane = 0; lane < n; lane++)
            {
                if (scores[lane] > sink.Threshold)
                {
                    sink.Add(scores[lane], first + from + lane);
                }
            }
        }

        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private void ScanWithByteTables<TSink>(ProductQuantizer.TableScorer scorer, int start, int end, ref TSink sink)
#if NET9_0_OR_GREATER
        where TSink : IScoreSink, allows ref struct
#else
        where TSink : struct, IScoreSink
#endif
    {
        int m = _subspaces;
        DistanceMetric metric = scorer.Metric;
        ByteTables tables = ByteTables.Create(scorer.Table, m, metric == DistanceMetric.DotProduct ? 1f : -1f);
        ref byte lut = ref MemoryMarshal.GetArrayDataReference(tables.Values);
        ref byte packed = ref MemoryMarshal.GetArrayDataReference(_blocks);
        Span<byte> code = stackalloc byte[m];
        Vector512<ushort> lowBytes = Vector512.Create((ushort)0x00FF);
        for (int first = start / BlockSize * BlockSize; first < end; first += BlockSize)
        {
            ref byte block = ref Unsafe.Add(ref packed, first / BlockSize * BlockBytes);
            double bound = tables.SumBound(GainThreshold(metric, sink.Threshold));
            ulong survivors;
            if (bound < 0)
            {
                survivors = ulong.MaxValue;
            }
            else if (bound >= ushort.MaxValue)
            {
                survivors = 0;
            }
            else
            {
                // Even and odd bytes of each 16-bit lane accumulate apart, so sums of up to 256 bytes cannot overflow.
                Vector512<ushort> even = Vector512<ushort>.Zero;
                Vector512<ushort> odd = Vector512<ushort>.Zero;
                for (int j = 0; j < m; j++)
                {
                    Vector512<byte> subCodes = Vector512.LoadUnsafe(ref block, (nuint)(j * BlockSize));
                    ref byte row = ref Unsafe.Add(ref lut, j * 256);
                    Vector512<byte> low = Avx512Vbmi.PermuteVar64x8x2(Vector512.LoadUnsafe(ref row), subCodes, Vector512.LoadUnsafe(ref row, 64));
                    Vector512<byte> high = Avx512Vbmi.PermuteVar64x8x2(Vector512.LoadUnsafe(ref row, 128), subCodes, Vector512.LoadUnsafe(ref row, 192));
                    Vector512<ushort> values = Vector512.ConditionalSelect(Vector512.LessThan(subCodes.AsSByte(), Vector512<sbyte>.Zero).AsByte(), high, low).AsUInt16();
                    even += values & lowBytes;
                    odd += Vector512.ShiftRightLogical(values, 8);
                }

                var limit = Vector512.Create((ushort)Math.Floor(bound));
                ulong evenMask = Vector512.GreaterThan(even, limit).ExtractMostSignificantBits();
                ulong oddMask = Vector512.GreaterThan(odd, limit).ExtractMostSignificantBits();
                survivors = Bmi2.X64.ParallelBitDeposit(evenMask, 0x5555555555555555UL) | Bmi2.X64.ParallelBitDeposit(oddMask, 0xAAAAAAAAAAAAAAAAUL);
            }

            survivors &= LanesInRange(first, start, end);

            // Ascending lanes keep the scan's tie order: an equal score offered later never displaces an earlier one.
            while (survivors != 0)
            {
                int lane = BitOperations.TrailingZeroCount(survivors);
                survivors &= survivors - 1;
                for (int j = 0; j < m; j++)
                {
                    code[j] = Unsafe.Add(ref block, (j * BlockSize) + lane);
                }

                float score = scorer.ScoreCode(code);
                if (score > sink.Threshold)
                {
                    sink.Add(score, first + lane);
                }
            }
        }
    }

    /// <summary>The query's tables rounded to bytes: one scale for all slices, each slice shifted to start at zero.</summary>
    private readonly struct ByteTables
    {
        private readonly double _scale;
        private readonly double _minimumSum;
        private readonly double _slack;

        private ByteTables(byte[] values, double scale, double minimumSum, double slack)
        {
            Values = values;
            _scale = scale;
            _minimumSum = minimumSum;
            _slack = slack;
        }

        public byte[] Values { get; }

        public static ByteTables Create(float[] table, int m, float sign)
        {
            Span<double> minimums = stackalloc double[m];
            double widest = 0;
            double largest = 0;
            double minimumSum = 0;
            for (int j = 0; j < m; j++)
            {
                ReadOnlySpan<float> row = table.AsSpan(j * 256, 256);
                double low = double.PositiveInfinity;
                double high = double.NegativeInfinity;
                foreach (float value in row)
                {
                    double gain = sign * value;
                    low = Math.Min(low, gain);
                    high = Math.Max(high, gain);
                    largest = Math.Max(largest, Math.Abs(gain));
                }

                minimums[j] = low;
                minimumSum += low;
                widest = Math.Max(widest, high - low);
            }

            double scale = widest > 0 ? 255 / widest : 1;
            var values = new byte[m * 256];
            for (int j = 0; j < m; j++)
            {
                for (int c = 0; c < 256; c++)
                {
                    double level = Math.Round(((sign * table[(j * 256) + c]) - minimums[j]) * scale);
                    values[(j * 256) + c] = (byte)Math.Clamp(level, 0, 255);
                }
            }

            // Each byte is within half a level of its exact value; the float sums the rescoring compares can drift
            // from the exact sum by at most m additions' rounding of values up to m × largest (2^-23 relative each).
            // One more level absorbs the double arithmetic here.
            double slack = (0.5 * m) + 1 + (m * (double)m * largest * Math.Pow(2, -23) * scale);
            return new ByteTables(values, scale, minimumSum, slack);
        }

        /// <summary>The byte-sum a code must exceed to possibly beat <paramref name="gain"/>; negative lets every code through.</summary>
        public double SumBound(double gain) =>
            double.IsNegativeInfinity(gain) ? -1 : double.IsPositiveInfinity(gain) ? double.PositiveInfinity : ((gain - _minimumSum) * _scale) - _slack;
    }
}
