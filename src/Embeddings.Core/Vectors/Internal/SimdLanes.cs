using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Embeddings.Vectors.Internal;

/// <summary>
/// The float operations the kernels need, at one vector width: the role <c>ISimdVector&lt;TSelf, T&gt;</c> plays inside
/// System.Numerics.Tensors (internal there in .NET 10). A kernel written once over <typeparamref name="TVector"/> is
/// compiled by the JIT once per width it is called with (<see cref="Lanes128"/>, <see cref="Lanes256"/>,
/// <see cref="Lanes512"/>), each call inlined to the width's instructions, so no width has a copy of its own that
/// can drift.
/// </summary>
/// <typeparam name="TVector">The vector of floats, for example <see cref="Vector256{T}"/> of <see cref="float"/>.</typeparam>
internal interface ISimdLanes<TVector>
    where TVector : struct
{
    /// <summary>Gets the floats per vector.</summary>
    static abstract int Count { get; }

    /// <summary>Gets whether the width runs on vector hardware (otherwise the JIT emulates it, correctly but slowly).</summary>
    static abstract bool IsHardwareAccelerated { get; }

    static abstract TVector Zero { get; }

    /// <summary>Gets 0, 1, 2, ... in the lanes, as floats.</summary>
    static abstract TVector Indices { get; }

    static abstract TVector Create(float value);

    static abstract TVector Load(ref float source, nuint offset);

    /// <summary>Loads <see cref="Count"/> sbytes and widens them to floats, reading no byte past them.</summary>
    static abstract TVector LoadWidened(ref sbyte source, nuint offset);

    static abstract void Store(TVector value, ref float destination, nuint offset);

    static abstract TVector Add(TVector a, TVector b);

    static abstract TVector Subtract(TVector a, TVector b);

    static abstract TVector Multiply(TVector a, TVector b);

    /// <summary>Returns a * b + c, rounded once.</summary>
    static abstract TVector FusedMultiplyAdd(TVector a, TVector b, TVector c);

    static abstract TVector Abs(TVector value);

    /// <summary>Returns all-ones lanes where a &lt; b.</summary>
    static abstract TVector LessThan(TVector a, TVector b);

    /// <summary>Returns <paramref name="whereSet"/> in the lanes set in <paramref name="mask"/>, <paramref name="otherwise"/> elsewhere.</summary>
    static abstract TVector ConditionalSelect(TVector mask, TVector whereSet, TVector otherwise);

    static abstract float Sum(TVector value);

    /// <summary>Returns the lanes' sign bits, lane 0 in bit 0: the set lanes of a comparison's mask.</summary>
    static abstract ulong ExtractMostSignificantBits(TVector value);

    /// <summary>
    /// A mask with the last <paramref name="remaining"/> lanes set (1 ≤ remaining &lt; <see cref="Count"/>): the kernels
    /// finish a length that is not a multiple of <see cref="Count"/> with one load that ends at the last element and
    /// keep only its lanes not yet counted, instead of a scalar loop or a narrower width.
    /// </summary>
    static abstract TVector TailMask(int remaining);
}

/// <summary>The table the tail masks are loaded from: 16 clear lanes, then 16 set ones.</summary>
internal static class TailMasks
{
    private static ReadOnlySpan<uint> Table =>
    [
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0xFFFF_FFFF, 0xFFFF_FFFF, 0xFFFF_FFFF, 0xFFFF_FFFF, 0xFFFF_FFFF, 0xFFFF_FFFF, 0xFFFF_FFFF, 0xFFFF_FFFF,
        0xFFFF_FFFF, 0xFFFF_FFFF, 0xFFFF_FFFF, 0xFFFF_FFFF, 0xFFFF_FFFF, 0xFFFF_FFFF, 0xFFFF_FFFF, 0xFFFF_FFFF,
    ];

    /// <summary>Gets where a mask of <paramref name="count"/> lanes with the last <paramref name="remaining"/> set starts in the table.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ref float Start(int count, int remaining) =>
        ref Unsafe.As<uint, float>(ref Unsafe.Add(ref MemoryMarshal.GetReference(Table), 16 - count + remaining));
}

