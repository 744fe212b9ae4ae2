namespace Embeddings.Core.Tests.Indexing;

public sealed class QuantizedFlatIndexTests : IDisposable
{
    private const int Dims = 32;
    private readonly string _directory = Directory.CreateTempSubdirectory("quantized-flat-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static float[][] Vectors(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ =>
        {
            var v = new float[Dims];
            for (int d = 0; d < Dims; d++)
            {
                v[d] = (float)((random.NextDouble() * 2) - 1);
            }

            VectorMath.Normalize(v);
            return v;
        }).ToArray();
    }

    public static TheoryData<string> Quantizers => new() { "int8", "binary", "pq" };

    private static IVectorQuantizer MakeQuantizer(string kind, float[][] training) => kind switch
    {
        "int8" => ScalarInt8Quantizer.Calibrate(training.Select(v => (ReadOnlyMemory<float>)v).ToList()),
        "binary" => new BinaryQuantizer(Dims),
        _ => ProductQuantizer.Train(training.SelectMany(v => v).ToArray(), Dims, 8, new ProductQuantizerOptions { Seed = 3 }),
    };

    [Theory]
    [MemberData(nameof(Quantizers))]
    public void Quantized_storage_finds_most_exact_neighbours_and_survives_save_and_load(string kind)
    {
        float[][] data = Vectors(2000, 1);
        IVectorQuantizer quantizer = MakeQuantizer(kind, data);
        using var exact = new FlatIndex(Dims, DistanceMetric.Cosine);
        using var quantized = new FlatIndex(Dims, DistanceMetric.Cosine, new FlatIndexOptions { Storage = VectorStorageKind.Quantized, Quantizer = quantizer });
        for (int i = 0; i < data.Length; i++)
        {
            exact.Add($"v{i}", data[i]);
            quantized.Add($"v{i}", data[i]);
        }

        Assert.Equal(VectorStorageKind.Quantized, quantized.Storage);
        Assert.Equal(quantizer.BytesPerVector, quantized.BytesPerVector);
        int hits = 0;
        float[][] queries = Vectors(50, 2);
        foreach (float[] query in queries)
        {
            HashSet<string> truth = exact.Search(query, 10).Select(h => h.Key).ToHashSet();

            // Re-rank a wider quantized candidate list, the way a quantized first stage is used.
            hits += quantized.Search(query, 40).Count(h => truth.Contains(h.Key));
        }

        double recall = hits / (queries.Length * 10.0);
        Assert.True(recall > (kind == "binary" ? 0.6 : 0.85), $"{kind}: recall@10 within the top 40 is {recall:F3}");

        string path = Path.Combine(_directory, kind + ".flat");
        quantized.Save(path);
        using FlatIndex loaded = FlatIndex.Load(path);
        Assert.Equal(VectorStorageKind.Quantized, loaded.Storage);
        Assert.Equal(quantizer.Kind, loaded.Quantizer!.Kind);
        foreach (float[] query in queries.Take(10))
        {
            Assert.Equal(
                quantized.Search(query, 10).Select(h => (h.Key, h.Score)),
                loaded.Search(query, 10).Select(h => (h.Key, h.Score)));
        }
    }

    [Fact]
    public void Quantized_storage_without_a_quantizer_or_with_the_wrong_dimensions_is_refused()
    {
        Assert.Throws<ArgumentException>(() => new FlatIndex(Dims, DistanceMetric.Cosine, new FlatIndexOptions { Storage = VectorStorageKind.Quantized }));
        Assert.Throws<ArgumentException>(() => new FlatIndex(Dims, DistanceMetric.Cosine, new FlatIndexOptions { Storage = VectorStorageKind.Quantized, Quantizer = new BinaryQuantizer(Dims * 2) }));
    }

    [Fact]
    public void Parallel_flat_search_matches_the_single_threaded_scan()
    {
        float[][] data = Vectors(6000, 4);
        using var serial = new FlatIndex(Dims, DistanceMetric.Euclidean);
        using var parallel = new FlatIndex(Dims, DistanceMetric.Euclidean, new FlatIndexOptions { MaxDegreeOfParallelism = 2, ParallelThreshold = 1000 });
        for (int i = 0; i < data.Length; i++)
        {
            serial.Add($"v{i}", data[i]);
            parallel.Add($"v{i}", data[i]);
        }

        foreach (float[] query in Vectors(20, 5))
        {
            Assert.Equal(serial.Search(query, 15).Select(h => (h.Key, h.Score)), parallel.Search(query, 15).Select(h => (h.Key, h.Score)));
        }
    }
    [Fact]
    public void Pq_storage_answers_exactly_like_scoring_every_code_through_removals_filters_parallel_scans_and_reload()
    {
        // On CPUs with AVX-512 VBMI the PQ rows live in 64-code blocks scanned with byte tables first; whatever the
        // layout, the answers must be those of scoring every live code with the float tables.
        float[][] data = Vectors(3000, 7);
        ProductQuantizer pq = ProductQuantizer.Train(data.SelectMany(v => v).ToArray(), Dims, 8, new ProductQuantizerOptions { Seed = 5, Iterations = 5 });
        var options = new FlatIndexOptions { Storage = VectorStorageKind.Quantized, Quantizer = pq, MaxDegreeOfParallelism = 2, ParallelThreshold = 1000, InitialCapacity = 16 };
        using var index = new FlatIndex(Dims, DistanceMetric.Euclidean, options);
        var live = new Dictionary<string, (float[] Vector, bool Even)>();
        for (int i = 0; i < data.Length; i++)
        {
            index.Add($"v{i}", data[i], new Dictionary<string, object?> { ["even"] = i % 2 == 0 });
            live[$"v{i}"] = (data[i], i % 2 == 0);
        }

        for (int i = 0; i < data.Length; i += 3)
        {
            Assert.True(index.Remove($"v{i}"));
            live.Remove($"v{i}");
        }

        var evenOnly = new VectorSearchOptions { Filter = MetadataFilter.Equal("even", true) };
        float[][] queries = Vectors(12, 8);
        foreach (float[] query in queries)
        {
            Assert.Equal(Reference(query, evenOnly: false), index.Search(query, 12).Select(h => (h.Key, h.Score)));
            Assert.Equal(Reference(query, evenOnly: true), index.Search(query, 12, evenOnly).Select(h => (h.Key, h.Score)));
        }

        string path = Path.Combine(_directory, "pq-blocks.flat");
        index.Save(path);
        using FlatIndex loaded = FlatIndex.Load(path);
        foreach (float[] query in queries)
        {
            Assert.Equal(Reference(query, evenOnly: false), loaded.Search(query, 12).Select(h => (h.Key, h.Score)));
        }

        IEnumerable<(string Key, float Score)> Reference(float[] query, bool evenOnly)
        {
            QuantizedQueryScorer scorer = pq.CreateScorer(query, DistanceMetric.Euclidean);
            var code = new byte[pq.BytesPerVector];
            return live.Where(pair => !evenOnly || pair.Value.Even)
                .Select(pair =>
                {
                    pq.Encode(pair.Value.Vector, code);
                    return (pair.Key, Score: scorer.Score(code));
                })
                .OrderByDescending(hit => hit.Score).ThenBy(hit => hit.Key, StringComparer.Ordinal).Take(12).ToArray();
        }
    }
}
