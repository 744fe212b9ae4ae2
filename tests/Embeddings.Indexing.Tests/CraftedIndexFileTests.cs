using System.Buffers.Binary;
using Embeddings.Indexing.Internal;
using static Embeddings.Core.Tests.Quantization.QuantizationTestData;

namespace Embeddings.Core.Tests.Indexing;

/// <summary>
/// Files whose checksum is made to match but whose fields lie: every count is checked against the bytes present
/// before it sizes an allocation, and loaded values are checked as inserts would check them.
/// </summary>
public sealed class CraftedIndexFileTests : IDisposable
{
    // Offsets in a file without a fingerprint: 16 bytes of file header, dimensions, metric, fingerprint length (-1).
    private const int FlatStorageAt = 28, FlatCountAt = 32, FlatQuantizerLengthAt = 36;
    private const int HnswAllocatedAt = 56, HnswStatesAt = 76;

    private readonly string _directory = Directory.CreateTempSubdirectory("crafted-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>Recomputes the footer checksum, so only the patched field is wrong.</summary>
    internal static void Reseal(byte[] file) =>
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(file.Length - 8), IndexFileWriter.Crc32C(0, file.AsSpan(0, file.Length - 16)));

    private string Write(byte[] file, string name)
    {
        Reseal(file);
        string path = Path.Combine(_directory, name);
        File.WriteAllBytes(path, file);
        return path;
    }

    private byte[] Saved(InMemoryVectorIndex index, string name)
    {
        string path = Path.Combine(_directory, name);
        index.Save(path);
        return File.ReadAllBytes(path);
    }

    private static float[][] Vectors(int count, int dimensions, int seed)
    {
        float[] flat = RandomVectors(count, dimensions, seed);
        return Enumerable.Range(0, count).Select(i => flat.AsSpan(i * dimensions, dimensions).ToArray()).ToArray();
    }

