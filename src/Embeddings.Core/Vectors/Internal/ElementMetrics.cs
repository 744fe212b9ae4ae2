using System.Runtime.CompilerServices;

namespace Embeddings.Vectors.Internal;

/// <summary>
/// What a metric adds to its running total for one pair of elements, at every width and for one float; a
/// metric is then the sum of these over the vectors (<see cref="SimdKernels.Sum{TMetric}"/>). Every metric maps
/// a pair of zeros to nothing, which the masked tails rely on.
/// </summary>
internal interface IElementMetric
{
    static abstract TVector Accumulate<TLanes, TVector>(TVector a, TVector b, TVector total)
        where TLanes : struct, ISimdLanes<TVector>
        where TVector : struct;

    static abstract float Accumulate(float a, float b, float total);
}

/// <summary>a · b.</summary>
internal readonly struct DotElements : IElementMetric
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector Accumulate<TLanes, TVector>(TVector a, TVector b, TVector total)
        where TLanes : struct, ISimdLanes<TVector>
        where TVector : struct => TLanes.FusedMultiplyAdd(a, b, total);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Accumulate(float a, float b, float total) => MathF.FusedMultiplyAdd(a, b, total);
}

/// <summary>‖a - b‖², from the differences (not the norm expansion, which cancels badly for near neighbours).</summary>
internal readonly struct SquaredDifferenceElements : IElementMetric
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector Accumulate<TLanes, TVector>(TVector a, TVector b, TVector total)
        where TLanes : struct, ISimdLanes<TVector>
        where TVector : struct
    {
        TVector d = TLanes.Subtract(a, b);
        return TLanes.FusedMultiplyAdd(d, d, total);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Accumulate(float a, float b, float total)
    {
        float d = a - b;
        return MathF.FusedMultiplyAdd(d, d, total);
    }
}

/// <summary>Σ |a - b|.</summary>
internal readonly struct AbsoluteDifferenceElements : IElementMetric
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector Accumulate<TLanes, TVector>(TVector a, TVector b, TVector total)
        where TLanes : struct, ISimdLanes<TVector>
        where TVector : struct => TLanes.Add(total, TLanes.Abs(TLanes.Subtract(a, b)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Accumulate(float a, float b, float total) => total + MathF.Abs(a - b);
}
