using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Embeddings;

/// <summary>
/// Product-quantization codes laid out for fast exhaustive search: blocks of 64 codes, each block stored
/// sub-code by sub-code (the 64 first sub-codes, then the 64 second ones, and so on), so one SIMD register holds
/// the same slice of 64 codes. Memory stays one byte per sub-code, plus padding of the last block to 64 codes.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="Search(ReadOnlySpan{float}, DistanceMetric, int)"/> returns exactly what
/// <see cref="QuantizedSearch.Scan(QuantizedQueryScorer, ReadOnlySpan{byte}, int, int)"/> returns over the same
/// codes in their usual back-to-back layout: the same indices in the same order with bit-identical scores.
/// </para>
/// <para>
/// Where the CPU has AVX-512 VBMI (<see cref="IsHardwareAccelerated"/>) and the quantizer has 256 centroids per
/// subspace, a first pass scores 64 codes at a time from the query's lookup tables rounded to bytes (two
/// 128-entry byte permutes per slice), with a proven bound on the rounding error. Only codes whose bound could
/// still beat the current k-th best score are rescored with the float tables, so the result is exact. Cosine,
/// fewer centroids, or other CPUs score every code with the float tables.
/// </para>
/// </remarks>
public sealed class PackedProductCodes
{
    /// <summary>The number of codes per block: one 512-bit register of sub-codes.</summary>
    public const int BlockSize = 64;

    private readonly byte[] _blocks;

    /// <summary>Packs codes stored back to back (<paramref name="count"/> codes of <see cref="ProductQuantizer.Subspaces"/> bytes).</summary>
    /// <param name="quantizer">The quantizer that produced the codes.</param>
    /// <param name="codes">The codes, at least <c>count * quantizer.Subspaces</c> bytes.</param>
    /// <param name="count">How many codes to pack; zero or more.</param>
    /// <exception cref="ArgumentNullException"><paramref name="quantizer"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative.</exception>
    /// <exception cref="ArgumentException"><paramref name="codes"/> is too short, or a sub-code names a centroid the quantizer does not have.</exception>
    public PackedProductCodes(ProductQuantizer quantizer, ReadOnlySpan<byte> codes, int count)
    {
        ArgumentNullException.ThrowIfNull(quantizer);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        int m = quantizer.Subspaces;
        if ((long)count * m > codes.Length)
        {
            throw new ArgumentException($"{count} codes of {m} bytes need {(long)count * m} bytes; the buffer holds {codes.Length}.", nameof(codes));
        }

        if (quantizer.Centroids < 256)
        {
            int index = codes[..(count * m)].IndexOfAnyInRange((byte)quantizer.Centroids, byte.MaxValue);
            if (index >= 0)
            {
                throw new ArgumentException($"Code {index / m}, sub-code {index % m}, is {codes[index]}; the quantizer has {quantizer.Centroids} centroids per subspace.", nameof(codes));
            }
        }

        Quantizer = quantizer;
        Count = count;
        int blocks = (count + BlockSize - 1) / BlockSize;
        _blocks = new byte[checked(blocks * m * BlockSize)];
        for (int i = 0; i < count; i++)
        {
            ReadOnlySpan<byte> code = codes.Slice(i * m, m);
            int offset = (i / BlockSize * m * BlockSize) + (i % BlockSize);
            for (int j = 0; j < m; j++)
            {
                _blocks[offset + (j * BlockSize)] = code[j];
            }
        }
    }

    /// <summary>Gets a value indicating whether this CPU runs the byte-table first pass (AVX-512 VBMI and BMI2).</summary>
    public static bool IsHardwareAccelerated => Avx512Vbmi.IsSupported && Bmi2.X64.IsSupported;

    /// <summary>Gets the quantizer the codes belong to.</summary>
    public ProductQuantizer Quantizer { get; }

    /// <summary>Gets the number of codes.</summary>
    public int Count { get; }

    /// <summary>Gets the bytes the packed codes occupy: <see cref="ProductQuantizer.Subspaces"/> per code, the last block padded to <see cref="BlockSize"/> codes.</summary>
    public long SizeInBytes => _blocks.LongLength;

    /// <summary>Copies code <paramref name="index"/> back into the usual layout.</summary>
    /// <param name="index">The code's position, 0 to <see cref="Count"/> - 1.</param>
    /// <param name="destination">Receives <see cref="ProductQuantizer.Subspaces"/> bytes.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is out of range.</exception>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is too short.</exception>
    public void CopyCodeTo(int index, Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        VectorQuantizer.CheckCode(Quantizer.Subspaces, destination);
        Gather(index, destination);
    }

    /// <summary>Finds the <paramref name="k"/> codes that score best against a query, best first (equal scores: lower index first).</summary>
    /// <param name="query">The float query, <see cref="IVectorQuantizer.Dimensions"/> finite values.</param>
    /// <param name="metric">The metric; not Hamming.</param>
    /// <param name="k">How many results at most; positive.</param>
    /// <returns>Up to <paramref name="k"/> hits ordered by descending score.</returns>
    /// <exception cref="ArgumentException">The query has the wrong dimension or a non-finite value, or the metric is Hamming.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is not positive.</exception>
    public QuantizedSearchHit[] Search(ReadOnlySpan<float> query, DistanceMetric metric, int k)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        int size = Math.Min(k, Count);
        var scores = new float[size];
        var indices = new int[size];
        int found = Search(query, metric, scores, indices);
        var hits = new QuantizedSearchHit[found];
        for (int i = 0; i < found; i++)
        {
            hits[i] = new QuantizedSearchHit(indices[i], scores[i]);
        }

