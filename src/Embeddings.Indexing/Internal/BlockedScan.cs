using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Embeddings.Indexing.Internal;

/// <summary>One element of a distance, at every width the blocked kernel needs; lower totals are closer.</summary>
internal interface ITileDistance
{
    static abstract Vector256<float> Accumulate(Vector256<float> query, Vector256<float> row, Vector256<float> sum);

    static abstract Vector128<float> Accumulate(Vector128<float> query, Vector128<float> row, Vector128<float> sum);

    static abstract float Accumulate(float query, float row, float sum);

    /// <summary>Turns the accumulated total into the internal distance.</summary>
    static abstract float Finish(float total);

    /// <summary>Turns four accumulated totals into internal distances.</summary>
    static abstract Vector128<float> Finish(Vector128<float> totals);
}

/// <summary>Negative dot product (cosine over normalized rows, inner product).</summary>
internal readonly struct NegativeDotTile : ITileDistance
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Accumulate(Vector256<float> query, Vector256<float> row, Vector256<float> sum) => Vector256.FusedMultiplyAdd(query, row, sum);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Accumulate(Vector128<float> query, Vector128<float> row, Vector128<float> sum) => Vector128.FusedMultiplyAdd(query, row, sum);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Accumulate(float query, float row, float sum) => MathF.FusedMultiplyAdd(query, row, sum);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Finish(float total) => -total;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Finish(Vector128<float> totals) => -totals;
}

