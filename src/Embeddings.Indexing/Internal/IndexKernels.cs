using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Embeddings.Indexing.Internal;

/// <summary>A distance the indexes rank by internally: lower is closer. Static so the generic search loops inline it.</summary>
internal interface IIndexDistance
{
    static abstract float Compute(ref float a, ref float b, int length);
}

/// <summary>Negative dot product: cosine over normalized vectors and inner product share it.</summary>
internal readonly struct NegativeDotDistance : IIndexDistance
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Compute(ref float a, ref float b, int length) => -IndexKernels.Dot(ref a, ref b, length);
}

/// <summary>Squared L2 distance: Euclidean ranks by it and takes the root only for the reported score.</summary>
internal readonly struct SquaredL2Distance : IIndexDistance
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Compute(ref float a, ref float b, int length) => IndexKernels.SquaredL2(ref a, ref b, length);
}

/// <summary>L1 distance.</summary>
internal readonly struct ManhattanDistance : IIndexDistance
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Compute(ref float a, ref float b, int length) => IndexKernels.L1(ref a, ref b, length);
}

/// <summary>
/// Distance kernels specialised for the index hot loops: ref-based (no span construction, no bounds checks per
/// call), two 512-bit accumulators, then 256/128-bit and scalar tails so short vectors (100 floats) need no scalar loop.
/// </summary>
internal static class IndexKernels
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Dot(ref float a, ref float b, int length)
    {
        int i = 0;
        float sum = 0f;
        if (Vector512.IsHardwareAccelerated && length >= 16)
        {
            Vector512<float> acc0 = Vector512<float>.Zero;
            Vector512<float> acc1 = Vector512<float>.Zero;
            for (; i <= length - 32; i += 32)
            {
                acc0 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref a, (nuint)i), Vector512.LoadUnsafe(ref b, (nuint)i), acc0);
                acc1 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref a, (nuint)(i + 16)), Vector512.LoadUnsafe(ref b, (nuint)(i + 16)), acc1);
            }

            if (i <= length - 16)
            {
                acc0 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref a, (nuint)i), Vector512.LoadUnsafe(ref b, (nuint)i), acc0);
                i += 16;
            }

            sum = Vector512.Sum(acc0 + acc1);
        }
        else if (Vector256.IsHardwareAccelerated && length >= 8)
        {
            Vector256<float> acc0 = Vector256<float>.Zero;
            Vector256<float> acc1 = Vector256<float>.Zero;
            for (; i <= length - 16; i += 16)
            {
                acc0 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref a, (nuint)i), Vector256.LoadUnsafe(ref b, (nuint)i), acc0);
                acc1 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref a, (nuint)(i + 8)), Vector256.LoadUnsafe(ref b, (nuint)(i + 8)), acc1);
            }

            sum = Vector256.Sum(acc0 + acc1);
        }

        if (Vector256.IsHardwareAccelerated && i <= length - 8)
        {
            sum += Vector256.Sum(Vector256.LoadUnsafe(ref a, (nuint)i) * Vector256.LoadUnsafe(ref b, (nuint)i));
            i += 8;
        }

        if (Vector128.IsHardwareAccelerated && i <= length - 4)
        {
            sum += Vector128.Sum(Vector128.LoadUnsafe(ref a, (nuint)i) * Vector128.LoadUnsafe(ref b, (nuint)i));
            i += 4;
        }

        for (; i < length; i++)
        {
            sum = MathF.FusedMultiplyAdd(Unsafe.Add(ref a, i), Unsafe.Add(ref b, i), sum);
        }

        return sum;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float SquaredL2(ref float a, ref float b, int length)
    {
        int i = 0;
        float sum = 0f;
        if (Vector512.IsHardwareAccelerated && length >= 16)
        {
            Vector512<float> acc0 = Vector512<float>.Zero;
            Vector512<float> acc1 = Vector512<float>.Zero;
            for (; i <= length - 32; i += 32)
            {
                Vector512<float> d0 = Vector512.LoadUnsafe(ref a, (nuint)i) - Vector512.LoadUnsafe(ref b, (nuint)i);
                Vector512<float> d1 = Vector512.LoadUnsafe(ref a, (nuint)(i + 16)) - Vector512.LoadUnsafe(ref b, (nuint)(i + 16));
                acc0 = Vector512.FusedMultiplyAdd(d0, d0, acc0);
                acc1 = Vector512.FusedMultiplyAdd(d1, d1, acc1);
            }

            if (i <= length - 16)
            {
                Vector512<float> d0 = Vector512.LoadUnsafe(ref a, (nuint)i) - Vector512.LoadUnsafe(ref b, (nuint)i);
                acc0 = Vector512.FusedMultiplyAdd(d0, d0, acc0);
                i += 16;
            }

            sum = Vector512.Sum(acc0 + acc1);
        }
        else if (Vector256.IsHardwareAccelerated && length >= 8)
        {
            Vector256<float> acc0 = Vector256<float>.Zero;
            for (; i <= length - 8; i += 8)
            {
                Vector256<float> d0 = Vector256.LoadUnsafe(ref a, (nuint)i) - Vector256.LoadUnsafe(ref b, (nuint)i);
                acc0 = Vector256.FusedMultiplyAdd(d0, d0, acc0);
            }

            sum = Vector256.Sum(acc0);
        }

        if (Vector256.IsHardwareAccelerated && i <= length - 8)
        {
            Vector256<float> d0 = Vector256.LoadUnsafe(ref a, (nuint)i) - Vector256.LoadUnsafe(ref b, (nuint)i);
            sum += Vector256.Sum(d0 * d0);
            i += 8;
        }

        if (Vector128.IsHardwareAccelerated && i <= length - 4)
        {
            Vector128<float> d0 = Vector128.LoadUnsafe(ref a, (nuint)i) - Vector128.LoadUnsafe(ref b, (nuint)i);
            sum += Vector128.Sum(d0 * d0);
            i += 4;
        }

        for (; i < length; i++)
        {
            float d = Unsafe.Add(ref a, i) - Unsafe.Add(ref b, i);
            sum = MathF.FusedMultiplyAdd(d, d, sum);
        }

        return sum;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float L1(ref float a, ref float b, int length)
    {
        int i = 0;
        float sum = 0f;
        if (Vector256.IsHardwareAccelerated && length >= 8)
        {
            Vector256<float> acc = Vector256<float>.Zero;
            for (; i <= length - 8; i += 8)
            {
                acc += Vector256.Abs(Vector256.LoadUnsafe(ref a, (nuint)i) - Vector256.LoadUnsafe(ref b, (nuint)i));
            }

            sum = Vector256.Sum(acc);
        }

        if (Vector128.IsHardwareAccelerated && i <= length - 4)
        {
            sum += Vector128.Sum(Vector128.Abs(Vector128.LoadUnsafe(ref a, (nuint)i) - Vector128.LoadUnsafe(ref b, (nuint)i)));
            i += 4;
        }

        for (; i < length; i++)
        {
            sum += MathF.Abs(Unsafe.Add(ref a, i) - Unsafe.Add(ref b, i));
        }

        return sum;
    }

    /// <summary>The index's internal distance for <paramref name="metric"/>, through the same kernels as the search loops.</summary>
    public static float Distance(DistanceMetric metric, ref float a, ref float b, int length) => metric switch
    {
        DistanceMetric.Cosine or DistanceMetric.DotProduct => NegativeDotDistance.Compute(ref a, ref b, length),
        DistanceMetric.Euclidean or DistanceMetric.EuclideanSquared => SquaredL2Distance.Compute(ref a, ref b, length),
        _ => ManhattanDistance.Compute(ref a, ref b, length),
    };

    /// <summary>Turns an internal distance into the public score (higher is more similar).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float ToScore(DistanceMetric metric, float distance) =>
        metric == DistanceMetric.Euclidean ? -MathF.Sqrt(MathF.Max(distance, 0f)) : -distance;
}
