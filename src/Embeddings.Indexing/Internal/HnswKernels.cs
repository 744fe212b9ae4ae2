using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Embeddings.Vectors.Internal;

namespace Embeddings.Indexing.Internal;

/// <summary>
/// The HNSW walk's memory kernels: a software prefetch of a node's vector before its distance is needed, and the
/// distances from one query to a whole gathered neighbour list in one pass (four rows at a time for the dot
/// product, so four independent accumulator chains are in flight while the rows arrive from cache).
/// </summary>
internal static class HnswKernels
{
    /// <summary>Asks the cache for the first <paramref name="lines"/> 64-byte lines at <paramref name="start"/>; a no-op without SSE.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Prefetch(ref float start, int lines)
    {
        if (Sse.IsSupported)
        {
            // A prefetch never faults, so an address the GC has since moved costs at most a wasted line.
            byte* p = (byte*)Unsafe.AsPointer(ref start);
            for (int i = 0; i < lines; i++)
            {
                Sse.Prefetch0(p + (i * 64));
            }
        }
    }

    /// <summary>Writes the distance from <paramref name="query"/> to row <c>ids[i]</c> of <paramref name="rows"/> into <c>distances[i]</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Distances<TDistance>(ref float query, ref float rows, int dims, ReadOnlySpan<int> ids, Span<float> distances)
        where TDistance : struct, IIndexDistance
    {
        int i = 0;
        if (typeof(TDistance) == typeof(NegativeDotDistance) && Vector512.IsHardwareAccelerated && dims >= 16)
        {
            for (; i + 4 <= ids.Length; i += 4)
            {
                NegativeDot4(
                    ref query,
                    ref Unsafe.Add(ref rows, (nint)ids[i] * dims),
                    ref Unsafe.Add(ref rows, (nint)ids[i + 1] * dims),
                    ref Unsafe.Add(ref rows, (nint)ids[i + 2] * dims),
                    ref Unsafe.Add(ref rows, (nint)ids[i + 3] * dims),
                    dims,
                    distances.Slice(i, 4));
            }
        }

        for (; i < ids.Length; i++)
        {
            distances[i] = TDistance.Compute(ref query, ref Unsafe.Add(ref rows, (nint)ids[i] * dims), dims);
        }
    }

    /// <summary>Negative dot products of <paramref name="q"/> with four rows; 512-bit lanes, the tail masked by a partial load.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void NegativeDot4(ref float q, ref float a, ref float b, ref float c, ref float d, int length, Span<float> result)
    {
        Vector512<float> sa = Vector512<float>.Zero;
        Vector512<float> sb = Vector512<float>.Zero;
        Vector512<float> sc = Vector512<float>.Zero;
        Vector512<float> sd = Vector512<float>.Zero;
        int i = 0;
        for (; i <= length - 16; i += 16)
        {
            Vector512<float> x = Vector512.LoadUnsafe(ref q, (nuint)i);
            sa = Lanes512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref a, (nuint)i), sa);
            sb = Lanes512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref b, (nuint)i), sb);
            sc = Lanes512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref c, (nuint)i), sc);
            sd = Lanes512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref d, (nuint)i), sd);
        }

        if (i < length)
        {
            // The last 16 floats end at the row's end; lanes already summed are zeroed in the query copy.
            int back = 16 - (length - i);
            Vector512<float> x = Vector512.LoadUnsafe(ref q, (nuint)(length - 16));
            Vector512<float> keep = Vector512.GreaterThanOrEqual(Lanes512.IntIndices, Vector512.Create(back)).AsSingle();
            x = Vector512.BitwiseAnd(x, keep);
            sa = Lanes512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref a, (nuint)(length - 16)), sa);
            sb = Lanes512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref b, (nuint)(length - 16)), sb);
            sc = Lanes512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref c, (nuint)(length - 16)), sc);
            sd = Lanes512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref d, (nuint)(length - 16)), sd);
        }

        result[0] = -Vector512.Sum(sa);
        result[1] = -Vector512.Sum(sb);
        result[2] = -Vector512.Sum(sc);
        result[3] = -Vector512.Sum(sd);
    }
}
