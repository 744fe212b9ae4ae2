using static Embeddings.Core.Tests.Quantization.QuantizationTestData;

namespace Embeddings.Core.Tests.Quantization;

/// <summary>Every quantizer refuses NaN and infinities in Encode and CreateScorer alike; half precision refuses values it would turn into infinities.</summary>
public sealed class NonFiniteInputTests
{
    public static TheoryData<string> Kinds => new() { "float32", "float16", "int8", "binary", "pq", "pq-4bit", "prefix" };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Encode_and_CreateScorer_refuse_non_finite_values(string kind)
    {
        IVectorQuantizer quantizer = QuantizerSerializationTests.Create(kind, RandomVectors(600, 24, seed: 2));
        var code = new byte[quantizer.BytesPerVector];
        foreach (float bad in new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity })
        {
            float[] vector = RandomVectors(1, 24, seed: 3);
            vector[5] = bad;
            Assert.Contains("index 5", Assert.Throws<ArgumentException>(() => quantizer.Encode(vector, code)).Message, StringComparison.Ordinal);
            Assert.Contains("index 5", Assert.Throws<ArgumentException>(() => quantizer.CreateScorer(vector, DistanceMetric.DotProduct)).Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Float16_refuses_values_beyond_its_range_instead_of_storing_infinities()
    {
        var quantizer = new Float16Quantizer(4);
        var code = new byte[8];
        quantizer.Encode([65504f, -65504f, 1, 0], code);
        var decoded = new float[4];
        quantizer.Decode(code, decoded);
        Assert.Equal([65504f, -65504f, 1, 0], decoded);

        var error = Assert.Throws<ArgumentException>(() => quantizer.Encode([1, 70000f, 0, 0], code));
        Assert.Contains("70000", error.Message, StringComparison.Ordinal);
        Assert.Contains("index 1", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => quantizer.ToEmbedding(new Microsoft.Extensions.AI.Embedding<float>(new float[] { 0, 0, -1e6f, 0 })));

        using var index = new FlatIndex(4, DistanceMetric.DotProduct, new FlatIndexOptions { Storage = VectorStorageKind.Float16 });
        Assert.Throws<ArgumentException>(() => index.Add("big", [1e5f, 0, 0, 0]));
        Assert.Throws<ArgumentException>(() => index.Upsert([new VectorRecord("ok", new float[] { 1, 0, 0, 0 }), new VectorRecord("big", new float[] { 0, 0, 0, -1e9f })]));
        Assert.Equal(0, index.Count);
        using var quantized = new FlatIndex(4, DistanceMetric.DotProduct, new FlatIndexOptions { Storage = VectorStorageKind.Quantized, Quantizer = quantizer });
        Assert.Throws<ArgumentException>(() => quantized.Add("big", [1e5f, 0, 0, 0]));
        Assert.Equal(0, quantized.Count);
    }
}
