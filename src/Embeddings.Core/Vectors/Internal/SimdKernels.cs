using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Embeddings.Vectors.Internal;

/// <summary>
/// The library's SIMD reductions, each written once over the vector width (<see cref="ISimdLanes{TVector}"/>).
/// Each has an entry point that picks the widest width the CPU runs and the length fills, and a width-explicit
/// form that tests call for every width on any CPU. Lengths that are not a multiple of the width end with one
/// masked load that overlaps the previous one (<see cref="ISimdLanes{TVector}.TailMask"/>), so a 100-float
/// vector needs no scalar loop at any width.
/// </summary>
internal static class SimdKernels
{
    /// <summary>Returns Σ TMetric(aᵢ, bᵢ) over <paramref name="length"/> elements.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum<TMetric>(ref float a, ref float b, int length)
        where TMetric : struct, IElementMetric
    {
        if (Vector512.IsHardwareAccelerated && length >= Vector512<float>.Count)
        {
            return Sum<TMetric, Lanes512, Vector512<float>>(ref a, ref b, length);
        }

        if (Vector256.IsHardwareAccelerated && length >= Vector256<float>.Count)
        {
            return Sum<TMetric, Lanes256, Vector256<float>>(ref a, ref b, length);
        }

        if (Vector128.IsHardwareAccelerated && length >= Vector128<float>.Count)
        {
            return Sum<TMetric, Lanes128, Vector128<float>>(ref a, ref b, length);
        }

        float total = 0f;
        for (int i = 0; i < length; i++)
        {
            total = TMetric.Accumulate(Unsafe.Add(ref a, i), Unsafe.Add(ref b, i), total);
        }

        return total;
    }

    /// <summary>
    /// <see cref="Sum{TMetric}"/> at one width; <paramref name="length"/> at least <typeparamref name="TLanes"/>' count.
    /// Two accumulators, so consecutive steps do not wait on one another's latency.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum<TMetric, TLanes, TVector>(ref float a, ref float b, int length)
        where TMetric : struct, IElementMetric
        where TLanes : struct, ISimdLanes<TVector>
        where TVector : struct
    {
        int count = TLanes.Count;
        TVector total0 = TLanes.Zero;
        TVector total1 = TLanes.Zero;
        int i = 0;
        for (; i <= length - (2 * count); i += 2 * count)
        {
            total0 = TMetric.Accumulate<TLanes, TVector>(TLanes.Load(ref a, (nuint)i), TLanes.Load(ref b, (nuint)i), total0);
            total1 = TMetric.Accumulate<TLanes, TVector>(TLanes.Load(ref a, (nuint)(i + count)), TLanes.Load(ref b, (nuint)(i + count)), total1);
        }

        if (i <= length - count)
        {
            total0 = TMetric.Accumulate<TLanes, TVector>(TLanes.Load(ref a, (nuint)i), TLanes.Load(ref b, (nuint)i), total0);
            i += count;
        }

        if (i < length)
        {
            TVector mask = TLanes.TailMask(length - i);
            nuint last = (nuint)(length - count);
            TVector x = TLanes.ConditionalSelect(mask, TLanes.Load(ref a, last), TLanes.Zero);
            TVector y = TLanes.ConditionalSelect(mask, TLanes.Load(ref b, last), TLanes.Zero);
            total1 = TMetric.Accumulate<TLanes, TVector>(x, y, total1);
        }

        return TLanes.Sum(TLanes.Add(total0, total1));
    }