/// <summary>Squared L2, computed from differences (not the norm expansion) so it agrees with the one-query kernel to rounding.</summary>
internal readonly struct SquaredL2Tile : ITileDistance
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Accumulate(Vector256<float> query, Vector256<float> row, Vector256<float> sum)
    {
        Vector256<float> d = query - row;
        return Vector256.FusedMultiplyAdd(d, d, sum);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Accumulate(Vector128<float> query, Vector128<float> row, Vector128<float> sum)
    {
        Vector128<float> d = query - row;
        return Vector128.FusedMultiplyAdd(d, d, sum);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Accumulate(float query, float row, float sum)
    {
        float d = query - row;
        return MathF.FusedMultiplyAdd(d, d, sum);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Finish(float total) => total;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Finish(Vector128<float> totals) => totals;
}

/// <summary>L1.</summary>
internal readonly struct ManhattanTile : ITileDistance
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Accumulate(Vector256<float> query, Vector256<float> row, Vector256<float> sum) => sum + Vector256.Abs(query - row);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Accumulate(Vector128<float> query, Vector128<float> row, Vector128<float> sum) => sum + Vector128.Abs(query - row);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Accumulate(float query, float row, float sum) => sum + MathF.Abs(query - row);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Finish(float total) => total;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Finish(Vector128<float> totals) => totals;
}

/// <summary>
/// Many queries against many rows at once: a register-blocked kernel scores a tile of 4 queries against 2 rows, so
/// each row load feeds four accumulators and each query load two; rows are walked in blocks that stay in L2 while
/// a block of queries (in L1) passes over them. One pass over memory then serves a whole block of queries, where
/// one-query-per-call search streams every row from memory once per query.
/// </summary>
internal static class BlockedScan
{
    /// <summary>Queries per tile; batches are padded to a multiple of it.</summary>
    public const int QueryTile = 4;

    /// <summary>Rows per cache block: 256 rows of 384 floats is 384 KiB, inside a 512 KiB to 2 MiB L2.</summary>
    private const int RowBlock = 256;

    /// <summary>Queries that share one pass over a row block.</summary>
    public const int QueryBlock = 64;

    /// <summary>
    /// Scans rows [<paramref name="start"/>, <paramref name="end"/>) of <paramref name="rows"/> for the queries
    /// [<paramref name="firstQuery"/>, <paramref name="firstQuery"/> + <paramref name="queryCount"/>) of
    /// <paramref name="queries"/> and keeps the <paramref name="k"/> closest of each in its heap.
    /// </summary>
    /// <param name="metric">The index metric (cosine rows and queries already normalized).</param>
    /// <param name="queries">Prepared queries, padded to a multiple of <see cref="QueryTile"/> rows of <paramref name="dims"/>.</param>
    /// <param name="firstQuery">The first query of this call; a multiple of <see cref="QueryTile"/>.</param>
    /// <param name="queryCount">How many real (unpadded) queries from <paramref name="firstQuery"/>.</param>
    /// <param name="rows">Row-major stored vectors.</param>
    /// <param name="dims">The vector length.</param>
    /// <param name="start">The first row.</param>
    /// <param name="end">One past the last row.</param>
    /// <param name="k">How many neighbours each query keeps.</param>
    /// <param name="heaps">One heap per query, indexed like the queries.</param>
    /// <param name="distances">Scratch of at least <see cref="QueryTile"/> × 256 floats.</param>
    public static void Scan(
        DistanceMetric metric,
        ReadOnlySpan<float> queries,
        int firstQuery,
        int queryCount,
        ReadOnlySpan<float> rows,
        int dims,
        int start,
        int end,
        int k,
        NeighborHeap[] heaps,
        Span<float> distances)
    {
        switch (metric)
        {
            case DistanceMetric.Cosine or DistanceMetric.DotProduct:
                Scan<NegativeDotTile>(queries, firstQuery, queryCount, rows, dims, start, end, k, heaps, distances);
                break;
            case DistanceMetric.Euclidean or DistanceMetric.EuclideanSquared:
                Scan<SquaredL2Tile>(queries, firstQuery, queryCount, rows, dims, start, end, k, heaps, distances);
                break;
            default:
                Scan<ManhattanTile>(queries, firstQuery, queryCount, rows, dims, start, end, k, heaps, distances);
                break;
        }
    }

    /// <summary>Gets the scratch length <see cref="Scan"/> needs.</summary>
    public static int ScratchLength => QueryTile * RowBlock;

    private static void Scan<T>(
        ReadOnlySpan<float> queries,
        int firstQuery,
        int queryCount,
        ReadOnlySpan<float> rows,
        int dims,
        int start,
        int end,
        int k,
        NeighborHeap[] heaps,
        Span<float> distances)
        where T : struct, ITileDistance
    {
        int lastQuery = firstQuery + queryCount;
        for (int blockStart = firstQuery; blockStart < lastQuery; blockStart += QueryBlock)
        {
            int blockEnd = Math.Min(blockStart + QueryBlock, lastQuery);
            for (int rowStart = start; rowStart < end; rowStart += RowBlock)
            {
                int rowCount = Math.Min(RowBlock, end - rowStart);
                ReadOnlySpan<float> rowBlock = rows.Slice(rowStart * dims, rowCount * dims);
                for (int tile = blockStart; tile < blockEnd; tile += QueryTile)
                {
                    ScoreTile<T>(queries.Slice(tile * dims, QueryTile * dims), rowBlock, dims, rowCount, distances);
                    OfferTile(heaps, tile, Math.Min(QueryTile, blockEnd - tile), distances, rowCount, rowStart, k);
                }
            }
        }
    }

    /// <summary>
    /// Offers a tile's distances (row-major, <see cref="QueryTile"/> per row) to its queries' heaps. One compare of the
    /// four distances of a row against the four heaps' current worst skips the row for every query at once, which
    /// is the common case once the heaps are full; the rules are those of the one-query scan (push while below k,
    /// then replace the worst only when strictly closer).
    /// </summary>
    private static void OfferTile(NeighborHeap[] heaps, int tile, int live, ReadOnlySpan<float> distances, int rowCount, int firstId, int k)
    {
        uint liveLanes = (1u << live) - 1;
        uint notFull = 0;
        Vector128<float> worst = Vector128.Create(float.NegativeInfinity);
        for (int j = 0; j < live; j++)
        {
            NeighborHeap heap = heaps[tile + j];
            if (heap.Count < k)
            {
                notFull |= 1u << j;
            }
            else
            {
                worst = worst.WithElement(j, heap.TopDistance);
            }
        }

        ref float first = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(distances);
        for (int r = 0; r < rowCount; r++)
        {
            Vector128<float> d = Vector128.LoadUnsafe(ref first, (nuint)(r * QueryTile));
            uint lanes = (Vector128.LessThan(d, worst).ExtractMostSignificantBits() | notFull) & liveLanes;
            while (lanes != 0)
            {
                int j = System.Numerics.BitOperations.TrailingZeroCount(lanes);
                lanes &= lanes - 1;
                NeighborHeap heap = heaps[tile + j];
                float distance = d.GetElement(j);
                if (heap.Count < k)
                {
                    heap.Push(distance, firstId + r);
                    if (heap.Count == k)
                    {
                        notFull &= ~(1u << j);
                        worst = worst.WithElement(j, heap.TopDistance);
                    }
                }
                else
                {
                    heap.ReplaceTop(distance, firstId + r);
                    worst = worst.WithElement(j, heap.TopDistance);
                }
            }
        }
    }

    /// <summary>Writes the distance of each of 4 queries to each of <paramref name="rowCount"/> rows: distances[r * 4 + q].</summary>
    internal static void ScoreTile<T>(ReadOnlySpan<float> queryTile, ReadOnlySpan<float> rowBlock, int dims, int rowCount, Span<float> distances)
        where T : struct, ITileDistance
    {
        ref float q0 = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(queryTile);
        ref float q1 = ref Unsafe.Add(ref q0, dims);
        ref float q2 = ref Unsafe.Add(ref q0, 2 * dims);
        ref float q3 = ref Unsafe.Add(ref q0, 3 * dims);
        ref float rows = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(rowBlock);
        ref float output = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(distances);
        int r = 0;
        for (; r <= rowCount - 2; r += 2)
        {
            ref float ra = ref Unsafe.Add(ref rows, (nint)r * dims);
            ref float rb = ref Unsafe.Add(ref ra, dims);
            Vector256<float> a0 = Vector256<float>.Zero, a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
            int i = 0;
            if (Vector256.IsHardwareAccelerated)
            {
                for (; i <= dims - 8; i += 8)
                {
                    Vector256<float> va = Vector256.LoadUnsafe(ref ra, (nuint)i);
                    Vector256<float> vb = Vector256.LoadUnsafe(ref rb, (nuint)i);
                    Vector256<float> x = Vector256.LoadUnsafe(ref q0, (nuint)i);
                    a0 = T.Accumulate(x, va, a0);
                    b0 = T.Accumulate(x, vb, b0);
                    x = Vector256.LoadUnsafe(ref q1, (nuint)i);
                    a1 = T.Accumulate(x, va, a1);
                    b1 = T.Accumulate(x, vb, b1);
                    x = Vector256.LoadUnsafe(ref q2, (nuint)i);
                    a2 = T.Accumulate(x, va, a2);
                    b2 = T.Accumulate(x, vb, b2);
                    x = Vector256.LoadUnsafe(ref q3, (nuint)i);
                    a3 = T.Accumulate(x, va, a3);
                    b3 = T.Accumulate(x, vb, b3);
                }

                // A 4-float tail (100 = 12 x 8 + 4) goes through the low halves with zero high halves, which add
                // nothing under every metric, instead of eight scalar chains.
                if (i <= dims - 4)
                {
                    Vector256<float> va = Vector256.Create(Vector128.LoadUnsafe(ref ra, (nuint)i), Vector128<float>.Zero);
                    Vector256<float> vb = Vector256.Create(Vector128.LoadUnsafe(ref rb, (nuint)i), Vector128<float>.Zero);
                    Vector256<float> x = Vector256.Create(Vector128.LoadUnsafe(ref q0, (nuint)i), Vector128<float>.Zero);
                    a0 = T.Accumulate(x, va, a0);
                    b0 = T.Accumulate(x, vb, b0);
                    x = Vector256.Create(Vector128.LoadUnsafe(ref q1, (nuint)i), Vector128<float>.Zero);
                    a1 = T.Accumulate(x, va, a1);
                    b1 = T.Accumulate(x, vb, b1);
                    x = Vector256.Create(Vector128.LoadUnsafe(ref q2, (nuint)i), Vector128<float>.Zero);
                    a2 = T.Accumulate(x, va, a2);
                    b2 = T.Accumulate(x, vb, b2);
                    x = Vector256.Create(Vector128.LoadUnsafe(ref q3, (nuint)i), Vector128<float>.Zero);
                    a3 = T.Accumulate(x, va, a3);
                    b3 = T.Accumulate(x, vb, b3);
                    i += 4;
                }
            }

            Vector128<float> sa = Sum4(a0, a1, a2, a3);
            Vector128<float> sb = Sum4(b0, b1, b2, b3);
            for (; i < dims; i++)
            {
                Vector128<float> x = Vector128.Create(Unsafe.Add(ref q0, i), Unsafe.Add(ref q1, i), Unsafe.Add(ref q2, i), Unsafe.Add(ref q3, i));
                sa = T.Accumulate(x, Vector128.Create(Unsafe.Add(ref ra, i)), sa);
                sb = T.Accumulate(x, Vector128.Create(Unsafe.Add(ref rb, i)), sb);
            }

            T.Finish(sa).StoreUnsafe(ref output, (nuint)(r * QueryTile));
            T.Finish(sb).StoreUnsafe(ref output, (nuint)((r + 1) * QueryTile));
        }

        if (r < rowCount)
        {
            ref float ra = ref Unsafe.Add(ref rows, (nint)r * dims);
            Unsafe.Add(ref output, r * QueryTile) = T.Finish(Single<T>(ref q0, ref ra, dims));
            Unsafe.Add(ref output, (r * QueryTile) + 1) = T.Finish(Single<T>(ref q1, ref ra, dims));
            Unsafe.Add(ref output, (r * QueryTile) + 2) = T.Finish(Single<T>(ref q2, ref ra, dims));
            Unsafe.Add(ref output, (r * QueryTile) + 3) = T.Finish(Single<T>(ref q3, ref ra, dims));
        }
    }

    /// <summary>The four horizontal sums at once: two rounds of pairwise adds instead of four separate reductions.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> Sum4(Vector256<float> x0, Vector256<float> x1, Vector256<float> x2, Vector256<float> x3)
    {
        if (Avx.IsSupported)
        {
            Vector256<float> pairs = Avx.HorizontalAdd(Avx.HorizontalAdd(x0, x1), Avx.HorizontalAdd(x2, x3));
            return pairs.GetLower() + pairs.GetUpper();
        }

        return Vector128.Create(Vector256.Sum(x0), Vector256.Sum(x1), Vector256.Sum(x2), Vector256.Sum(x3));
    }

    private static float Single<T>(ref float query, ref float row, int dims)
        where T : struct, ITileDistance
    {
        Vector256<float> acc = Vector256<float>.Zero;
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i <= dims - 8; i += 8)
            {
                acc = T.Accumulate(Vector256.LoadUnsafe(ref query, (nuint)i), Vector256.LoadUnsafe(ref row, (nuint)i), acc);
            }
        }

        float sum = Vector256.Sum(acc);
        for (; i < dims; i++)
        {
            sum = T.Accumulate(Unsafe.Add(ref query, i), Unsafe.Add(ref row, i), sum);
        }

        return sum;
    }
}
