using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Embeddings.Vectors.Internal;

namespace Embeddings.Indexing.Internal;

/// <summary>
/// Many queries against many rows at once, as a matrix product is computed: a block of rows is first repacked
/// into panels of <see cref="PanelVectors"/> SIMD vectors of rows, dimension-major, so that one load holds the same
/// dimension of a register's worth of rows. The kernel then keeps a tile of <see cref="QueryTile"/> queries ×
/// one panel in accumulators and, per dimension, broadcasts each query's element and multiplies it into the
/// panel: every step is a fused multiply-add into a finished distance, with no horizontal sums, no tail at
/// any dimension count, and the distances of a whole register of rows ready to compare against a heap's worst at
/// once. Each repacked block (in L2) serves every query of the call, so memory is read once per
/// <see cref="QueryBlock"/> queries where one-query-per-call search reads it once per query.
/// </summary>
internal static class BlockedScan
{
    /// <summary>Queries per tile; batches are padded to a multiple of it.</summary>
    public const int QueryTile = 4;

    /// <summary>Queries that share one pass over the rows (and one repacking of each row block).</summary>
    public const int QueryBlock = 256;

    /// <summary>Vectors of rows per panel: 4 queries × 2 vectors are 8 accumulators, which with the 2 row loads and the broadcast fit the 16 AVX2 registers.</summary>
    private const int PanelVectors = 2;

    /// <summary>Rows per repacked block, a multiple of every panel: 256 rows of 384 floats are 384 KiB, inside a 512 KiB to 2 MiB L2.</summary>
    private const int RowBlock = 256;

    /// <summary>Gets the scratch length <see cref="Scan"/> needs for vectors of <paramref name="dims"/> floats.</summary>
    public static int ScratchLength(int dims) => (RowBlock * dims) + (QueryTile * RowBlock);