    [Fact]
    public void A_huge_flat_record_count_is_refused_before_allocation()
    {
        using var index = new FlatIndex(8, DistanceMetric.DotProduct);
        float[][] vectors = Vectors(3, 8, 1);
        for (int i = 0; i < vectors.Length; i++)
        {
            index.Add($"k{i}", vectors[i]);
        }

        byte[] file = Saved(index, "flat");
        foreach (int count in new[] { 200_000_000, 5_000_000, 4 })
        {
            byte[] copy = (byte[])file.Clone();
            BinaryPrimitives.WriteInt32LittleEndian(copy.AsSpan(FlatCountAt), count);
            var error = Assert.Throws<InvalidDataException>(() => FlatIndex.Load(Write(copy, "flat-count")));
            Assert.Contains("record count", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_huge_hnsw_slot_count_is_refused_before_allocation()
    {
        using var index = new HnswIndex(8, DistanceMetric.DotProduct, new HnswIndexOptions { Seed = 3 });
        float[][] vectors = Vectors(5, 8, 2);
        for (int i = 0; i < vectors.Length; i++)
        {
            index.Add($"k{i}", vectors[i]);
        }

        byte[] file = Saved(index, "hnsw");
        foreach (int allocated in new[] { 100_000_000, 3_000_000, 6 })
        {
            byte[] copy = (byte[])file.Clone();
            BinaryPrimitives.WriteInt32LittleEndian(copy.AsSpan(HnswAllocatedAt), allocated);
            var error = Assert.Throws<InvalidDataException>(() => HnswIndex.Load(Write(copy, "hnsw-count")));
            Assert.Contains("corrupt", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Huge_dimensions_in_an_index_header_are_refused_without_overflow()
    {
        using var flat = new FlatIndex(8, DistanceMetric.DotProduct);
        using var hnsw = new HnswIndex(8, DistanceMetric.DotProduct);
        foreach ((InMemoryVectorIndex index, Func<string, InMemoryVectorIndex> load) in new (InMemoryVectorIndex, Func<string, InMemoryVectorIndex>)[] { (flat, p => FlatIndex.Load(p)), (hnsw, p => HnswIndex.Load(p)) })
        {
            byte[] file = Saved(index, "empty");
            BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(16), int.MaxValue);
            Assert.Throws<InvalidDataException>(() => load(Write(file, "dims")));
        }
    }

    [Fact]
    public void Non_finite_vectors_in_a_file_are_refused()
    {
        foreach (VectorStorageKind storage in new[] { VectorStorageKind.Float32, VectorStorageKind.Float16 })
        {
            using var index = new FlatIndex(4, DistanceMetric.DotProduct, new FlatIndexOptions { Storage = storage });
            index.Add("a", [1, 2, 3, 4]);
            byte[] file = Saved(index, "finite");
            int at = FlatCountAt + 4 + 4; // second value of the first row
            if (storage == VectorStorageKind.Float32)
            {
                BinaryPrimitives.WriteSingleLittleEndian(file.AsSpan(at), float.NaN);
            }
            else
            {
                BinaryPrimitives.WriteHalfLittleEndian(file.AsSpan(FlatCountAt + 4 + 2), Half.PositiveInfinity);
            }

            Assert.Contains("NaN or infinite", Assert.Throws<InvalidDataException>(() => FlatIndex.Load(Write(file, "finite-bad"))).Message, StringComparison.Ordinal);
        }

        using var hnsw = new HnswIndex(4, DistanceMetric.DotProduct);
        hnsw.Add("a", [1, 2, 3, 4]);
        byte[] hnswFile = Saved(hnsw, "hnsw-finite");
        int vectorsAt = HnswStatesAt + 1 + 1; // one state byte and one level byte for the single slot
        BinaryPrimitives.WriteSingleLittleEndian(hnswFile.AsSpan(vectorsAt + 8), float.PositiveInfinity);
        Assert.Contains("NaN or infinite", Assert.Throws<InvalidDataException>(() => HnswIndex.Load(Write(hnswFile, "hnsw-finite-bad"))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Pq_codes_naming_missing_centroids_are_refused_on_load()
    {
        float[] data = RandomVectors(100, 8, seed: 5);
        ProductQuantizer pq = ProductQuantizer.Train(data, 8, 4, new ProductQuantizerOptions { BitsPerCode = 4, Iterations = 2 });
        using var index = new FlatIndex(8, DistanceMetric.DotProduct, new FlatIndexOptions { Storage = VectorStorageKind.Quantized, Quantizer = pq });
        index.Add("a", data.AsSpan(0, 8));
        index.Add("b", data.AsSpan(8, 8));
        byte[] file = Saved(index, "pq");
        int quantizerLength = BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(FlatQuantizerLengthAt));
        int codesAt = FlatQuantizerLengthAt + 4 + quantizerLength;
        Assert.All(file.AsSpan(codesAt, 8).ToArray(), b => Assert.InRange(b, 0, 15));
        file[codesAt + 6] = 200; // record 1, sub-code 2

        var error = Assert.Throws<InvalidDataException>(() => FlatIndex.Load(Write(file, "pq-bad")));
        Assert.Contains("200", error.Message, StringComparison.Ordinal);
        Assert.Contains("16 centroids", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_quantizer_length_beyond_the_file_is_refused_before_allocation()
    {
        using var index = new FlatIndex(4, DistanceMetric.DotProduct, new FlatIndexOptions { Storage = VectorStorageKind.Quantized, Quantizer = new Float32Quantizer(4) });
        index.Add("a", [1, 2, 3, 4]);
        byte[] file = Saved(index, "q");
        Assert.Equal((int)VectorStorageKind.Quantized, BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(FlatStorageAt)));
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(FlatQuantizerLengthAt), int.MaxValue);
        Assert.Contains("quantizer length", Assert.Throws<InvalidDataException>(() => FlatIndex.Load(Write(file, "q-bad"))).Message, StringComparison.Ordinal);
    }
}
