using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Embeddings.Vectors.Internal;

namespace Embeddings;

/// <summary>Span entry points to the width-generic int8 kernels of <see cref="SimdKernels"/> (TensorPrimitives has no mixed sbyte/float operation).</summary>
internal static class Int8Kernels
{
    /// <summary>Returns Σ weights[i] * codes[i].</summary>
    public static float WeightedSum(ReadOnlySpan<float> weights, ReadOnlySpan<sbyte> codes) =>
        WeightedSum(ref MemoryMarshal.GetReference(weights), ref MemoryMarshal.GetReference(codes), weights.Length);

    /// <summary>Returns Σ (offsets[i] + negSteps[i] * codes[i])², the squared distance when offsets = query - center and negSteps = -step.</summary>
    public static float SquaredResidual(ReadOnlySpan<float> offsets, ReadOnlySpan<float> negSteps, ReadOnlySpan<sbyte> codes) =>
        SquaredResidual(ref MemoryMarshal.GetReference(offsets), ref MemoryMarshal.GetReference(negSteps), ref MemoryMarshal.GetReference(codes), offsets.Length);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float WeightedSum(ref float w, ref sbyte c, int n) => SimdKernels.WeightedSum(ref w, ref c, n);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float SquaredResidual(ref float a, ref float negStep, ref sbyte c, int n) => SimdKernels.SquaredResidual(ref a, ref negStep, ref c, n);
}
