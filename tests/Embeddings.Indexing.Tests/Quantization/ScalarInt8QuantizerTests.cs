using System.Runtime.InteropServices;
using Microsoft.Extensions.AI;
using static Embeddings.Core.Tests.Quantization.QuantizationTestData;

namespace Embeddings.Core.Tests.Quantization;

public sealed class ScalarInt8QuantizerTests
{
    [Fact]
    public void Values_outside_the_range_are_clipped_never_wrapped()
    {
        var quantizer = new ScalarInt8Quantizer([-1f, 0f], [1f, 10f]);
        var code = new byte[2];

        quantizer.Encode([5f, -3f], code);
        Assert.Equal(127, (sbyte)code[0]);
        Assert.Equal(-128, (sbyte)code[1]);

        quantizer.Encode([1.0001f, 10f], code);
        Assert.Equal(127, (sbyte)code[0]);
        Assert.Equal(127, (sbyte)code[1]);

        var decoded = new float[2];
        quantizer.Encode([-1f, 0f], code);
        quantizer.Decode(code, decoded);
        Assert.Equal(-1f, decoded[0], 1e-6f);
        Assert.Equal(0f, decoded[1], 1e-6f);
    }

    [Fact]
    public void Reconstruction_error_is_at_most_half_a_step()
    {
        const int D = 33;
        float[] data = RandomVectors(500, D, seed: 5);
        ScalarInt8Quantizer quantizer = ScalarInt8Quantizer.Calibrate(data, D);
        var code = new byte[D];
        var decoded = new float[D];
        for (int v = 0; v < 500; v++)
        {
            ReadOnlySpan<float> x = data.AsSpan(v * D, D);
            quantizer.Encode(x, code);
            quantizer.Decode(code, decoded);
            for (int i = 0; i < D; i++)
            {
                float step = (quantizer.Maximums[i] - quantizer.Minimums[i]) / 255f;
                Assert.InRange(MathF.Abs(decoded[i] - x[i]), 0f, (step / 2f) + 1e-5f);
            }
        }
    }

    [Fact]
    public void Calibration_takes_per_dimension_minimum_and_maximum_or_quantiles()
    {
        float[] data = [0f, 10f, 1f, 20f, 2f, 30f, 3f, 40f, 4f, 50f];
        ScalarInt8Quantizer minMax = ScalarInt8Quantizer.Calibrate(data, 2);
        Assert.Equal([0f, 10f], minMax.Minimums.ToArray());
        Assert.Equal([4f, 50f], minMax.Maximums.ToArray());

        ScalarInt8Quantizer quantiles = ScalarInt8Quantizer.Calibrate(data, 2, 0.25f, 0.75f);
        Assert.Equal([1f, 20f], quantiles.Minimums.ToArray());
        Assert.Equal([3f, 40f], quantiles.Maximums.ToArray());
    }

    [Fact]
    public void Calibrating_from_fewer_than_two_vectors_is_an_error()
    {
        Assert.Contains("at least 2 vectors", Assert.Throws<ArgumentException>(() => ScalarInt8Quantizer.Calibrate(new float[4], 4)).Message);
        Assert.Contains("at least 2 vectors", Assert.Throws<ArgumentException>(() => ScalarInt8Quantizer.Calibrate(ReadOnlySpan<float>.Empty, 4)).Message);
        Assert.Contains("at least 2 vectors", Assert.Throws<ArgumentException>(() => ScalarInt8Quantizer.Calibrate([new ReadOnlyMemory<float>(new float[4])])).Message);
        Assert.Throws<ArgumentException>(() => ScalarInt8Quantizer.Calibrate(new float[7], 4));
        Assert.Throws<ArgumentException>(() => ScalarInt8Quantizer.Calibrate(new float[8], 4, 0.6f, 0.4f));
        Assert.Throws<ArgumentException>(() => ScalarInt8Quantizer.Calibrate([0f, float.NaN, 1f, 2f], 2));
        Assert.Throws<ArgumentException>(() => new ScalarInt8Quantizer([1f], [0f]));
    }

    [Fact]
    public void A_constant_dimension_decodes_to_its_value()
    {
        ScalarInt8Quantizer quantizer = ScalarInt8Quantizer.Calibrate([3f, 1f, 3f, 2f], 2);
        var code = new byte[2];
        var decoded = new float[2];
        quantizer.Encode([3f, 1.5f], code);
        quantizer.Decode(code, decoded);
        Assert.Equal(3f, decoded[0]);
    }