    /// <summary>Returns a · b, a · a and b · b in one pass (cosine).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void DotAndSquares(ref float a, ref float b, int length, out float dot, out float aa, out float bb)
    {
        if (Vector512.IsHardwareAccelerated && length >= Vector512<float>.Count)
        {
            DotAndSquares<Lanes512, Vector512<float>>(ref a, ref b, length, out dot, out aa, out bb);
            return;
        }

        if (Vector256.IsHardwareAccelerated && length >= Vector256<float>.Count)
        {
            DotAndSquares<Lanes256, Vector256<float>>(ref a, ref b, length, out dot, out aa, out bb);
            return;
        }

        if (Vector128.IsHardwareAccelerated && length >= Vector128<float>.Count)
        {
            DotAndSquares<Lanes128, Vector128<float>>(ref a, ref b, length, out dot, out aa, out bb);
            return;
        }

        dot = 0f;
        aa = 0f;
        bb = 0f;
        for (int i = 0; i < length; i++)
        {
            float x = Unsafe.Add(ref a, i);
            float y = Unsafe.Add(ref b, i);
            dot = MathF.FusedMultiplyAdd(x, y, dot);
            aa = MathF.FusedMultiplyAdd(x, x, aa);
            bb = MathF.FusedMultiplyAdd(y, y, bb);
        }
    }

    /// <summary><see cref="DotAndSquares(ref float, ref float, int, out float, out float, out float)"/> at one width; <paramref name="length"/> at least its count.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void DotAndSquares<TLanes, TVector>(ref float a, ref float b, int length, out float dot, out float aa, out float bb)
        where TLanes : struct, ISimdLanes<TVector>
        where TVector : struct
    {
        // Two sets of accumulators: three FMA chains alone would wait on FMA latency, not on loads.
        int count = TLanes.Count;
        TVector d0 = TLanes.Zero, a0 = d0, b0 = d0, d1 = d0, a1 = d0, b1 = d0;
        int i = 0;
        for (; i <= length - (2 * count); i += 2 * count)
        {
            TVector x0 = TLanes.Load(ref a, (nuint)i);
            TVector y0 = TLanes.Load(ref b, (nuint)i);
            TVector x1 = TLanes.Load(ref a, (nuint)(i + count));
            TVector y1 = TLanes.Load(ref b, (nuint)(i + count));
            d0 = TLanes.FusedMultiplyAdd(x0, y0, d0);
            a0 = TLanes.FusedMultiplyAdd(x0, x0, a0);
            b0 = TLanes.FusedMultiplyAdd(y0, y0, b0);
            d1 = TLanes.FusedMultiplyAdd(x1, y1, d1);
            a1 = TLanes.FusedMultiplyAdd(x1, x1, a1);
            b1 = TLanes.FusedMultiplyAdd(y1, y1, b1);
        }

        if (i <= length - count)
        {
            TVector x = TLanes.Load(ref a, (nuint)i);
            TVector y = TLanes.Load(ref b, (nuint)i);
            d0 = TLanes.FusedMultiplyAdd(x, y, d0);
            a0 = TLanes.FusedMultiplyAdd(x, x, a0);
            b0 = TLanes.FusedMultiplyAdd(y, y, b0);
            i += count;
        }

        if (i < length)
        {
            TVector mask = TLanes.TailMask(length - i);
            nuint last = (nuint)(length - count);
            TVector x = TLanes.ConditionalSelect(mask, TLanes.Load(ref a, last), TLanes.Zero);
            TVector y = TLanes.ConditionalSelect(mask, TLanes.Load(ref b, last), TLanes.Zero);
            d1 = TLanes.FusedMultiplyAdd(x, y, d1);
            a1 = TLanes.FusedMultiplyAdd(x, x, a1);
            b1 = TLanes.FusedMultiplyAdd(y, y, b1);
        }

        dot = TLanes.Sum(TLanes.Add(d0, d1));
        aa = TLanes.Sum(TLanes.Add(a0, a1));
        bb = TLanes.Sum(TLanes.Add(b0, b1));
    }

