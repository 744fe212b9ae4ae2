using static Embeddings.Core.Tests.Quantization.QuantizationTestData;

namespace Embeddings.Core.Tests.Quantization;

public sealed class QuantizerSerializationTests
{
    private const int Dimensions = 24;

    public static TheoryData<string> Kinds => new() { "float32", "float16", "int8", "int8-quantiles", "binary", "pq", "pq-4bit", "prefix" };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Save_then_load_is_bit_exact_and_encodes_identically(string kind)
    {
        float[] data = RandomVectors(600, Dimensions, seed: 11);
        IVectorQuantizer original = Create(kind, data);
        byte[] saved = SaveBytes(original);

        IVectorQuantizer loaded = RoundTrip(original);

        Assert.Equal(original.GetType(), loaded.GetType());
        Assert.Equal(original.Kind, loaded.Kind);
        Assert.Equal(original.Dimensions, loaded.Dimensions);
        Assert.Equal(original.BytesPerVector, loaded.BytesPerVector);
        Assert.Equal(saved, SaveBytes(loaded));
        float[] probe = RandomVectors(50, Dimensions, seed: 12);
        byte[] codes = EncodeAll(original, probe);
        Assert.Equal(codes, EncodeAll(loaded, probe));
        var a = new float[Dimensions];
        var b = new float[Dimensions];
        for (int i = 0; i < 50; i++)
        {
            ReadOnlySpan<byte> code = codes.AsSpan(i * original.BytesPerVector, original.BytesPerVector);
            original.Decode(code, a);
            loaded.Decode(code, b);
            Assert.Equal(a, b);
        }
    }

    [Fact]
    public void Codes_and_quantizer_round_trip_together_through_one_stream()
    {
        float[] data = RandomVectors(300, Dimensions, seed: 3);
        ScalarInt8Quantizer quantizer = ScalarInt8Quantizer.Calibrate(data, Dimensions);
        byte[] codes = EncodeAll(quantizer, data);
        using var stream = new MemoryStream();
        quantizer.Save(stream);
        stream.Write(codes);

        stream.Position = 0;
        IVectorQuantizer loaded = VectorQuantizer.Load(stream);
        var restored = new byte[codes.Length];
        stream.ReadExactly(restored);

        Assert.Equal(codes, restored);
        Assert.Equal(quantizer.Minimums.ToArray(), ((ScalarInt8Quantizer)loaded).Minimums.ToArray());
        Assert.Equal(quantizer.Maximums.ToArray(), ((ScalarInt8Quantizer)loaded).Maximums.ToArray());
    }

    [Fact]
    public void Load_rejects_foreign_truncated_and_unknown_data()
    {
        using (var garbage = new MemoryStream([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]))
        {
            Assert.Contains("not a quantizer header", Assert.Throws<InvalidDataException>(() => VectorQuantizer.Load(garbage)).Message);
        }

        byte[] saved = SaveBytes(ScalarInt8Quantizer.Calibrate(RandomVectors(10, Dimensions, seed: 1), Dimensions));
        using (var truncated = new MemoryStream(saved[..(saved.Length - 3)]))
        {
            Assert.Contains("does not fit", Assert.Throws<InvalidDataException>(() => VectorQuantizer.Load(truncated)).Message);
        }

        // A changed kind byte alone fails the checksum; with the checksum made to match, the kind is named.
        byte[] unknownKind = QuantizerFormatTests.Version2(99, Dimensions, saved[20..^4]);
        using (var unknown = new MemoryStream(unknownKind))
        {
            Assert.Contains("kind 99", Assert.Throws<InvalidDataException>(() => VectorQuantizer.Load(unknown)).Message);
        }
    }

    [Fact]
    public void Bytes_per_vector_are_exact_for_384_dimensions()
    {
        Assert.Equal(1536, new Float32Quantizer(384).BytesPerVector);
        Assert.Equal(768, new Float16Quantizer(384).BytesPerVector);
        Assert.Equal(384, new ScalarInt8Quantizer(new float[384], Enumerable.Repeat(1f, 384).ToArray()).BytesPerVector);
        Assert.Equal(48, new BinaryQuantizer(384).BytesPerVector);
        var pq = new ProductQuantizer(384, 48, 8, new float[384 * 256]);
        Assert.Equal(48, pq.BytesPerVector);
        Assert.Equal(768, new MatryoshkaPrefixQuantizer(384, 192).BytesPerVector);
        Assert.Equal(1536, VectorQuantizer.BytesPerVector(QuantizationKind.Float32, 384));
        Assert.Equal(768, VectorQuantizer.BytesPerVector(QuantizationKind.Float16, 384));
        Assert.Equal(384, VectorQuantizer.BytesPerVector(QuantizationKind.ScalarInt8, 384));
        Assert.Equal(48, VectorQuantizer.BytesPerVector(QuantizationKind.Binary, 384));
        Assert.Equal(96, VectorQuantizer.BytesPerVector(QuantizationKind.Product, 384, 96));
        Assert.Equal(16, VectorQuantizer.BytesPerVector(QuantizationKind.Binary, 100));
    }

    internal static IVectorQuantizer Create(string kind, float[] data) => kind switch
    {
        "float32" => new Float32Quantizer(Dimensions),
        "float16" => new Float16Quantizer(Dimensions),
        "int8" => ScalarInt8Quantizer.Calibrate(data, Dimensions),
        "int8-quantiles" => ScalarInt8Quantizer.Calibrate(data, Dimensions, 0.01f, 0.99f),
        "binary" => new BinaryQuantizer(Dimensions),
        "pq" => ProductQuantizer.Train(data, Dimensions, 6, new ProductQuantizerOptions { BitsPerCode = 8, Iterations = 3 }),
        "pq-4bit" => ProductQuantizer.Train(data, Dimensions, 8, new ProductQuantizerOptions { BitsPerCode = 4, Iterations = 3 }),
        "prefix" => new MatryoshkaPrefixQuantizer(Dimensions, 8),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };
}
