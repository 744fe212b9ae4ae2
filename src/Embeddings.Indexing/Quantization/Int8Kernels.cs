using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Embeddings;

/// <summary>SIMD kernels over int8 codes against float weights; TensorPrimitives has no mixed sbyte/float operation.</summary>
internal static class Int8Kernels
{
    /// <summary>Returns Σ weights[i] * codes[i].</summary>
    public static float WeightedSum(ReadOnlySpan<float> weights, ReadOnlySpan<sbyte> codes) =>
        WeightedSum(ref MemoryMarshal.GetReference(weights), ref MemoryMarshal.GetReference(codes), weights.Length);

    /// <summary>Returns Σ (offsets[i] + negSteps[i] * codes[i])², the squared distance when offsets = query - center and negSteps = -step.</summary>
    public static float SquaredResidual(ReadOnlySpan<float> offsets, ReadOnlySpan<float> negSteps, ReadOnlySpan<sbyte> codes) =>
        SquaredResidual(ref MemoryMarshal.GetReference(offsets), ref MemoryMarshal.GetReference(negSteps), ref MemoryMarshal.GetReference(codes), offsets.Length);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float WeightedSum(ref float w, ref sbyte c, int n)
    {
        int i = 0;
        float sum = 0f;
        if (Avx512F.IsSupported && n >= 16)
        {
            Vector512<float> acc0 = Vector512<float>.Zero, acc1 = Vector512<float>.Zero;
            for (; i <= n - 32; i += 32)
            {
                Vector512<float> f0 = Avx512F.ConvertToVector512Single(Avx512F.ConvertToVector512Int32(Vector128.LoadUnsafe(ref c, (nuint)i)));
                Vector512<float> f1 = Avx512F.ConvertToVector512Single(Avx512F.ConvertToVector512Int32(Vector128.LoadUnsafe(ref c, (nuint)(i + 16))));
                acc0 = Avx512F.FusedMultiplyAdd(f0, Vector512.LoadUnsafe(ref w, (nuint)i), acc0);
                acc1 = Avx512F.FusedMultiplyAdd(f1, Vector512.LoadUnsafe(ref w, (nuint)(i + 16)), acc1);
            }

            for (; i <= n - 16; i += 16)
            {
                Vector512<float> f = Avx512F.ConvertToVector512Single(Avx512F.ConvertToVector512Int32(Vector128.LoadUnsafe(ref c, (nuint)i)));
                acc0 = Avx512F.FusedMultiplyAdd(f, Vector512.LoadUnsafe(ref w, (nuint)i), acc0);
            }

            sum = Vector512.Sum(acc0 + acc1);
        }

        if (Avx2.IsSupported && Fma.IsSupported)
        {
            Vector256<float> acc = Vector256<float>.Zero;
            for (; i <= n - 8; i += 8)
            {
                Vector256<float> f = Avx.ConvertToVector256Single(Avx2.ConvertToVector256Int32(Load8(ref c, i)));
                acc = Fma.MultiplyAdd(f, Vector256.LoadUnsafe(ref w, (nuint)i), acc);
            }

            sum += Vector256.Sum(acc);
        }
        else if (Vector128.IsHardwareAccelerated)
        {
            Vector128<float> acc = Vector128<float>.Zero;
            for (; i <= n - 8; i += 8)
            {
                Vector128<short> s = Vector128.WidenLower(Load8(ref c, i));
                acc = Vector128.FusedMultiplyAdd(Vector128.ConvertToSingle(Vector128.WidenLower(s)), Vector128.LoadUnsafe(ref w, (nuint)i), acc);
                acc = Vector128.FusedMultiplyAdd(Vector128.ConvertToSingle(Vector128.WidenUpper(s)), Vector128.LoadUnsafe(ref w, (nuint)(i + 4)), acc);
            }

            sum += Vector128.Sum(acc);
        }

        for (; i < n; i++)
        {
            sum = MathF.FusedMultiplyAdd(Unsafe.Add(ref w, i), Unsafe.Add(ref c, i), sum);
        }

        return sum;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float SquaredResidual(ref float a, ref float negStep, ref sbyte c, int n)
    {
        int i = 0;
        float sum = 0f;
        if (Avx512F.IsSupported && n >= 16)
        {
            Vector512<float> acc = Vector512<float>.Zero;
            for (; i <= n - 16; i += 16)
            {
                Vector512<float> f = Avx512F.ConvertToVector512Single(Avx512F.ConvertToVector512Int32(Vector128.LoadUnsafe(ref c, (nuint)i)));
                Vector512<float> d = Avx512F.FusedMultiplyAdd(f, Vector512.LoadUnsafe(ref negStep, (nuint)i), Vector512.LoadUnsafe(ref a, (nuint)i));
                acc = Avx512F.FusedMultiplyAdd(d, d, acc);
            }

            sum = Vector512.Sum(acc);
        }

        if (Avx2.IsSupported && Fma.IsSupported)
        {
            Vector256<float> acc = Vector256<float>.Zero;
            for (; i <= n - 8; i += 8)
            {
                Vector256<float> f = Avx.ConvertToVector256Single(Avx2.ConvertToVector256Int32(Load8(ref c, i)));
                Vector256<float> d = Fma.MultiplyAdd(f, Vector256.LoadUnsafe(ref negStep, (nuint)i), Vector256.LoadUnsafe(ref a, (nuint)i));
                acc = Fma.MultiplyAdd(d, d, acc);
            }

            sum += Vector256.Sum(acc);
        }
        else if (Vector128.IsHardwareAccelerated)
        {
            Vector128<float> acc = Vector128<float>.Zero;
            for (; i <= n - 8; i += 8)
            {
                Vector128<short> s = Vector128.WidenLower(Load8(ref c, i));
                Vector128<float> d0 = Vector128.FusedMultiplyAdd(Vector128.ConvertToSingle(Vector128.WidenLower(s)), Vector128.LoadUnsafe(ref negStep, (nuint)i), Vector128.LoadUnsafe(ref a, (nuint)i));
                Vector128<float> d1 = Vector128.FusedMultiplyAdd(Vector128.ConvertToSingle(Vector128.WidenUpper(s)), Vector128.LoadUnsafe(ref negStep, (nuint)(i + 4)), Vector128.LoadUnsafe(ref a, (nuint)(i + 4)));
                acc = Vector128.FusedMultiplyAdd(d0, d0, acc);
                acc = Vector128.FusedMultiplyAdd(d1, d1, acc);
            }

            sum += Vector128.Sum(acc);
        }

        for (; i < n; i++)
        {
            float d = MathF.FusedMultiplyAdd(Unsafe.Add(ref c, i), Unsafe.Add(ref negStep, i), Unsafe.Add(ref a, i));
            sum = MathF.FusedMultiplyAdd(d, d, sum);
        }

        return sum;
    }

    /// <summary>Loads 8 sbytes into the low half of a vector without reading past them.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<sbyte> Load8(ref sbyte c, int i) =>
        Vector128.CreateScalarUnsafe(Unsafe.ReadUnaligned<long>(ref Unsafe.As<sbyte, byte>(ref Unsafe.Add(ref c, i)))).AsSByte();
}