/// <summary>128-bit vectors: SSE, or AdvSimd on Arm; the width every x64 and Arm64 CPU has.</summary>
internal readonly struct Lanes128 : ISimdLanes<Vector128<float>>
{
    public static int Count => Vector128<float>.Count;

    public static bool IsHardwareAccelerated => Vector128.IsHardwareAccelerated;

    public static Vector128<float> Zero => Vector128<float>.Zero;

#if NET9_0_OR_GREATER
    public static Vector128<float> Indices => Vector128<float>.Indices;
#else
    public static Vector128<float> Indices => Vector128.Create(0f, 1f, 2f, 3f);
#endif

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Create(float value) => Vector128.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Load(ref float source, nuint offset) => Vector128.LoadUnsafe(ref source, offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> LoadWidened(ref sbyte source, nuint offset)
    {
        Vector128<sbyte> bytes = Vector128.CreateScalarUnsafe(Unsafe.ReadUnaligned<int>(ref Unsafe.As<sbyte, byte>(ref Unsafe.Add(ref source, offset)))).AsSByte();
        if (Sse41.IsSupported)
        {
            return Sse2.ConvertToVector128Single(Sse41.ConvertToVector128Int32(bytes));
        }

        return Vector128.ConvertToSingle(Vector128.WidenLower(Vector128.WidenLower(bytes)));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector128<float> value, ref float destination, nuint offset) => value.StoreUnsafe(ref destination, offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Add(Vector128<float> a, Vector128<float> b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Subtract(Vector128<float> a, Vector128<float> b) => a - b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Multiply(Vector128<float> a, Vector128<float> b) => a * b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
#if NET9_0_OR_GREATER
    public static Vector128<float> FusedMultiplyAdd(Vector128<float> a, Vector128<float> b, Vector128<float> c) => Vector128.FusedMultiplyAdd(a, b, c);
#else
    // .NET 8 has no cross-platform fused multiply-add; the hardware one where there is one, else multiply and add.
    public static Vector128<float> FusedMultiplyAdd(Vector128<float> a, Vector128<float> b, Vector128<float> c) =>
        Fma.IsSupported ? Fma.MultiplyAdd(a, b, c)
        : System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported ? System.Runtime.Intrinsics.Arm.AdvSimd.FusedMultiplyAdd(c, a, b)
        : (a * b) + c;
#endif

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Abs(Vector128<float> value) => Vector128.Abs(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> LessThan(Vector128<float> a, Vector128<float> b) => Vector128.LessThan(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> ConditionalSelect(Vector128<float> mask, Vector128<float> whereSet, Vector128<float> otherwise) =>
        Vector128.ConditionalSelect(mask, whereSet, otherwise);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum(Vector128<float> value) => Vector128.Sum(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong ExtractMostSignificantBits(Vector128<float> value) => value.ExtractMostSignificantBits();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> TailMask(int remaining) => Vector128.LoadUnsafe(ref TailMasks.Start(Vector128<float>.Count, remaining));
}

/// <summary>256-bit vectors: AVX2 on x64.</summary>
internal readonly struct Lanes256 : ISimdLanes<Vector256<float>>
{
    public static int Count => Vector256<float>.Count;

    public static bool IsHardwareAccelerated => Vector256.IsHardwareAccelerated;

    public static Vector256<float> Zero => Vector256<float>.Zero;

#if NET9_0_OR_GREATER
    public static Vector256<float> Indices => Vector256<float>.Indices;
#else
    public static Vector256<float> Indices => Vector256.Create(0f, 1f, 2f, 3f, 4f, 5f, 6f, 7f);
#endif

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Create(float value) => Vector256.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Load(ref float source, nuint offset) => Vector256.LoadUnsafe(ref source, offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> LoadWidened(ref sbyte source, nuint offset)
    {
        Vector128<sbyte> bytes = Vector128.CreateScalarUnsafe(Unsafe.ReadUnaligned<long>(ref Unsafe.As<sbyte, byte>(ref Unsafe.Add(ref source, offset)))).AsSByte();
        if (Avx2.IsSupported)
        {
            return Avx.ConvertToVector256Single(Avx2.ConvertToVector256Int32(bytes));
        }

        Vector128<short> shorts = Vector128.WidenLower(bytes);
        return Vector256.ConvertToSingle(Vector256.Create(Vector128.WidenLower(shorts), Vector128.WidenUpper(shorts)));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector256<float> value, ref float destination, nuint offset) => value.StoreUnsafe(ref destination, offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Add(Vector256<float> a, Vector256<float> b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Subtract(Vector256<float> a, Vector256<float> b) => a - b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Multiply(Vector256<float> a, Vector256<float> b) => a * b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
#if NET9_0_OR_GREATER
    public static Vector256<float> FusedMultiplyAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c) => Vector256.FusedMultiplyAdd(a, b, c);
#else
    public static Vector256<float> FusedMultiplyAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c) =>
        Fma.IsSupported ? Fma.MultiplyAdd(a, b, c) : (a * b) + c;
#endif

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Abs(Vector256<float> value) => Vector256.Abs(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> LessThan(Vector256<float> a, Vector256<float> b) => Vector256.LessThan(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> ConditionalSelect(Vector256<float> mask, Vector256<float> whereSet, Vector256<float> otherwise) =>
        Vector256.ConditionalSelect(mask, whereSet, otherwise);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum(Vector256<float> value) => Vector256.Sum(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong ExtractMostSignificantBits(Vector256<float> value) => value.ExtractMostSignificantBits();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> TailMask(int remaining) => Vector256.LoadUnsafe(ref TailMasks.Start(Vector256<float>.Count, remaining));
}

/// <summary>512-bit vectors: AVX-512 on x64.</summary>
internal readonly struct Lanes512 : ISimdLanes<Vector512<float>>
{
    public static int Count => Vector512<float>.Count;

    public static bool IsHardwareAccelerated => Vector512.IsHardwareAccelerated;

    public static Vector512<float> Zero => Vector512<float>.Zero;

#if NET9_0_OR_GREATER
    public static Vector512<float> Indices => Vector512<float>.Indices;

    /// <summary>Gets 0, 1, ..., 15 as integers (a lane mask source).</summary>
    public static Vector512<int> IntIndices => Vector512<int>.Indices;
#else
    public static Vector512<int> IntIndices => Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);

    public static Vector512<float> Indices => Vector512.Create(0f, 1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f, 9f, 10f, 11f, 12f, 13f, 14f, 15f);
#endif

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Create(float value) => Vector512.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Load(ref float source, nuint offset) => Vector512.LoadUnsafe(ref source, offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> LoadWidened(ref sbyte source, nuint offset)
    {
        Vector128<sbyte> bytes = Vector128.LoadUnsafe(ref source, offset);
        if (Avx512F.IsSupported)
        {
            return Avx512F.ConvertToVector512Single(Avx512F.ConvertToVector512Int32(bytes));
        }

        Vector128<short> low = Vector128.WidenLower(bytes);
        Vector128<short> high = Vector128.WidenUpper(bytes);
        return Vector512.ConvertToSingle(Vector512.Create(
            Vector256.Create(Vector128.WidenLower(low), Vector128.WidenUpper(low)),
            Vector256.Create(Vector128.WidenLower(high), Vector128.WidenUpper(high))));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector512<float> value, ref float destination, nuint offset) => value.StoreUnsafe(ref destination, offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Add(Vector512<float> a, Vector512<float> b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Subtract(Vector512<float> a, Vector512<float> b) => a - b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Multiply(Vector512<float> a, Vector512<float> b) => a * b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
#if NET9_0_OR_GREATER
    public static Vector512<float> FusedMultiplyAdd(Vector512<float> a, Vector512<float> b, Vector512<float> c) => Vector512.FusedMultiplyAdd(a, b, c);
#else
    public static Vector512<float> FusedMultiplyAdd(Vector512<float> a, Vector512<float> b, Vector512<float> c) =>
        Avx512F.IsSupported ? Avx512F.FusedMultiplyAdd(a, b, c) : (a * b) + c;
#endif

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Abs(Vector512<float> value) => Vector512.Abs(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> LessThan(Vector512<float> a, Vector512<float> b) => Vector512.LessThan(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> ConditionalSelect(Vector512<float> mask, Vector512<float> whereSet, Vector512<float> otherwise) =>
        Vector512.ConditionalSelect(mask, whereSet, otherwise);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum(Vector512<float> value) => Vector512.Sum(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong ExtractMostSignificantBits(Vector512<float> value) => value.ExtractMostSignificantBits();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> TailMask(int remaining) => Vector512.LoadUnsafe(ref TailMasks.Start(Vector512<float>.Count, remaining));
}
