using System.Numerics;
using Microsoft.Extensions.AI;
using static Embeddings.Core.Tests.Quantization.QuantizationTestData;

namespace Embeddings.Core.Tests.Quantization;

public sealed class BinaryAndFloat16QuantizerTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(63)]
    [InlineData(64)]
    [InlineData(100)]
    [InlineData(384)]
    [InlineData(1030)]
    public void Binary_codes_pack_sign_bits_least_significant_first(int d)
    {
        float[] x = RandomVectors(1, d, seed: d);
        var quantizer = new BinaryQuantizer(d);
        var code = new byte[quantizer.BytesPerVector];
        quantizer.Encode(x, code);

        Assert.Equal((d + 63) / 64 * 8, code.Length);
        for (int i = 0; i < quantizer.Words * 64; i++)
        {
            bool bit = ((code[i / 8] >> (i % 8)) & 1) != 0;
            Assert.Equal(i < d && x[i] > 0f, bit);
        }

        var decoded = new float[d];
        quantizer.Decode(code, decoded);
        Assert.All(Enumerable.Range(0, d), i => Assert.Equal(x[i] > 0f ? 1f : -1f, decoded[i]));
    }

    [Theory]
    [InlineData(64)]
    [InlineData(100)]
    [InlineData(200)]
    [InlineData(1024)]
    public void Hamming_scores_match_a_scalar_popcount_reference(int d)
    {
        const int N = 50;
        float[] data = RandomVectors(N, d, seed: 2);
        float[] query = RandomVectors(1, d, seed: 3);
        var quantizer = new BinaryQuantizer(d);
        byte[] codes = EncodeAll(quantizer, data);
        QuantizedQueryScorer scorer = quantizer.CreateScorer(query, DistanceMetric.Hamming);
        var many = new float[N];
        scorer.ScoreMany(codes, many);
        for (int v = 0; v < N; v++)
        {
            int expected = 0;
            for (int i = 0; i < d; i++)
            {
                expected += (data[(v * d) + i] > 0f) != (query[i] > 0f) ? 1 : 0;
            }

            Assert.Equal(-expected, scorer.Score(codes.AsSpan(v * quantizer.BytesPerVector, quantizer.BytesPerVector)));
            Assert.Equal(-expected, many[v]);
        }
    }

    [Theory]
    [InlineData(DistanceMetric.DotProduct)]
    [InlineData(DistanceMetric.Cosine)]
    [InlineData(DistanceMetric.EuclideanSquared)]
    [InlineData(DistanceMetric.Euclidean)]
    [InlineData(DistanceMetric.Manhattan)]
    public void Asymmetric_scores_equal_the_float_query_against_the_decoded_signs(DistanceMetric metric)
    {
        const int D = 130;
        float[] data = RandomVectors(20, D, seed: 4);
        float[] query = RandomVectors(1, D, seed: 5);
        var quantizer = new BinaryQuantizer(D);
        byte[] codes = EncodeAll(quantizer, data);
        QuantizedQueryScorer scorer = quantizer.CreateScorer(query, metric);
        var decoded = new float[D];
        for (int v = 0; v < 20; v++)
        {
            ReadOnlySpan<byte> code = codes.AsSpan(v * quantizer.BytesPerVector, quantizer.BytesPerVector);
            quantizer.Decode(code, decoded);
            float expected = VectorMath.Score(metric, query, decoded);
            Assert.Equal(expected, scorer.Score(code), 1e-3f * (1f + MathF.Abs(expected)));
        }
    }

    [Fact]
    public void Binary_maps_to_microsoft_extensions_ai_binary_embeddings_and_back()
    {
        float[] x = RandomVectors(1, 70, seed: 6);
        var quantizer = new BinaryQuantizer(70);
        BinaryEmbedding embedding = quantizer.ToEmbedding(new Embedding<float>(x) { ModelId = "m" });
        Assert.Equal(70, embedding.Vector.Length);
        Assert.Equal("m", embedding.ModelId);
        Assert.All(Enumerable.Range(0, 70), i => Assert.Equal(x[i] > 0f, embedding.Vector[i]));

        var fromEmbedding = new byte[quantizer.BytesPerVector];
        var fromVector = new byte[quantizer.BytesPerVector];
        quantizer.Encode(embedding, fromEmbedding);
        quantizer.Encode(x, fromVector);
        Assert.Equal(fromVector, fromEmbedding);
        Assert.Equal(BitOperations.PopCount(BitConverter.ToUInt64(fromVector)) + BitOperations.PopCount(BitConverter.ToUInt64(fromVector, 8)), x.Count(v => v > 0f));
    }

    [Fact]
    public void Float16_round_trips_through_half_like_a_scalar_cast()
    {
        float[] x = [0f, 1f, -1f, 0.1f, 3.14159f, 65504f, 1e-8f, -123.456f, 0.33333334f];
        var quantizer = new Float16Quantizer(x.Length);
        var code = new byte[quantizer.BytesPerVector];
        quantizer.Encode(x, code);
        var decoded = new float[x.Length];
        quantizer.Decode(code, decoded);
        for (int i = 0; i < x.Length; i++)
        {
            Assert.Equal((float)(Half)x[i], decoded[i]);
            Assert.Equal((Half)x[i], BitConverter.ToHalf(code, 2 * i));
        }

        Embedding<Half> half = quantizer.ToEmbedding(new Embedding<float>(x));
        Assert.Equal(x.Select(v => (Half)v).ToArray(), half.Vector.ToArray());
    }

    [Theory]
    [InlineData(DistanceMetric.Cosine)]
    [InlineData(DistanceMetric.DotProduct)]
    [InlineData(DistanceMetric.Euclidean)]
    public void Float16_float32_and_prefix_scores_equal_float_math_on_what_they_store(DistanceMetric metric)
    {
        const int D = 48;
        float[] data = RandomVectors(10, D, seed: 7);
        float[] query = RandomVectors(1, D, seed: 8);
        IVectorQuantizer[] quantizers = [new Float32Quantizer(D), new Float16Quantizer(D), new MatryoshkaPrefixQuantizer(D, 16)];
        foreach (IVectorQuantizer quantizer in quantizers)
        {
            byte[] codes = EncodeAll(quantizer, data);
            QuantizedQueryScorer scorer = quantizer.CreateScorer(query, metric);
            var decoded = new float[D];
            for (int v = 0; v < 10; v++)
            {
                ReadOnlySpan<byte> code = codes.AsSpan(v * quantizer.BytesPerVector, quantizer.BytesPerVector);
                quantizer.Decode(code, decoded);
                float expected = quantizer is MatryoshkaPrefixQuantizer
                    ? VectorMath.Score(metric, Normalized(query.AsSpan(0, 16)), decoded.AsSpan(0, 16))
                    : VectorMath.Score(metric, query, decoded);
                Assert.Equal(expected, scorer.Score(code), 1e-5f);
            }
        }
    }

    private static float[] Normalized(ReadOnlySpan<float> x)
    {
        var result = new float[x.Length];
        VectorMath.Normalize(x, result);
        return result;
    }
}