        return hits;
    }

    /// <summary>Allocation-light search: keeps the <c>scores.Length</c> best codes, best first.</summary>
    /// <param name="query">The float query, <see cref="IVectorQuantizer.Dimensions"/> finite values.</param>
    /// <param name="metric">The metric; not Hamming.</param>
    /// <param name="scores">Receives the best scores, descending; its length is k.</param>
    /// <param name="indices">Receives the matching code positions; as long as <paramref name="scores"/>.</param>
    /// <returns>How many results were written: min(k, <see cref="Count"/>).</returns>
    /// <exception cref="ArgumentException">The query has the wrong dimension or a non-finite value, the metric is Hamming, or the buffers differ in length.</exception>
    public int Search(ReadOnlySpan<float> query, DistanceMetric metric, Span<float> scores, Span<int> indices) =>
        Search(query, metric, scores, indices, IsHardwareAccelerated);

    /// <summary>The search with the first pass switchable, so tests cover both paths on any CPU.</summary>
    internal int Search(ReadOnlySpan<float> query, DistanceMetric metric, Span<float> scores, Span<int> indices, bool accelerate)
    {
        VectorMath.EnsureSameLength(scores.Length, indices.Length);
        VectorMath.EnsureFinite(query, nameof(query));
        var scorer = (ProductQuantizer.TableScorer)Quantizer.CreateScorer(query, metric);
        var top = new TopKCollector(scores, indices);
        if (Count > 0 && scores.Length > 0)
        {
            if (accelerate && IsHardwareAccelerated && scorer.Centroids == 256 && Quantizer.Subspaces <= 256 && metric != DistanceMetric.Cosine)
            {
                ScanWithByteTables(scorer, ref top);
            }
            else
            {
                ScanWithFloatTables(scorer, ref top);
            }
        }

        return top.SortDescending();
    }

    private void Gather(int index, Span<byte> destination)
    {
        int m = Quantizer.Subspaces;
        int offset = (index / BlockSize * m * BlockSize) + (index % BlockSize);
        for (int j = 0; j < m; j++)
        {
            destination[j] = _blocks[offset + (j * BlockSize)];
        }
    }

    private void ScanWithFloatTables(ProductQuantizer.TableScorer scorer, ref TopKCollector top)
    {
        int m = Quantizer.Subspaces;
        byte[]? rented = null;
        Span<byte> unpacked = m <= 64 ? stackalloc byte[BlockSize * 64] : (rented = ArrayPool<byte>.Shared.Rent(BlockSize * m));
        Span<float> blockScores = stackalloc float[BlockSize];
        for (int first = 0; first < Count; first += BlockSize)
        {
            int n = Math.Min(BlockSize, Count - first);
            ReadOnlySpan<byte> block = _blocks.AsSpan(first * m, BlockSize * m);
            for (int j = 0; j < m; j++)
            {
                ReadOnlySpan<byte> slice = block.Slice(j * BlockSize, n);
                for (int lane = 0; lane < n; lane++)
                {
                    unpacked[(lane * m) + j] = slice[lane];
                }
            }

            scorer.ScoreMany(unpacked[..(n * m)], blockScores[..n]);
            for (int lane = 0; lane < n; lane++)
            {
                if (blockScores[lane] > top.Threshold)
                {
                    top.Add(blockScores[lane], first + lane);
                }
            }
        }

        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private void ScanWithByteTables(ProductQuantizer.TableScorer scorer, ref TopKCollector top)
    {
        int m = Quantizer.Subspaces;
        DistanceMetric metric = scorer.Metric;
        ByteTables tables = ByteTables.Create(scorer.Table, m, metric == DistanceMetric.DotProduct ? 1f : -1f);
        ref byte lut = ref MemoryMarshal.GetArrayDataReference(tables.Values);
        ref byte packed = ref MemoryMarshal.GetArrayDataReference(_blocks);
        Span<byte> code = stackalloc byte[m];
        Vector512<ushort> lowBytes = Vector512.Create((ushort)0x00FF);
        for (int first = 0; first < Count; first += BlockSize)
        {
            ref byte block = ref Unsafe.Add(ref packed, first * m);
            double bound = tables.SumBound(GainThreshold(metric, top.Threshold));
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

            int n = Math.Min(BlockSize, Count - first);
            if (n < BlockSize)
            {
                survivors &= (1UL << n) - 1;
            }

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
                if (score > top.Threshold)
                {
                    top.Add(score, first + lane);
                }
            }
        }
    }

    /// <summary>
    /// Maps the k-th best score to the table sum a code must exceed, in "gain" units (table sums, negated for
    /// distances) and on the safe side: a code at or below it scores at most <paramref name="threshold"/>.
    /// </summary>
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
            var minimums = new double[m];
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
