using System.Runtime.CompilerServices;
using Embeddings.Vectors.Internal;

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
/// The index hot loops' view of the shared kernels: ref-based (no span construction, no bounds checks per call),
/// every width from the one width-generic <see cref="SimdKernels.Sum{TMetric}"/>.
/// </summary>
internal static class IndexKernels
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Dot(ref float a, ref float b, int length) => SimdKernels.Sum<DotElements>(ref a, ref b, length);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float SquaredL2(ref float a, ref float b, int length) => SimdKernels.Sum<SquaredDifferenceElements>(ref a, ref b, length);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float L1(ref float a, ref float b, int length) => SimdKernels.Sum<AbsoluteDifferenceElements>(ref a, ref b, length);

    /// <summary>The index's internal distance for <paramref name="metric"/>, through the same kernels as the search loops.</summary>
    public static float Distance(DistanceMetric metric, ref float a, ref float b, int length) => metric switch
    {
        DistanceMetric.Cosine or DistanceMetric.DotProduct => NegativeDotDistance.Compute(ref a, ref b, length),
        DistanceMetric.Euclidean or DistanceMetric.EuclideanSquared => SquaredL2Distance.Compute(ref a, ref b, length),
        _ => ManhattanDistance.Compute(ref a, ref b, length),
    };

    /// <summary>Turns an internal distance into the public score (higher is more similar).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float ToScore(DistanceMetric metric, float distance) => VectorMath.RankingDistanceToScore(metric, distance);
}
