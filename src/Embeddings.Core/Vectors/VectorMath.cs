using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Embeddings.Vectors.Internal;

namespace Embeddings;

/// <summary>
/// Span-based vector kernels: normalization and the <see cref="DistanceMetric"/> family. They allocate nothing,
/// use <see cref="TensorPrimitives"/> where it has the operation and the width-generic kernels of
/// <c>SimdKernels</c> where it does not.
/// </summary>
/// <remarks>Inputs of different lengths are an <see cref="ArgumentException"/> that names both lengths.</remarks>
public static class VectorMath
{
    /// <summary>Scales <paramref name="vector"/> in place to unit L2 length. A zero vector stays zero.</summary>
    /// <param name="vector">The vector.</param>
    /// <exception cref="ArgumentException">The vector is empty or holds NaN or an infinity (the message names the first index).</exception>
    public static void Normalize(Span<float> vector) => NormalizeCore(vector, vector, nameof(vector));

    /// <summary>Writes <paramref name="source"/> scaled to unit L2 length into <paramref name="destination"/>.</summary>
    /// <param name="source">The vector.</param>
    /// <param name="destination">Where the result goes; at least as long as <paramref name="source"/>; may be the same memory.</param>
    /// <exception cref="ArgumentException">The vector is empty, holds NaN or an infinity, or the destination is too short.</exception>
    public static void Normalize(ReadOnlySpan<float> source, Span<float> destination)
    {
        if (destination.Length < source.Length)
        {
            throw new ArgumentException($"The destination has {destination.Length} elements; {source.Length} are needed.", nameof(destination));
        }

        NormalizeCore(source, destination, nameof(source));
    }

    /// <summary>Returns the L2 norm of <paramref name="vector"/>.</summary>
    /// <param name="vector">The vector.</param>
    /// <returns>‖vector‖.</returns>
    public static float Norm(ReadOnlySpan<float> vector) => TensorPrimitives.Norm(vector);

    private static void NormalizeCore(ReadOnlySpan<float> source, Span<float> destination, string paramName)
    {
        EnsureFinite(source, paramName);
        float norm = TensorPrimitives.Norm(source);
        if (norm >= MinSafeNorm && float.IsFinite(norm))
        {
            TensorPrimitives.Multiply(source, 1f / norm, destination);
        }
        else
        {
            NormalizeExtreme(source, destination);
        }
    }

    /// <summary>Throws when <paramref name="vector"/> is empty or holds NaN or an infinity.</summary>
    /// <param name="vector">The vector.</param>
    /// <param name="paramName">The parameter name for the exception.</param>
    /// <exception cref="ArgumentException">The vector is empty, or holds a non-finite value (the message names the first index).</exception>
    public static void EnsureFinite(ReadOnlySpan<float> vector, string paramName)
    {
        if (vector.IsEmpty)
        {
            throw new ArgumentException("The vector is empty.", paramName);
        }

        if (!TensorPrimitives.IsFiniteAll(vector))
        {
            for (int i = 0; i < vector.Length; i++)
            {
                if (!float.IsFinite(vector[i]))
                {
                    throw new ArgumentException($"The vector holds {vector[i]} at index {i}; every value must be finite.", paramName);
                }
            }
        }
    }

