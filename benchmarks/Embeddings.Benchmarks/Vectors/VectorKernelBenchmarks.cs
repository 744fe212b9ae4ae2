using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace Embeddings.Benchmarks.Vectors;

/// <summary>
/// Our vector kernels (<see cref="VectorMath"/>) against a naive scalar loop (the baseline of each category) and
/// against <see cref="TensorPrimitives"/>, at common embedding sizes. Hamming compares binary codes of the same
/// number of dimensions: one bit per dimension, packed into <c>Dimensions / 64</c> ulong words. Each naive loop is
/// called the way the library kernels are (a method taking spans, not inlined), so the ratios compare kernels rather
/// than call overhead, which dominates the few-nanosecond Hamming cases.
/// </summary>
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class VectorKernelBenchmarks
{
    private float[] _a = [];
    private float[] _b = [];
    private ulong[] _bitsA = [];
    private ulong[] _bitsB = [];

    /// <summary>Gets or sets the number of dimensions.</summary>
    [Params(384, 768, 1024)]
    public int Dimensions { get; set; }

    /// <summary>Fills the vectors with fixed pseudo-random data.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        _a = Enumerable.Range(0, Dimensions).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
        _b = Enumerable.Range(0, Dimensions).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
        _bitsA = Enumerable.Range(0, Dimensions / 64).Select(_ => (ulong)random.NextInt64()).ToArray();
        _bitsB = Enumerable.Range(0, Dimensions / 64).Select(_ => (ulong)random.NextInt64()).ToArray();
    }

    /// <summary>Dot product, naive loop.</summary>
    /// <returns>The result.</returns>
    [Benchmark(Baseline = true, Description = "naive loop")]
    [BenchmarkCategory("Dot")]
    public float DotNaive() => NaiveDot(_a, _b);

    /// <summary>Dot product, ours.</summary>
    /// <returns>The result.</returns>
    [Benchmark(Description = "VectorMath")]
    [BenchmarkCategory("Dot")]
    public float DotOurs() => VectorMath.Dot(_a, _b);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static float NaiveDot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        float sum = 0f;
        for (int i = 0; i < a.Length; i++)
        {
            sum += a[i] * b[i];
        }

        return sum;
    }

    /// <summary>Dot product, TensorPrimitives.</summary>
    /// <returns>The result.</returns>
    [Benchmark(Description = "TensorPrimitives")]
    [BenchmarkCategory("Dot")]
    public float DotTensorPrimitives() => TensorPrimitives.Dot(_a, _b);

    /// <summary>Cosine similarity, naive loop.</summary>
    /// <returns>The result.</returns>
    [Benchmark(Baseline = true, Description = "naive loop")]
    [BenchmarkCategory("Cosine")]
    public float CosineNaive() => NaiveCosine(_a, _b);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static float NaiveCosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        float dot = 0f, aa = 0f, bb = 0f;
        for (int i = 0; i < a.Length; i++)
        {
            dot += a[i] * b[i];
            aa += a[i] * a[i];
            bb += b[i] * b[i];
        }

        return dot / MathF.Sqrt(aa * bb);
    }

    /// <summary>Cosine similarity, ours.</summary>
    /// <returns>The result.</returns>
    [Benchmark(Description = "VectorMath")]
    [BenchmarkCategory("Cosine")]
    public float CosineOurs() => VectorMath.Cosine(_a, _b);

    /// <summary>Cosine similarity, TensorPrimitives.</summary>
    /// <returns>The result.</returns>
    [Benchmark(Description = "TensorPrimitives")]
    [BenchmarkCategory("Cosine")]
    public float CosineTensorPrimitives() => TensorPrimitives.CosineSimilarity(_a, _b);

    /// <summary>Squared Euclidean distance, naive loop.</summary>
    /// <returns>The result.</returns>
    [Benchmark(Baseline = true, Description = "naive loop")]
    [BenchmarkCategory("L2 squared")]
    public float L2Naive() => NaiveL2Squared(_a, _b);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static float NaiveL2Squared(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        float sum = 0f;
        for (int i = 0; i < a.Length; i++)
        {
            float d = a[i] - b[i];
            sum += d * d;
        }

        return sum;
    }

    /// <summary>Squared Euclidean distance, ours.</summary>
    /// <returns>The result.</returns>
    [Benchmark(Description = "VectorMath")]
    [BenchmarkCategory("L2 squared")]
    public float L2Ours() => VectorMath.EuclideanSquared(_a, _b);

    /// <summary>Euclidean distance (with the square root: TensorPrimitives has no squared form), TensorPrimitives.</summary>
    /// <returns>The result.</returns>
    [Benchmark(Description = "TensorPrimitives (sqrt)")]
    [BenchmarkCategory("L2 squared")]
    public float L2TensorPrimitives() => TensorPrimitives.Distance(_a, _b);

    /// <summary>Hamming distance over packed bits, naive loop (one PopCount per word).</summary>
    /// <returns>The result.</returns>
    [Benchmark(Baseline = true, Description = "naive loop")]
    [BenchmarkCategory("Hamming")]
    public int HammingNaive() => NaiveHamming(_bitsA, _bitsB);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int NaiveHamming(ReadOnlySpan<ulong> a, ReadOnlySpan<ulong> b)
    {
        int count = 0;
        for (int i = 0; i < a.Length; i++)
        {
            count += BitOperations.PopCount(a[i] ^ b[i]);
        }

        return count;
    }

    /// <summary>Hamming distance over packed bits, ours.</summary>
    /// <returns>The result.</returns>
    [Benchmark(Description = "VectorMath")]
    [BenchmarkCategory("Hamming")]
    public int HammingOurs() => VectorMath.Hamming(_bitsA, _bitsB);

    /// <summary>Hamming distance over packed bits, TensorPrimitives.</summary>
    /// <returns>The result.</returns>
    [Benchmark(Description = "TensorPrimitives")]
    [BenchmarkCategory("Hamming")]
    public long HammingTensorPrimitives() => TensorPrimitives.HammingBitDistance<ulong>(_bitsA, _bitsB);
}
