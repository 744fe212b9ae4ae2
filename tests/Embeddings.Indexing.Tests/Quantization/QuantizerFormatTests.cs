using System.Buffers.Binary;
using Embeddings.Indexing.Internal;
using static Embeddings.Core.Tests.Quantization.QuantizationTestData;

namespace Embeddings.Core.Tests.Quantization;

/// <summary>Saved quantizers carry a version and a CRC-32C; crafted headers are refused before they drive an allocation.</summary>
public sealed class QuantizerFormatTests
{
    private const uint Magic = 0x514D4245;

    /// <summary>Builds a version 2 stream by hand, with a correct checksum, so only the named field is wrong.</summary>
    internal static byte[] Version2(int kind, int dimensions, byte[] body)
    {
        var bytes = new byte[20 + body.Length + 4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, Magic);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4), 2);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(8), kind);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(12), dimensions);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(16), body.Length);
        body.CopyTo(bytes.AsSpan(20));
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(20 + body.Length), IndexFileWriter.Crc32C(0, bytes.AsSpan(0, 20 + body.Length)));
        return bytes;
    }

    private static byte[] Version1(int kind, int dimensions, byte[] body)
    {
        var bytes = new byte[16 + body.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, Magic);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4), 1);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(8), kind);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(12), dimensions);
        body.CopyTo(bytes.AsSpan(16));
        return bytes;
    }

    private static byte[] Ints(params int[] values)
    {
        var bytes = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(i * 4), values[i]);
        }

        return bytes;
    }

    private static InvalidDataException LoadFails(byte[] bytes) =>
        Assert.Throws<InvalidDataException>(() => VectorQuantizer.Load(new MemoryStream(bytes, writable: false)));

    [Fact]
    public void A_flipped_kind_byte_is_refused_instead_of_loading_another_quantizer()
    {
        byte[] saved = SaveBytes(new Float32Quantizer(16));
        saved[8] ^= 0x03; // Float32 (1) becomes Float16 (2)
        Assert.Contains("checksum", LoadFails(saved).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_single_bit_flip_of_every_kind_is_refused()
    {
        foreach (string kind in (string[])["float32", "float16", "int8", "int8-quantiles", "binary", "pq", "pq-4bit", "prefix"])
        {
            byte[] saved = SaveBytes(QuantizerSerializationTests.Create(kind, RandomVectors(300, 24, seed: 4)));
            for (int bit = 0; bit < saved.Length * 8; bit += saved.Length > 512 ? 7 : 1)
            {
                byte[] copy = (byte[])saved.Clone();
                copy[bit / 8] ^= (byte)(1 << (bit % 8));
                LoadFails(copy);
            }
        }
    }

    [Fact]
    public void A_version_1_stream_still_loads()
    {
        float[] minimums = [-1, -2, -3];
        float[] maximums = [1, 2, 3];
        byte[] body = new byte[24];
        System.Runtime.InteropServices.MemoryMarshal.AsBytes(minimums.AsSpan()).CopyTo(body);
        System.Runtime.InteropServices.MemoryMarshal.AsBytes(maximums.AsSpan()).CopyTo(body.AsSpan(12));
        var loaded = (ScalarInt8Quantizer)VectorQuantizer.Load(new MemoryStream(Version1((int)QuantizationKind.ScalarInt8, 3, body)));
        Assert.Equal(minimums, loaded.Minimums.ToArray());
        Assert.Equal(maximums, loaded.Maximums.ToArray());
        Assert.IsType<BinaryQuantizer>(VectorQuantizer.Load(new MemoryStream(Version1((int)QuantizationKind.Binary, 70, []))));
    }

    [Fact]
    public void Huge_dimensions_in_a_header_are_refused_without_allocating()
    {
        foreach (int version in new[] { 1, 2 })
        {
            Func<int, int, byte[], byte[]> make = version == 1 ? Version1 : Version2;
            Assert.Contains("dimension", LoadFails(make((int)QuantizationKind.Float32, int.MaxValue, [])).Message, StringComparison.Ordinal);
            Assert.Contains("dimension", LoadFails(make((int)QuantizationKind.Float16, int.MaxValue, [])).Message, StringComparison.Ordinal);
            Assert.Contains("bytes", LoadFails(make((int)QuantizationKind.ScalarInt8, int.MaxValue, new byte[8])).Message, StringComparison.Ordinal);
            Assert.Contains("bytes", LoadFails(make((int)QuantizationKind.ScalarInt8, 1 << 28, new byte[8])).Message, StringComparison.Ordinal);
            Assert.Contains("bytes", LoadFails(make((int)QuantizationKind.Product, 1 << 28, Ints(1 << 20, 8))).Message, StringComparison.Ordinal);
            Assert.Contains("bytes", LoadFails(make((int)QuantizationKind.Product, 1 << 30, Ints(1 << 30, 8))).Message, StringComparison.Ordinal);
        }

        // The declared body length is checked against the stream, and a stream that ends early is refused.
        byte[] lying = Version2((int)QuantizationKind.Binary, 8, []);
        BinaryPrimitives.WriteInt32LittleEndian(lying.AsSpan(16), int.MaxValue);
        Assert.Contains("bytes", LoadFails(lying).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Non_finite_values_in_a_saved_quantizer_are_refused()
    {
        float[] values = [0, float.NaN, 1, 1];
        byte[] body = System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
        Assert.Contains("NaN", LoadFails(Version2((int)QuantizationKind.ScalarInt8, 2, body)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Huge_dimensions_give_argument_exceptions_not_overflow()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Float32Quantizer(int.MaxValue));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Float16Quantizer(int.MaxValue));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MatryoshkaPrefixQuantizer(int.MaxValue, int.MaxValue));
        Assert.Throws<ArgumentOutOfRangeException>(() => VectorQuantizer.BytesPerVector(QuantizationKind.Float32, int.MaxValue));
        Assert.Throws<ArgumentOutOfRangeException>(() => VectorQuantizer.BytesPerVector(QuantizationKind.Float16, int.MaxValue));
        Assert.Throws<ArgumentOutOfRangeException>(() => VectorQuantizer.BytesPerVector(QuantizationKind.MatryoshkaPrefix, int.MaxValue, int.MaxValue));
        Assert.Equal(int.MaxValue / 64 * 8 + 8, VectorQuantizer.BytesPerVector(QuantizationKind.Binary, int.MaxValue));
    }

    [Fact]
    public void Scan_with_a_negative_count_is_an_argument_error()
    {
        var quantizer = new Float32Quantizer(4);
        QuantizedQueryScorer scorer = quantizer.CreateScorer([1, 0, 0, 0], DistanceMetric.DotProduct);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => QuantizedSearch.Scan(scorer, new byte[16], -1, 5));
        Assert.Equal("count", error.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => QuantizedSearch.Scan(scorer, new byte[16], 1, 0));
        Assert.Single(QuantizedSearch.Scan(scorer, new byte[16], 1, int.MaxValue));
    }

    [Fact]
    public void A_4_bit_pq_scorer_refuses_sub_codes_beyond_its_centroids()
    {
        float[] data = RandomVectors(200, 8, seed: 21);
        var pq = ProductQuantizer.Train(data, 8, 4, new ProductQuantizerOptions { BitsPerCode = 4, Iterations = 2 });
        foreach (DistanceMetric metric in new[] { DistanceMetric.DotProduct, DistanceMetric.Cosine, DistanceMetric.EuclideanSquared, DistanceMetric.Manhattan })
        {
            QuantizedQueryScorer scorer = pq.CreateScorer(data.AsSpan(0, 8), metric);
            byte[] good = [1, 2, 3, 15];
            byte[] bad = [1, 2, 3, 16];
            scorer.Score(good);
            Assert.Contains("16", Assert.Throws<ArgumentException>(() => scorer.Score(bad)).Message, StringComparison.Ordinal);
            var scores = new float[2];
            Assert.Throws<ArgumentException>(() => scorer.ScoreMany([.. good, .. bad], scores));
            Assert.Throws<ArgumentException>(() => QuantizedSearch.Scan(scorer, [.. good, .. bad], 2, 2));
        }
    }
}
