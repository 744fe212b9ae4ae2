using static Embeddings.Core.Tests.Quantization.QuantizationTestData;

namespace Embeddings.Core.Tests.Indexing;

/// <summary>
/// Every persisted format Core owns, damaged every way a small file can be: cut at every offset, and every single
/// bit flipped. Each outcome is either a clean load of identical content or an <see cref="InvalidDataException"/>;
/// never another exception type, never different data.
/// </summary>
public sealed class FormatFuzzTests : IDisposable
{
    private const int Dimensions = 8;
    private readonly string _directory = Directory.CreateTempSubdirectory("fuzz-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    public static TheoryData<string> IndexFormats => new() { "flat-float32", "flat-float16", "flat-int8", "flat-pq4", "flat-binary", "flat-prefix", "hnsw" };

    private static InMemoryVectorIndex Build(string format)
    {
        float[] data = RandomVectors(64, Dimensions, seed: 9);
        InMemoryVectorIndex index = format switch
        {
            "hnsw" => new HnswIndex(Dimensions, DistanceMetric.Cosine, new HnswIndexOptions { M = 2, Seed = 4 }, new EmbedderFingerprint("m", "r", "mean", true, Dimensions)),
            "flat-float32" => new FlatIndex(Dimensions, DistanceMetric.DotProduct),
            "flat-float16" => new FlatIndex(Dimensions, DistanceMetric.Euclidean, new FlatIndexOptions { Storage = VectorStorageKind.Float16 }),
            _ => new FlatIndex(Dimensions, DistanceMetric.DotProduct, new FlatIndexOptions
            {
                Storage = VectorStorageKind.Quantized,
                Quantizer = format switch
                {
                    "flat-int8" => ScalarInt8Quantizer.Calibrate(data, Dimensions),
                    "flat-pq4" => ProductQuantizer.Train(data, Dimensions, 2, new ProductQuantizerOptions { BitsPerCode = 4, Iterations = 1 }),
                    "flat-binary" => new BinaryQuantizer(Dimensions),
                    _ => new MatryoshkaPrefixQuantizer(Dimensions, 4),
                },
            }),
        };
        for (int i = 0; i < 3; i++)
        {
            index.Add($"k{i}", data.AsSpan(i * Dimensions, Dimensions), new Dictionary<string, object?> { ["t"] = $"v{i}", ["n"] = (long)i });
        }

        index.Remove("k1");
        index.Add("k1", data.AsSpan(5 * Dimensions, Dimensions));
        return index;
    }

    private static InMemoryVectorIndex Load(string format, string path) => format == "hnsw" ? HnswIndex.Load(path) : FlatIndex.Load(path);

    private static string Describe(InMemoryVectorIndex index)
    {
        IReadOnlyList<VectorSearchResult> hits = index.Search(RandomVectors(1, Dimensions, seed: 1), 10);
        return $"{index.Count} {index.Dimensions} {index.Metric} {index.Fingerprint} " +
            string.Join(";", hits.Select(h => $"{h.Key}={h.Score:R}[{string.Join(",", (h.Metadata ?? new Dictionary<string, object?>()).Select(p => $"{p.Key}:{p.Value}"))}]"));
    }

    [Theory]
    [MemberData(nameof(IndexFormats))]
    public void A_damaged_index_file_loads_identically_or_fails_with_InvalidDataException(string format)
    {
        string path = Path.Combine(_directory, format);
        string expected;
        using (InMemoryVectorIndex index = Build(format))
        {
            index.Save(path);
            expected = Describe(index);
        }

        byte[] saved = File.ReadAllBytes(path);
        using (InMemoryVectorIndex loaded = Load(format, path))
        {
            Assert.Equal(expected, Describe(loaded));
        }

        string damaged = Path.Combine(_directory, "damaged-" + format);
        void Check(byte[] bytes, string what)
        {
            File.WriteAllBytes(damaged, bytes);
            try
            {
                using InMemoryVectorIndex index = Load(format, damaged);
                Assert.True(expected == Describe(index), $"{what} loaded different content");
            }
            catch (InvalidDataException)
            {
            }
            catch (Exception e)
            {
                Assert.Fail($"{what}: {e.GetType().Name}: {e.Message}");
            }
        }

        for (int length = 0; length < saved.Length; length++)
        {
            Check(saved[..length], $"cut at {length} of {saved.Length}");
        }

        for (int bit = 0; bit < saved.Length * 8; bit++)
        {
            byte[] copy = (byte[])saved.Clone();
            copy[bit / 8] ^= (byte)(1 << (bit % 8));
            Check(copy, $"bit {bit} flipped");
        }
    }

    public static TheoryData<string> QuantizerKinds => new() { "float32", "float16", "int8", "int8-quantiles", "binary", "pq", "pq-4bit", "prefix" };

    [Theory]
    [MemberData(nameof(QuantizerKinds))]
    public void A_damaged_quantizer_stream_loads_identically_or_fails_with_InvalidDataException(string kind)
    {
        byte[] saved = SaveBytes(Quantization.QuantizerSerializationTests.Create(kind, RandomVectors(300, 24, seed: 4)));
        void Check(byte[] bytes, string what)
        {
            try
            {
                IVectorQuantizer loaded = VectorQuantizer.Load(new MemoryStream(bytes, writable: false));
                Assert.True(saved.AsSpan().SequenceEqual(SaveBytes(loaded)), $"{what} loaded a different quantizer");
            }
            catch (InvalidDataException)
            {
            }
            catch (Exception e)
            {
                Assert.Fail($"{what}: {e.GetType().Name}: {e.Message}");
            }
        }

        for (int length = 0; length < saved.Length; length++)
        {
            Check(saved[..length], $"cut at {length} of {saved.Length}");
        }

        // Large codebooks: every bit of the framing, then every 13th bit of the body.
        for (int bit = 0; bit < saved.Length * 8; bit += bit < 24 * 8 || bit >= (saved.Length - 4) * 8 ? 1 : 13)
        {
            byte[] copy = (byte[])saved.Clone();
            copy[bit / 8] ^= (byte)(1 << (bit % 8));
            Check(copy, $"bit {bit} flipped");
        }
    }
}