    /// <summary>Returns Σ weightsᵢ · codesᵢ over int8 codes (TensorPrimitives has no mixed sbyte/float operation).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float WeightedSum(ref float weights, ref sbyte codes, int length)
    {
        if (Vector512.IsHardwareAccelerated && length >= Vector512<float>.Count)
        {
            return WeightedSum<Lanes512, Vector512<float>>(ref weights, ref codes, length);
        }

        if (Vector256.IsHardwareAccelerated && length >= Vector256<float>.Count)
        {
            return WeightedSum<Lanes256, Vector256<float>>(ref weights, ref codes, length);
        }

        if (Vector128.IsHardwareAccelerated && length >= Vector128<float>.Count)
        {
            return WeightedSum<Lanes128, Vector128<float>>(ref weights, ref codes, length);
        }

        float total = 0f;
        for (int i = 0; i < length; i++)
        {
            total = MathF.FusedMultiplyAdd(Unsafe.Add(ref weights, i), Unsafe.Add(ref codes, i), total);
        }

        return total;
    }

    /// <summary><see cref="WeightedSum(ref float, ref sbyte, int)"/> at one width; <paramref name="length"/> at least its count.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float WeightedSum<TLanes, TVector>(ref float weights, ref sbyte codes, int length)
        where TLanes : struct, ISimdLanes<TVector>
        where TVector : struct
    {
        int count = TLanes.Count;
        TVector total0 = TLanes.Zero;
        TVector total1 = TLanes.Zero;
        int i = 0;
        for (; i <= length - (2 * count); i += 2 * count)
        {
            total0 = TLanes.FusedMultiplyAdd(TLanes.LoadWidened(ref codes, (nuint)i), TLanes.Load(ref weights, (nuint)i), total0);
            total1 = TLanes.FusedMultiplyAdd(TLanes.LoadWidened(ref codes, (nuint)(i + count)), TLanes.Load(ref weights, (nuint)(i + count)), total1);
        }

        if (i <= length - count)
        {
            total0 = TLanes.FusedMultiplyAdd(TLanes.LoadWidened(ref codes, (nuint)i), TLanes.Load(ref weights, (nuint)i), total0);
            i += count;
        }

        if (i < length)
        {
            nuint last = (nuint)(length - count);
            TVector w = TLanes.ConditionalSelect(TLanes.TailMask(length - i), TLanes.Load(ref weights, last), TLanes.Zero);
            total1 = TLanes.FusedMultiplyAdd(TLanes.LoadWidened(ref codes, last), w, total1);
        }

        return TLanes.Sum(TLanes.Add(total0, total1));
    }

    /// <summary>
    /// Returns Σ (offsetsᵢ + negativeStepsᵢ · codesᵢ)²: the squared distance from a query to an int8 code when
    /// offsets = query - center and negativeSteps = -step.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float SquaredResidual(ref float offsets, ref float negativeSteps, ref sbyte codes, int length)
    {
        if (Vector512.IsHardwareAccelerated && length >= Vector512<float>.Count)
        {
            return SquaredResidual<Lanes512, Vector512<float>>(ref offsets, ref negativeSteps, ref codes, length);
        }

        if (Vector256.IsHardwareAccelerated && length >= Vector256<float>.Count)
        {
            return SquaredResidual<Lanes256, Vector256<float>>(ref offsets, ref negativeSteps, ref codes, length);
        }

        if (Vector128.IsHardwareAccelerated && length >= Vector128<float>.Count)
        {
            return SquaredResidual<Lanes128, Vector128<float>>(ref offsets, ref negativeSteps, ref codes, length);
        }

        float total = 0f;
        for (int i = 0; i < length; i++)
        {
            float d = MathF.FusedMultiplyAdd(Unsafe.Add(ref codes, i), Unsafe.Add(ref negativeSteps, i), Unsafe.Add(ref offsets, i));
            total = MathF.FusedMultiplyAdd(d, d, total);
        }

        return total;
    }