    /// <summary>
    /// Scans rows [<paramref name="start"/>, <paramref name="end"/>) of <paramref name="rows"/> for the queries
    /// [<paramref name="firstQuery"/>, <paramref name="firstQuery"/> + <paramref name="queryCount"/>) of
    /// <paramref name="queries"/> and keeps the <paramref name="k"/> closest of each in its heap, by the same rules
    /// as the one-query scan: rows in ascending order, pushed while a heap holds fewer than k, then replacing
    /// the worst only when strictly closer.
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
    /// <param name="scratch">Scratch of at least <see cref="ScratchLength"/> floats.</param>
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
        Span<float> scratch)
    {
        switch (metric)
        {
            case DistanceMetric.Cosine or DistanceMetric.DotProduct:
                Scan<DotElements>(queries, firstQuery, queryCount, rows, dims, start, end, k, heaps, scratch);
                break;
            case DistanceMetric.Euclidean or DistanceMetric.EuclideanSquared:
                Scan<SquaredDifferenceElements>(queries, firstQuery, queryCount, rows, dims, start, end, k, heaps, scratch);
                break;
            default:
                Scan<AbsoluteDifferenceElements>(queries, firstQuery, queryCount, rows, dims, start, end, k, heaps, scratch);
                break;
        }
    }

    private static void Scan<TMetric>(ReadOnlySpan<float> queries, int firstQuery, int queryCount, ReadOnlySpan<float> rows, int dims, int start, int end, int k, NeighborHeap[] heaps, Span<float> scratch)
        where TMetric : struct, IElementMetric
    {
        if (Vector512.IsHardwareAccelerated)
        {
            Scan<TMetric, Lanes512, Vector512<float>>(queries, firstQuery, queryCount, rows, dims, start, end, k, heaps, scratch);
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            Scan<TMetric, Lanes256, Vector256<float>>(queries, firstQuery, queryCount, rows, dims, start, end, k, heaps, scratch);
        }
        else
        {
            Scan<TMetric, Lanes128, Vector128<float>>(queries, firstQuery, queryCount, rows, dims, start, end, k, heaps, scratch);
        }
    }

    /// <summary>The scan at one width; any width runs on any CPU (one the CPU lacks is emulated), so tests cover each.</summary>
    internal static void Scan<TMetric, TLanes, TVector>(
        ReadOnlySpan<float> queries,
        int firstQuery,
        int queryCount,
        ReadOnlySpan<float> rows,
        int dims,
        int start,
        int end,
        int k,
        NeighborHeap[] heaps,
        Span<float> scratch)
        where TMetric : struct, IElementMetric
        where TLanes : struct, ISimdLanes<TVector>
        where TVector : struct
    {
        Span<float> packed = scratch[..(RowBlock * dims)];
        Span<float> distances = scratch.Slice(RowBlock * dims, QueryTile * RowBlock);
        int lastQuery = firstQuery + queryCount;
        for (int rowStart = start; rowStart < end; rowStart += RowBlock)
        {
            int rowCount = Math.Min(RowBlock, end - rowStart);
            Pack(rows.Slice(rowStart * dims, rowCount * dims), rowCount, dims, PanelVectors * TLanes.Count, packed);
            for (int tile = firstQuery; tile < lastQuery; tile += QueryTile)
            {
                ScoreTile<TMetric, TLanes, TVector>(queries.Slice(tile * dims, QueryTile * dims), packed, dims, rowCount, distances);
                OfferTile<TLanes, TVector>(heaps, tile, Math.Min(QueryTile, lastQuery - tile), distances, rowCount, rowStart, k);
            }
        }
    }

    /// <summary>
    /// Repacks <paramref name="rowCount"/> row-major rows into panels of <paramref name="panel"/> rows stored
    /// dimension-major (packed[p·panel·dims + d·panel + r] = row p·panel + r, element d); the last panel's missing
    /// rows are zeros.
    /// </summary>
    internal static void Pack(ReadOnlySpan<float> rows, int rowCount, int dims, int panel, Span<float> packed)
    {
        int panels = (rowCount + panel - 1) / panel;
        ref float source = ref MemoryMarshal.GetReference(rows);
        ref float destination = ref MemoryMarshal.GetReference(packed);
        for (int r = 0; r < rowCount; r++)
        {
            ref float row = ref Unsafe.Add(ref source, (nint)r * dims);
            ref float column = ref Unsafe.Add(ref destination, ((nint)(r / panel) * panel * dims) + (r % panel));
            for (int d = 0; d < dims; d++)
            {
                Unsafe.Add(ref column, (nint)d * panel) = Unsafe.Add(ref row, d);
            }
        }

        int padded = panels * panel;
        for (int r = rowCount; r < padded; r++)
        {
            ref float column = ref Unsafe.Add(ref destination, ((nint)(r / panel) * panel * dims) + (r % panel));
            for (int d = 0; d < dims; d++)
            {
                Unsafe.Add(ref column, (nint)d * panel) = 0f;
            }
        }
    }

    /// <summary>
    /// Writes the distance of each of the <see cref="QueryTile"/> queries to each packed row:
    /// distances[q · 256 + r], for r up to <paramref name="rowCount"/> rounded up to a panel (the padding rows
    /// score too, and are never offered).
    /// </summary>
    internal static void ScoreTile<TMetric, TLanes, TVector>(ReadOnlySpan<float> queryTile, ReadOnlySpan<float> packed, int dims, int rowCount, Span<float> distances)
        where TMetric : struct, IElementMetric
        where TLanes : struct, ISimdLanes<TVector>
        where TVector : struct
    {
        int count = TLanes.Count;
        int panel = PanelVectors * count;
        ref float q0 = ref MemoryMarshal.GetReference(queryTile);
        ref float q1 = ref Unsafe.Add(ref q0, dims);
        ref float q2 = ref Unsafe.Add(ref q0, 2 * dims);
        ref float q3 = ref Unsafe.Add(ref q0, 3 * dims);
        ref float output = ref MemoryMarshal.GetReference(distances);
        for (int p = 0; p < rowCount; p += panel)
        {
            ref float rows = ref Unsafe.Add(ref MemoryMarshal.GetReference(packed), (nint)p * dims);
            TVector a0 = TLanes.Zero, a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
            for (int d = 0; d < dims; d++)
            {
                TVector ra = TLanes.Load(ref rows, (nuint)(d * panel));
                TVector rb = TLanes.Load(ref rows, (nuint)((d * panel) + count));
                TVector x = TLanes.Create(Unsafe.Add(ref q0, d));
                a0 = TMetric.Accumulate<TLanes, TVector>(x, ra, a0);
                b0 = TMetric.Accumulate<TLanes, TVector>(x, rb, b0);
                x = TLanes.Create(Unsafe.Add(ref q1, d));
                a1 = TMetric.Accumulate<TLanes, TVector>(x, ra, a1);
                b1 = TMetric.Accumulate<TLanes, TVector>(x, rb, b1);
                x = TLanes.Create(Unsafe.Add(ref q2, d));
                a2 = TMetric.Accumulate<TLanes, TVector>(x, ra, a2);
                b2 = TMetric.Accumulate<TLanes, TVector>(x, rb, b2);
                x = TLanes.Create(Unsafe.Add(ref q3, d));
                a3 = TMetric.Accumulate<TLanes, TVector>(x, ra, a3);
                b3 = TMetric.Accumulate<TLanes, TVector>(x, rb, b3);
            }

            // The indexes rank a dot product by its negation (lower is closer); a constant per instantiation.
            if (typeof(TMetric) == typeof(DotElements))
            {
                a0 = TLanes.Subtract(TLanes.Zero, a0);
                a1 = TLanes.Subtract(TLanes.Zero, a1);
                a2 = TLanes.Subtract(TLanes.Zero, a2);
                a3 = TLanes.Subtract(TLanes.Zero, a3);
                b0 = TLanes.Subtract(TLanes.Zero, b0);
                b1 = TLanes.Subtract(TLanes.Zero, b1);
                b2 = TLanes.Subtract(TLanes.Zero, b2);
                b3 = TLanes.Subtract(TLanes.Zero, b3);
            }

            TLanes.Store(a0, ref output, (nuint)p);
            TLanes.Store(b0, ref output, (nuint)(p + count));
            TLanes.Store(a1, ref output, (nuint)(RowBlock + p));
            TLanes.Store(b1, ref output, (nuint)(RowBlock + p + count));
            TLanes.Store(a2, ref output, (nuint)((2 * RowBlock) + p));
            TLanes.Store(b2, ref output, (nuint)((2 * RowBlock) + p + count));
            TLanes.Store(a3, ref output, (nuint)((3 * RowBlock) + p));
            TLanes.Store(b3, ref output, (nuint)((3 * RowBlock) + p + count));
        }
    }

    /// <summary>
    /// Offers a tile's distances to its queries' heaps. One compare of a register of rows against the heap's current
    /// worst skips them all at once, which is the common case once the heap is full.
    /// </summary>
    private static void OfferTile<TLanes, TVector>(NeighborHeap[] heaps, int tile, int live, ReadOnlySpan<float> distances, int rowCount, int firstId, int k)
        where TLanes : struct, ISimdLanes<TVector>
        where TVector : struct
    {
        int count = TLanes.Count;
        for (int j = 0; j < live; j++)
        {
            NeighborHeap heap = heaps[tile + j];
            ref float row = ref Unsafe.Add(ref MemoryMarshal.GetReference(distances), j * RowBlock);
            for (int r = 0; r < rowCount; r += count)
            {
                float worst = heap.Count < k ? float.PositiveInfinity : heap.TopDistance;
                ulong lanes = TLanes.ExtractMostSignificantBits(TLanes.LessThan(TLanes.Load(ref row, (nuint)r), TLanes.Create(worst)));
                if (rowCount - r < count)
                {
                    lanes &= (1UL << (rowCount - r)) - 1;
                }

                while (lanes != 0)
                {
                    int lane = BitOperations.TrailingZeroCount(lanes);
                    lanes &= lanes - 1;
                    float distance = Unsafe.Add(ref row, r + lane);
                    if (heap.Count < k)
                    {
                        heap.Push(distance, firstId + r + lane);
                    }
                    else if (distance < heap.TopDistance)
                    {
                        heap.ReplaceTop(distance, firstId + r + lane);
                    }
                }
            }
        }
    }
}
