using Embeddings.Testing;

namespace Embeddings.Core.Tests.Vectors;

public sealed class VectorMathTests
{
    // The shapes, plus lengths on either side of every SIMD width (4, 8, 16 floats; two-register unrolls).
    public static TheoryData<int> Lengths => new() { 1, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 384, 768, 1000, 1024 };

    public static TheoryData<int> WordCounts => new() { 1, 2, 3, 4, 5, 7, 15, 16, 17, 24, 31, 32, 33, 64, 100 };

    /// <summary>
    /// b leans towards a (or away from it), so dot and cosine are far from zero: a pure relative bound is then a fair
    /// test of float accumulation rather than of cancellation in the data.
    /// </summary>
    private static (float[] A, float[] B) Pair(int length, int seed, float lean)
    {
        var random = new Random(seed);
        var a = new float[length];
        var b = new float[length];
        for (int i = 0; i < length; i++)
        {
            a[i] = (float)((random.NextDouble() * 2) - 1);
            b[i] = (lean * a[i]) + (float)((random.NextDouble() * 2) - 1) * (1 - Math.Abs(lean));
        }

        return (a, b);
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Every_metric_matches_the_scalar_reference(int length)
    {
        foreach (float lean in new[] { 0.8f, -0.8f })
        {
            for (int seed = 0; seed < 5; seed++)
            {
                (float[] a, float[] b) = Pair(length, (length * 100) + seed, lean);
                string at = $"length {length}, seed {seed}, lean {lean}";
                ScalarReference.AssertRelative(ScalarReference.Dot(a, b), VectorMath.Dot(a, b), "dot " + at);
                ScalarReference.AssertRelative(ScalarReference.Cosine(a, b), VectorMath.Cosine(a, b), "cosine " + at);
                ScalarReference.AssertRelative(ScalarReference.Euclidean(a, b), VectorMath.Euclidean(a, b), "euclidean " + at);
                ScalarReference.AssertRelative(ScalarReference.EuclideanSquared(a, b), VectorMath.EuclideanSquared(a, b), "squared euclidean " + at);
                ScalarReference.AssertRelative(ScalarReference.Manhattan(a, b), VectorMath.Manhattan(a, b), "manhattan " + at);
                ScalarReference.AssertRelative(Math.Sqrt(ScalarReference.Dot(a, a)), VectorMath.Norm(a), "norm " + at);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Score_and_distance_follow_the_documented_convention(int length)
    {
        (float[] a, float[] b) = Pair(length, length, 0.5f);
        foreach (DistanceMetric metric in new[] { DistanceMetric.Cosine, DistanceMetric.DotProduct, DistanceMetric.Euclidean, DistanceMetric.EuclideanSquared, DistanceMetric.Manhattan })
        {
            float score = VectorMath.Score(metric, a, b);
            float distance = VectorMath.Distance(metric, a, b);
            Assert.Equal(VectorMath.ScoreToDistance(metric, score), distance, 5);
            Assert.Equal(VectorMath.DistanceToScore(metric, distance), score, 5);
        }

        Assert.Equal(VectorMath.Dot(a, b), VectorMath.Score(DistanceMetric.DotProduct, a, b));
        Assert.Equal(-VectorMath.Euclidean(a, b), VectorMath.Score(DistanceMetric.Euclidean, a, b));
        Assert.Equal(1f - VectorMath.Cosine(a, b), VectorMath.Distance(DistanceMetric.Cosine, a, b));

        // Higher score = more similar: a is closer to itself than to b under every metric.
        foreach (DistanceMetric metric in new[] { DistanceMetric.Cosine, DistanceMetric.Euclidean, DistanceMetric.EuclideanSquared, DistanceMetric.Manhattan })
        {
            if (length > 1 || metric != DistanceMetric.Cosine)
            {
                Assert.True(VectorMath.Score(metric, a, a) >= VectorMath.Score(metric, a, b), $"{metric} at length {length}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(WordCounts))]
    public void Hamming_matches_a_bit_by_bit_count(int words)
    {
        var random = new Random(words);
        for (int trial = 0; trial < 5; trial++)
        {
            var a = new ulong[words];
            var b = new ulong[words];
            for (int i = 0; i < words; i++)
            {
                a[i] = (ulong)random.NextInt64() ^ ((ulong)random.Next() << 40);
                b[i] = trial switch
                {
                    0 => a[i],
                    1 => ~a[i],
                    _ => (ulong)random.NextInt64() ^ ((ulong)random.Next() << 33),
                };
            }

            Assert.Equal(ScalarReference.Hamming(a, b), VectorMath.Hamming(a, b));
        }
    }

    [Fact]
    public void Hamming_of_all_ones_against_zeros_counts_every_bit()
    {
        // 64 words: every AVX2 iteration sums the maximum per-byte count, so no lane may overflow.
        var ones = Enumerable.Repeat(ulong.MaxValue, 64).ToArray();
        Assert.Equal(64 * 64, VectorMath.Hamming(ones, new ulong[64]));
        Assert.Equal(0, VectorMath.Hamming(ReadOnlySpan<ulong>.Empty, ReadOnlySpan<ulong>.Empty));
    }

    [Fact]
    public void Score_and_distance_refuse_hamming_on_floats()
    {
        float[] a = [1, 2];
        ArgumentException score = Assert.Throws<ArgumentException>(() => VectorMath.Score(DistanceMetric.Hamming, a, a));
        Assert.Contains("Hamming", score.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => VectorMath.Distance(DistanceMetric.Hamming, a, a));
        Assert.Throws<ArgumentOutOfRangeException>(() => VectorMath.Score((DistanceMetric)42, a, a));
    }

    [Fact]
    public void Cosine_of_a_zero_vector_is_zero_and_results_stay_in_range()
    {
        float[] zero = new float[17];
        float[] a = Pair(17, 1, 0).A;
        Assert.Equal(0f, VectorMath.Cosine(zero, a));
        Assert.Equal(0f, VectorMath.Cosine(a, zero));
        Assert.Equal(1f, VectorMath.Cosine(a, a), 6);
        float[] negated = a.Select(x => -x).ToArray();
        Assert.Equal(-1f, VectorMath.Cosine(a, negated), 6);
    }

    [Theory]
    [InlineData(1e20f)]
    [InlineData(1e-20f)]
    [InlineData(1e-40f)]
    public void Cosine_and_normalize_survive_extreme_magnitudes(float scale)
    {
        (float[] a, float[] b) = Pair(384, 7, 0.8f);
        float[] bigA = a.Select(x => x * scale).ToArray();
        float[] bigB = b.Select(x => x * scale).ToArray();
        ScalarReference.AssertRelative(ScalarReference.Cosine(bigA, bigB), VectorMath.Cosine(bigA, bigB), $"cosine at scale {scale}");

        float[] normalized = (float[])bigA.Clone();
        VectorMath.Normalize(normalized);
        double[] expected = ScalarReference.Normalize(bigA);
        for (int i = 0; i < normalized.Length; i++)
        {
            ScalarReference.AssertRelative(expected[i], normalized[i], $"normalized[{i}] at scale {scale}");
        }
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Normalize_matches_the_scalar_reference_in_place_and_into_a_destination(int length)
    {
        float[] source = Pair(length, length + 3, 0).A;
        double[] expected = ScalarReference.Normalize(source);

        float[] inPlace = (float[])source.Clone();
        VectorMath.Normalize(inPlace);
        var destination = new float[length + 2];
        VectorMath.Normalize(source, destination);

        for (int i = 0; i < length; i++)
        {
            ScalarReference.AssertRelative(expected[i], inPlace[i], $"in place [{i}] of {length}");
            ScalarReference.AssertRelative(expected[i], destination[i], $"destination [{i}] of {length}");
        }

        ScalarReference.AssertRelative(1d, Math.Sqrt(inPlace.Sum(x => (double)x * x)), "unit norm");
        Assert.Equal(0f, destination[length]);
    }

    [Fact]
    public void A_zero_vector_stays_zero()
    {
        float[] zero = new float[33];
        VectorMath.Normalize(zero);
        Assert.All(zero, x => Assert.Equal(0f, x));

        float[] destination = Enumerable.Repeat(5f, 33).ToArray();
        VectorMath.Normalize(new float[33], destination);
        Assert.All(destination, x => Assert.Equal(0f, x));
    }

    [Theory]
    [InlineData(float.NaN, 5)]
    [InlineData(float.PositiveInfinity, 0)]
    [InlineData(float.NegativeInfinity, 383)]
    public void Normalize_names_the_index_of_a_non_finite_value(float bad, int index)
    {
        float[] vector = Pair(384, 2, 0).A;
        vector[index] = bad;
        float[] before = (float[])vector.Clone();

        ArgumentException error = Assert.Throws<ArgumentException>(() => VectorMath.Normalize(vector));
        Assert.Contains($"index {index}", error.Message, StringComparison.Ordinal);
        Assert.Equal("vector", error.ParamName);
        Assert.Equal(before, vector);

        ArgumentException intoDestination = Assert.Throws<ArgumentException>(() => VectorMath.Normalize(vector, new float[384]));
        Assert.Contains($"index {index}", intoDestination.Message, StringComparison.Ordinal);
        Assert.Equal("source", intoDestination.ParamName);
    }

    [Fact]
    public void Normalize_refuses_an_empty_vector_and_a_short_destination()
    {
        Assert.Contains("empty", Assert.Throws<ArgumentException>(() => VectorMath.Normalize(Span<float>.Empty)).Message, StringComparison.Ordinal);
        ArgumentException shortDestination = Assert.Throws<ArgumentException>(() => VectorMath.Normalize(new float[4], new float[3]));
        Assert.Contains("3", shortDestination.Message, StringComparison.Ordinal);
        Assert.Contains("4", shortDestination.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Dimension_mismatches_name_both_sizes()
    {
        float[] a = new float[384];
        float[] b = new float[768];
        foreach (Action call in new Action[]
        {
            () => VectorMath.Dot(a, b),
            () => VectorMath.Cosine(a, b),
            () => VectorMath.Euclidean(a, b),
            () => VectorMath.EuclideanSquared(a, b),
            () => VectorMath.Manhattan(a, b),
            () => VectorMath.Score(DistanceMetric.DotProduct, a, b),
            () => VectorMath.Distance(DistanceMetric.Cosine, a, b),
            () => VectorMath.EnsureSameLength(384, 768),
        })
        {
            ArgumentException error = Assert.Throws<ArgumentException>(call);
            Assert.Contains("384", error.Message, StringComparison.Ordinal);
            Assert.Contains("768", error.Message, StringComparison.Ordinal);
        }

        ArgumentException hamming = Assert.Throws<ArgumentException>(() => VectorMath.Hamming(new ulong[6], new ulong[12]));
        Assert.Contains("6", hamming.Message, StringComparison.Ordinal);
        Assert.Contains("12", hamming.Message, StringComparison.Ordinal);
    }

    [OptimizedBuildFact]
    public void Kernels_do_not_allocate()
    {
        (float[] a, float[] b) = Pair(1000, 11, 0.3f);
        var bitsA = new ulong[100];
        var bitsB = new ulong[100];
        float sink = 0;
        for (int warm = 0; warm < 3; warm++)
        {
            sink += Run(a, b, bitsA, bitsB);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        sink += Run(a, b, bitsA, bitsB);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.True(float.IsFinite(sink));

        static float Run(float[] a, float[] b, ulong[] bitsA, ulong[] bitsB)
        {
            VectorMath.Normalize(a);
            return VectorMath.Dot(a, b) + VectorMath.Cosine(a, b) + VectorMath.Euclidean(a, b) + VectorMath.Manhattan(a, b)
                + VectorMath.Hamming(bitsA, bitsB);
        }
    }
}
