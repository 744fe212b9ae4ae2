using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Embeddings.Vectors.Internal;
using static Embeddings.Core.Tests.Quantization.QuantizationTestData;

namespace Embeddings.Core.Tests.Quantization;

public sealed class ProductQuantizerTests
{
    private const int D = 16;
    private static readonly ProductQuantizerOptions Small = new() { BitsPerCode = 6, Iterations = 5 };

    [Fact]
    public void Training_is_seeded_and_deterministic()
    {
        float[] data = RandomVectors(800, D, seed: 1);
        ProductQuantizer a = ProductQuantizer.Train(data, D, 4, Small);
        ProductQuantizer b = ProductQuantizer.Train(data, D, 4, Small);
        ProductQuantizer c = ProductQuantizer.Train(data, D, 4, new ProductQuantizerOptions { BitsPerCode = 6, Iterations = 5, Seed = 99 });

        Assert.Equal(a.Codebooks.ToArray(), b.Codebooks.ToArray());
        Assert.NotEqual(a.Codebooks.ToArray(), c.Codebooks.ToArray());
        Assert.Equal(4, a.BytesPerVector);
        Assert.Equal(64, a.Centroids);
    }

    [Fact]
    public void Encoding_picks_the_nearest_centroid_of_each_subspace_like_a_brute_force_reference()
    {
        float[] data = RandomVectors(600, D, seed: 2);
        ProductQuantizer pq = ProductQuantizer.Train(data, D, 4, Small);
        float[] probe = RandomVectors(100, D, seed: 3);
        var code = new byte[4];
        int dsub = pq.SubspaceDimensions;
        for (int v = 0; v < 100; v++)
        {
            ReadOnlySpan<float> x = probe.AsSpan(v * D, D);
            pq.Encode(x, code);
            for (int j = 0; j < 4; j++)
            {
                ReadOnlySpan<float> slice = x.Slice(j * dsub, dsub);
                float best = float.PositiveInfinity;
                for (int c = 0; c < pq.Centroids; c++)
                {
                    best = Math.Min(best, ScalarSquaredDistance(slice, pq.Codebooks.Slice(((j * pq.Centroids) + c) * dsub, dsub)));
                }

                float chosen = ScalarSquaredDistance(slice, pq.Codebooks.Slice(((j * pq.Centroids) + code[j]) * dsub, dsub));
                Assert.Equal(best, chosen, 1e-5f);
            }
        }
    }

    [Fact]
    public void Lloyd_iterations_lower_the_reconstruction_error()
    {
        float[] data = RandomVectors(1000, D, seed: 4);
        double Error(int iterations)
        {
            ProductQuantizer pq = ProductQuantizer.Train(data, D, 4, new ProductQuantizerOptions { BitsPerCode = 5, Iterations = iterations });
            byte[] codes = EncodeAll(pq, data);
            var decoded = new float[D];
            double total = 0;
            for (int v = 0; v < 1000; v++)
            {
                pq.Decode(codes.AsSpan(v * 4, 4), decoded);
                total += ScalarSquaredDistance(data.AsSpan(v * D, D), decoded);
            }

            return total;
        }

        double initial = Error(0);
        double trained = Error(10);
        Assert.True(trained < initial * 0.95, $"error after k-means++ only {initial}, after 10 iterations {trained}");
    }

    [Theory]
    [InlineData(DistanceMetric.DotProduct, 8)]
    [InlineData(DistanceMetric.EuclideanSquared, 8)]
    [InlineData(DistanceMetric.Euclidean, 6)]
    [InlineData(DistanceMetric.Cosine, 8)]
    [InlineData(DistanceMetric.Manhattan, 6)]
    [InlineData(DistanceMetric.DotProduct, 4)]
    public void Lookup_table_scores_equal_float_math_on_the_decoded_vector(DistanceMetric metric, int bits)
    {
        float[] data = RandomVectors(600, D, seed: 5);
        ProductQuantizer pq = ProductQuantizer.Train(data, D, 8, new ProductQuantizerOptions { BitsPerCode = bits, Iterations = 2 });
        float[] query = RandomVectors(1, D, seed: 6);
        byte[] codes = EncodeAll(pq, data);
        QuantizedQueryScorer scorer = pq.CreateScorer(query, metric);
        var many = new float[600];
        scorer.ScoreMany(codes, many);
        var decoded = new float[D];
        for (int v = 0; v < 600; v++)
        {
            ReadOnlySpan<byte> code = codes.AsSpan(v * 8, 8);
            pq.Decode(code, decoded);
            float expected = VectorMath.Score(metric, query, decoded);
            Assert.Equal(expected, scorer.Score(code), 1e-4f);
            Assert.Equal(expected, many[v], 1e-4f);
        }
    }