    [Theory]
    [InlineData(DistanceMetric.DotProduct)]
    [InlineData(DistanceMetric.EuclideanSquared)]
    [InlineData(DistanceMetric.Euclidean)]
    [InlineData(DistanceMetric.Cosine)]
    [InlineData(DistanceMetric.Manhattan)]
    public void Scores_match_a_scalar_reference_on_decoded_vectors(DistanceMetric metric)
    {
        foreach (int d in new[] { 1, 7, 8, 15, 16, 17, 31, 32, 33, 100, 384 })
        {
            float[] data = RandomVectors(40, d, seed: d);
            ScalarInt8Quantizer quantizer = ScalarInt8Quantizer.Calibrate(data, d);
            byte[] codes = EncodeAll(quantizer, data);
            float[] query = RandomVectors(1, d, seed: 1000 + d);
            QuantizedQueryScorer scorer = quantizer.CreateScorer(query, metric);
            var many = new float[40];
            scorer.ScoreMany(codes, many);
            var decoded = new float[d];
            for (int v = 0; v < 40; v++)
            {
                quantizer.Decode(codes.AsSpan(v * d, d), decoded);
                float expected = metric switch
                {
                    DistanceMetric.DotProduct => ScalarDot(query, decoded),
                    DistanceMetric.EuclideanSquared => -ScalarSquaredDistance(query, decoded),
                    DistanceMetric.Euclidean => -MathF.Sqrt(ScalarSquaredDistance(query, decoded)),
                    DistanceMetric.Cosine => ScalarDot(query, decoded) / MathF.Sqrt(ScalarDot(query, query) * ScalarDot(decoded, decoded)),
                    _ => -Enumerable.Range(0, d).Sum(i => MathF.Abs(query[i] - decoded[i])),
                };
                float tolerance = 1e-4f * (1f + MathF.Abs(expected));
                Assert.Equal(expected, scorer.Score(codes.AsSpan(v * d, d)), tolerance);
                Assert.Equal(expected, many[v], tolerance);
            }
        }
    }

    [Fact]
    public void Int8_kernels_match_scalar_references_for_every_tail_length()
    {
        var random = new Random(9);
        for (int n = 0; n <= 70; n++)
        {
            float[] w = Enumerable.Range(0, n).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
            float[] a = Enumerable.Range(0, n).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
            sbyte[] c = Enumerable.Range(0, n).Select(_ => (sbyte)random.Next(-128, 128)).ToArray();
            double dot = 0, residual = 0;
            for (int i = 0; i < n; i++)
            {
                dot += (double)w[i] * c[i];
                double r = a[i] - ((double)w[i] * c[i]);
                residual += r * r;
            }

            float[] negative = w.Select(x => -x).ToArray();
            Assert.Equal(dot, Int8Kernels.WeightedSum(w, c), 1e-3);
            Assert.Equal(residual, Int8Kernels.SquaredResidual(a, negative, c), 1e-2 * (1 + residual) * 1e-2);
        }
    }

    [Fact]
    public void Maps_to_and_from_microsoft_extensions_ai_int8_embeddings()
    {
        ScalarInt8Quantizer quantizer = ScalarInt8Quantizer.Calibrate([-1f, -2f, 1f, 2f], 2);
        var source = new Embedding<float>(new[] { 0.5f, -2f }) { ModelId = "m" };

        Embedding<sbyte> int8 = quantizer.ToEmbedding(source);
        Embedding<float> back = quantizer.ToFloatEmbedding(int8);

        Assert.Equal("m", int8.ModelId);
        Assert.Equal(-128, int8.Vector.Span[1]);
        var expected = new float[2];
        quantizer.Decode(MemoryMarshal.AsBytes(int8.Vector.Span), expected);
        Assert.Equal(expected, back.Vector.ToArray());
        Assert.Equal(0.5f, back.Vector.Span[0], 0.01f);
    }

    [Fact]
    public void Wrong_lengths_and_metrics_are_rejected_with_both_sizes()
    {
        var quantizer = new ScalarInt8Quantizer([0f, 0f, 0f], [1f, 1f, 1f]);
        Assert.Contains("expected 3 dimensions, got 2", Assert.Throws<ArgumentException>(() => quantizer.Encode([1f, 2f], new byte[3])).Message);
        Assert.Contains("3 are needed", Assert.Throws<ArgumentException>(() => quantizer.Encode([1f, 2f, 3f], new byte[2])).Message);
        Assert.Throws<ArgumentException>(() => quantizer.CreateScorer([1f, 2f, 3f], DistanceMetric.Hamming));
        Assert.Throws<ArgumentException>(() => quantizer.Encode([1f, float.NaN, 3f], new byte[3]));
        QuantizedQueryScorer scorer = quantizer.CreateScorer([1f, 2f, 3f], DistanceMetric.DotProduct);
        Assert.Throws<ArgumentException>(() => scorer.ScoreMany(new byte[5], new float[2]));
    }
}