    /// <summary>Returns the dot product a · b.</summary>
    /// <param name="a">The first vector.</param>
    /// <param name="b">The second vector, as long as <paramref name="a"/>.</param>
    /// <returns>Σ aᵢbᵢ.</returns>
    public static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        EnsureSameLength(a.Length, b.Length);
        return TensorPrimitives.Dot(a, b);
    }

    /// <summary>Returns the cosine similarity of a and b; 0 when either is a zero vector.</summary>
    /// <param name="a">The first vector.</param>
    /// <param name="b">The second vector, as long as <paramref name="a"/>.</param>
    /// <returns>cos(a, b) in [-1, 1].</returns>
    public static float Cosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        EnsureSameLength(a.Length, b.Length);
        DotAndNorms(a, b, out float dot, out float aa, out float bb);
        if (!(aa >= MinSafeSquaredNorm && bb >= MinSafeSquaredNorm && aa <= float.MaxValue && bb <= float.MaxValue))
        {
            return CosineExtreme(a, b);
        }

        // In double: aa * bb overflows float once the norms pass about 1e19.
        double cosine = dot / Math.Sqrt((double)aa * bb);
        return (float)Math.Clamp(cosine, -1d, 1d);
    }

    /// <summary>Returns the Euclidean distance ‖a - b‖.</summary>
    /// <param name="a">The first vector.</param>
    /// <param name="b">The second vector, as long as <paramref name="a"/>.</param>
    /// <returns>The L2 distance.</returns>
    public static float Euclidean(ReadOnlySpan<float> a, ReadOnlySpan<float> b) => MathF.Sqrt(EuclideanSquared(a, b));

    /// <summary>Returns the squared Euclidean distance ‖a - b‖².</summary>
    /// <param name="a">The first vector.</param>
    /// <param name="b">The second vector, as long as <paramref name="a"/>.</param>
    /// <returns>Σ (aᵢ - bᵢ)².</returns>
    public static float EuclideanSquared(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        EnsureSameLength(a.Length, b.Length);
        return SimdKernels.Sum<SquaredDifferenceElements>(ref MemoryMarshal.GetReference(a), ref MemoryMarshal.GetReference(b), a.Length);
    }

    /// <summary>Returns the Manhattan distance Σ|aᵢ - bᵢ|.</summary>
    /// <param name="a">The first vector.</param>
    /// <param name="b">The second vector, as long as <paramref name="a"/>.</param>
    /// <returns>The L1 distance.</returns>
    public static float Manhattan(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        EnsureSameLength(a.Length, b.Length);
        return SimdKernels.Sum<AbsoluteDifferenceElements>(ref MemoryMarshal.GetReference(a), ref MemoryMarshal.GetReference(b), a.Length);
    }

    /// <summary>Returns the number of differing bits between two bit codes packed into 64-bit words.</summary>
    /// <param name="a">The first code.</param>
    /// <param name="b">The second code, as long as <paramref name="a"/>.</param>
    /// <returns>The Hamming distance.</returns>
    public static int Hamming(ReadOnlySpan<ulong> a, ReadOnlySpan<ulong> b)
    {
        EnsureSameLength(a.Length, b.Length);
        ref ulong pa = ref MemoryMarshal.GetReference(a);
        ref ulong pb = ref MemoryMarshal.GetReference(b);
        int n = a.Length;
        int i = 0;
        long total = 0;

        // A nibble-lookup popcount over four words per step (VPSHUFB, then VPSADBW to sum bytes) measured ahead of scalar
        // POPCNT already at 12 and 16 words; .NET exposes no AVX-512 VPOPCNTQ to do better.
        if (Avx2.IsSupported && n >= Vector256<ulong>.Count)
        {
            Vector256<byte> lookup = Vector256.Create((byte)0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4, 0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4);
            Vector256<byte> lowMask = Vector256.Create((byte)0x0F);
            Vector256<ulong> acc = Vector256<ulong>.Zero;
            for (; i <= n - Vector256<ulong>.Count; i += Vector256<ulong>.Count)
            {
                Vector256<byte> x = (Vector256.LoadUnsafe(ref pa, (nuint)i) ^ Vector256.LoadUnsafe(ref pb, (nuint)i)).AsByte();
                Vector256<byte> counts = Avx2.Add(
                    Avx2.Shuffle(lookup, x & lowMask),
                    Avx2.Shuffle(lookup, Avx2.ShiftRightLogical(x.AsUInt16(), 4).AsByte() & lowMask));
                acc += Avx2.SumAbsoluteDifferences(counts, Vector256<byte>.Zero).AsUInt64();
            }

            total = (long)Vector256.Sum(acc);
        }

        for (; i < n; i++)
        {
            total += BitOperations.PopCount(Unsafe.Add(ref pa, i) ^ Unsafe.Add(ref pb, i));
        }

        return (int)total;
    }

    /// <summary>Returns the similarity score of a and b under <paramref name="metric"/>: higher is more similar.</summary>
    /// <param name="metric">The metric; not <see cref="DistanceMetric.Hamming"/>, which works on bit codes.</param>
    /// <param name="a">The first vector.</param>
    /// <param name="b">The second vector, as long as <paramref name="a"/>.</param>
    /// <returns>The score; see <see cref="DistanceMetric"/> for the convention.</returns>
    public static float Score(DistanceMetric metric, ReadOnlySpan<float> a, ReadOnlySpan<float> b) => metric switch
    {
        DistanceMetric.Cosine => Cosine(a, b),
        DistanceMetric.DotProduct => Dot(a, b),
        DistanceMetric.Euclidean => -Euclidean(a, b),
        DistanceMetric.EuclideanSquared => -EuclideanSquared(a, b),
        DistanceMetric.Manhattan => -Manhattan(a, b),
        DistanceMetric.Hamming => throw new ArgumentException("Hamming compares bit codes; call VectorMath.Hamming on packed ulong words.", nameof(metric)),
        _ => throw new ArgumentOutOfRangeException(nameof(metric), metric, "Unknown distance metric."),
    };

    /// <summary>Returns the distance between a and b under <paramref name="metric"/>: lower is more similar.</summary>
    /// <param name="metric">The metric; not <see cref="DistanceMetric.Hamming"/>, which works on bit codes.</param>
    /// <param name="a">The first vector.</param>
    /// <param name="b">The second vector, as long as <paramref name="a"/>.</param>
    /// <returns>The distance; see <see cref="DistanceMetric"/> for the convention.</returns>
    public static float Distance(DistanceMetric metric, ReadOnlySpan<float> a, ReadOnlySpan<float> b) => ScoreToDistance(metric, Score(metric, a, b));

    /// <summary>Converts a score under <paramref name="metric"/> to the matching distance, and back (the map is its own inverse but for cosine).</summary>
    /// <param name="metric">The metric.</param>
    /// <param name="score">The score.</param>
    /// <returns>The distance.</returns>
    public static float ScoreToDistance(DistanceMetric metric, float score) => metric == DistanceMetric.Cosine ? 1f - score : -score;

    /// <summary>Converts a distance under <paramref name="metric"/> to the matching score.</summary>
    /// <param name="metric">The metric.</param>
    /// <param name="distance">The distance.</param>
    /// <returns>The score.</returns>
    public static float DistanceToScore(DistanceMetric metric, float distance) => metric == DistanceMetric.Cosine ? 1f - distance : -distance;

    /// <summary>
    /// Converts the distance the indexes and quantizers rank by (lower is closer) to the public score: the negated
    /// dot product for cosine (over normalized vectors) and inner product, the squared L2 distance for both
    /// Euclidean metrics (the root is taken here, once per reported hit), L1 for Manhattan.
    /// </summary>
    /// <param name="metric">The metric.</param>
    /// <param name="rankingDistance">The ranking distance.</param>
    /// <returns>The score, as <see cref="Score"/> computes it.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float RankingDistanceToScore(DistanceMetric metric, float rankingDistance) =>
        metric == DistanceMetric.Euclidean ? -MathF.Sqrt(MathF.Max(rankingDistance, 0f)) : -rankingDistance;

    /// <summary>Throws an <see cref="ArgumentException"/> naming both sizes when they differ.</summary>
    /// <param name="expected">The expected length.</param>
    /// <param name="actual">The actual length.</param>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    public static void EnsureSameLength(int expected, int actual)
    {
        if (expected != actual)
        {
            ThrowLengthMismatch(expected, actual);
        }
    }

    private static void DotAndNorms(ReadOnlySpan<float> a, ReadOnlySpan<float> b, out float dot, out float aa, out float bb) =>
        SimdKernels.DotAndSquares(ref MemoryMarshal.GetReference(a), ref MemoryMarshal.GetReference(b), a.Length, out dot, out aa, out bb);

    // Below this squared norm the float sums of squares may have lost precision to subnormal squares.
    private const float MinSafeSquaredNorm = 1e-20f;

    // A zero vector, or one whose float sums of squares underflowed or overflowed: redo it in double. Rare, so scalar.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static float CosineExtreme(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double dot = 0d, aa = 0d, bb = 0d;
        for (int i = 0; i < a.Length; i++)
        {
            dot += (double)a[i] * b[i];
            aa += (double)a[i] * a[i];
            bb += (double)b[i] * b[i];
        }

        if (aa == 0d || bb == 0d)
        {
            return 0f;
        }

        return (float)Math.Clamp(dot / (Math.Sqrt(aa) * Math.Sqrt(bb)), -1d, 1d);
    }

    // Below this norm the float sum of squares may have lost precision to underflow (squares under ~1e-38).
    private const float MinSafeNorm = 1e-18f;

    // The float sum of squares overflowed (values beyond ~1e19) or underflowed: redo it in double, where neither
    // can happen for finite floats, and divide in double so that the scale 1/norm is not itself subnormal.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void NormalizeExtreme(ReadOnlySpan<float> source, Span<float> destination)
    {
        double sumOfSquares = 0d;
        foreach (float value in source)
        {
            sumOfSquares += (double)value * value;
        }

        if (sumOfSquares == 0d)
        {
            source.CopyTo(destination);
            return;
        }

        double norm = Math.Sqrt(sumOfSquares);
        for (int i = 0; i < source.Length; i++)
        {
            destination[i] = (float)(source[i] / norm);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowLengthMismatch(int expected, int actual) =>
        throw new ArgumentException($"Dimension mismatch: expected {expected} dimensions, got {actual}.");
}