    /// <summary><see cref="SquaredResidual(ref float, ref float, ref sbyte, int)"/> at one width; <paramref name="length"/> at least its count.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float SquaredResidual<TLanes, TVector>(ref float offsets, ref float negativeSteps, ref sbyte codes, int length)
        where TLanes : struct, ISimdLanes<TVector>
        where TVector : struct
    {
        int count = TLanes.Count;
        TVector total0 = TLanes.Zero;
        TVector total1 = TLanes.Zero;
        int i = 0;
        for (; i <= length - (2 * count); i += 2 * count)
        {
            TVector d0 = TLanes.FusedMultiplyAdd(TLanes.LoadWidened(ref codes, (nuint)i), TLanes.Load(ref negativeSteps, (nuint)i), TLanes.Load(ref offsets, (nuint)i));
            TVector d1 = TLanes.FusedMultiplyAdd(TLanes.LoadWidened(ref codes, (nuint)(i + count)), TLanes.Load(ref negativeSteps, (nuint)(i + count)), TLanes.Load(ref offsets, (nuint)(i + count)));
            total0 = TLanes.FusedMultiplyAdd(d0, d0, total0);
            total1 = TLanes.FusedMultiplyAdd(d1, d1, total1);
        }

        if (i <= length - count)
        {
            TVector d = TLanes.FusedMultiplyAdd(TLanes.LoadWidened(ref codes, (nuint)i), TLanes.Load(ref negativeSteps, (nuint)i), TLanes.Load(ref offsets, (nuint)i));
            total0 = TLanes.FusedMultiplyAdd(d, d, total0);
            i += count;
        }

        if (i < length)
        {
            nuint last = (nuint)(length - count);
            TVector d = TLanes.FusedMultiplyAdd(TLanes.LoadWidened(ref codes, last), TLanes.Load(ref negativeSteps, last), TLanes.Load(ref offsets, last));
            d = TLanes.ConditionalSelect(TLanes.TailMask(length - i), d, TLanes.Zero);
            total1 = TLanes.FusedMultiplyAdd(d, d, total1);
        }

        return TLanes.Sum(TLanes.Add(total0, total1));
    }

    /// <summary>Adds (xᵢ - value)² to each accumulatorᵢ (k-means' distances to one centroid, a column at a time).</summary>
    public static void AddSquaredDifference(ref float x, float value, ref float accumulator, int length)
    {
        if (Vector512.IsHardwareAccelerated && length >= Vector512<float>.Count)
        {
            AddSquaredDifference<Lanes512, Vector512<float>>(ref x, value, ref accumulator, length);
        }
        else if (Vector256.IsHardwareAccelerated && length >= Vector256<float>.Count)
        {
            AddSquaredDifference<Lanes256, Vector256<float>>(ref x, value, ref accumulator, length);
        }
        else if (Vector128.IsHardwareAccelerated && length >= Vector128<float>.Count)
        {
            AddSquaredDifference<Lanes128, Vector128<float>>(ref x, value, ref accumulator, length);
        }
        else
        {
            for (int i = 0; i < length; i++)
            {
                float d = Unsafe.Add(ref x, i) - value;
                Unsafe.Add(ref accumulator, i) = MathF.FusedMultiplyAdd(d, d, Unsafe.Add(ref accumulator, i));
            }
        }
    }

    /// <summary><see cref="AddSquaredDifference(ref float, float, ref float, int)"/> at one width; <paramref name="length"/> at least its count.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddSquaredDifference<TLanes, TVector>(ref float x, float value, ref float accumulator, int length)
        where TLanes : struct, ISimdLanes<TVector>
        where TVector : struct
    {
        int count = TLanes.Count;
        TVector v = TLanes.Create(value);
        int i = 0;
        for (; i <= length - count; i += count)
        {
            TVector d = TLanes.Subtract(TLanes.Load(ref x, (nuint)i), v);
            TLanes.Store(TLanes.FusedMultiplyAdd(d, d, TLanes.Load(ref accumulator, (nuint)i)), ref accumulator, (nuint)i);
        }

        if (i < length)
        {
            // The overlapping lanes already hold their final values: keep them, update only the new ones.
            nuint last = (nuint)(length - count);
            TVector old = TLanes.Load(ref accumulator, last);
            TVector d = TLanes.Subtract(TLanes.Load(ref x, last), v);
            TLanes.Store(TLanes.ConditionalSelect(TLanes.TailMask(length - i), TLanes.FusedMultiplyAdd(d, d, old), old), ref accumulator, last);
        }
    }
}