    [Fact]
    public void Bad_shapes_are_clear_errors()
    {
        float[] data = RandomVectors(300, D, seed: 7);
        float[] tooFew = RandomVectors(200, D, seed: 7);
        Assert.Contains("not divisible", Assert.Throws<ArgumentException>(() => ProductQuantizer.Train(data, D, 5)).Message);
        ArgumentException few = Assert.Throws<ArgumentException>(() => ProductQuantizer.Train(tooFew, D, 4, new ProductQuantizerOptions { BitsPerCode = 8, Iterations = 1 }));
        Assert.Contains("at least 256 vectors; got 200", few.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => ProductQuantizer.Train(data, D, 4, new ProductQuantizerOptions { BitsPerCode = 9 }));
        Assert.Throws<ArgumentException>(() => ProductQuantizer.Train(data.AsSpan(0, 100), D, 4, Small));
        Assert.Throws<ArgumentException>(() => new ProductQuantizer(D, 4, 8, new float[10]));
        Assert.Throws<ArgumentException>(() => ProductQuantizer.Train(data, D, 4, Small).CreateScorer(new float[D], DistanceMetric.Hamming));
    }

    [Fact]
    public void Centroid_table_simd_search_matches_the_scalar_reference()
    {
        var random = new Random(8);
        foreach ((int dim, int k) in new[] { (1, 16), (3, 32), (5, 256), (8, 8), (12, 64), (4, 4) })
        {
            float[] centroids = Enumerable.Range(0, dim * k).Select(_ => (float)random.NextDouble()).ToArray();
            var table = new CentroidTable(dim, k);
            table.Load(centroids);
            for (int trial = 0; trial < 200; trial++)
            {
                float[] x = Enumerable.Range(0, dim).Select(_ => (float)random.NextDouble()).ToArray();
                int fast = table.Nearest(x, out float partial);
                int best = 0;
                double bestDistance = double.MaxValue;
                for (int c = 0; c < k; c++)
                {
                    double distance = ScalarSquaredDistance(x, centroids.AsSpan(c * dim, dim));
                    if (distance < bestDistance)
                    {
                        bestDistance = distance;
                        best = c;
                    }
                }

                double fastDistance = ScalarSquaredDistance(x, centroids.AsSpan(fast * dim, dim));
                Assert.True(fast == best || Math.Abs(fastDistance - bestDistance) < 1e-5, $"dim {dim}, k {k}: SIMD chose {fast} ({fastDistance}), reference {best} ({bestDistance})");
                Assert.Equal(bestDistance, partial + ScalarDot(x, x), 1e-4);
            }
        }
    }

    [Theory]
    [InlineData(128)]
    [InlineData(256)]
    [InlineData(512)]
    public void Centroid_table_search_matches_the_scalar_reference_at_every_width(int width)
    {
        var random = new Random(9 + width);
        foreach ((int dim, int k) in new[] { (1, 16), (3, 32), (5, 256), (8, 48), (12, 64), (4, 16) })
        {
            float[] centroids = Enumerable.Range(0, dim * k).Select(_ => (float)random.NextDouble()).ToArray();
            var table = new CentroidTable(dim, k);
            table.Load(centroids);
            for (int trial = 0; trial < 100; trial++)
            {
                float[] x = Enumerable.Range(0, dim).Select(_ => (float)random.NextDouble()).ToArray();
                float partial;
                int fast = width switch
                {
                    128 => table.Nearest<Lanes128, Vector128<float>>(x, out partial),
                    256 => table.Nearest<Lanes256, Vector256<float>>(x, out partial),
                    _ => table.Nearest<Lanes512, Vector512<float>>(x, out partial),
                };

                double[] distances = Enumerable.Range(0, k).Select(c => (double)ScalarSquaredDistance(x, centroids.AsSpan(c * dim, dim))).ToArray();
                double bestDistance = distances.Min();
                Assert.True(distances[fast] - bestDistance < 1e-5, $"width {width}, dim {dim}, k {k}: chose {fast} ({distances[fast]}), best {bestDistance}");
                Assert.Equal(distances[fast], partial + ScalarDot(x, x), 1e-4);
            }
        }
    }

    [Fact]
    public void Codebooks_are_exposed_subspace_by_subspace()
    {
        float[] codebooks = Enumerable.Range(0, 2 * 2 * 2).Select(i => (float)i).ToArray();
        var pq = new ProductQuantizer(4, 2, 1, codebooks);
        var decoded = new float[4];
        pq.Decode([1, 0], decoded);
        Assert.Equal([2f, 3f, 4f, 5f], decoded);
        var code = new byte[2];
        pq.Encode([2.1f, 3f, 6f, 7.2f], code);
        Assert.Equal([1, 1], code);
        Assert.Equal(codebooks, MemoryMarshal.ToEnumerable<float>(pq.Codebooks.ToArray()).ToArray());
    }
}
