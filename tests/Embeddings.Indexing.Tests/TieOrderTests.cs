namespace Embeddings.Core.Tests.Indexing;

/// <summary>
/// Every search states one tie rule: higher score first, and among equal scores the earlier-inserted record first.
/// Each index here holds twins (identical vectors), so their scores are exactly equal.
/// </summary>
public sealed class TieOrderTests
{
    private const int Dimensions = 8;

    // Twenty records: "twin-00".."twin-11" share one vector; the others are farther from the query.
    private static VectorRecord[] Records()
    {
        var random = new Random(7);
        float[] twin = [1, 0, 0, 0, 0, 0, 0, 0];
        var records = new List<VectorRecord>();
        for (int i = 0; i < 20; i++)
        {
            if (i % 5 == 0 || i % 5 == 2 || i % 5 == 3)
            {
                records.Add(new VectorRecord($"twin-{records.Count(r => r.Key.StartsWith("twin", StringComparison.Ordinal)):D2}", twin.ToArray()));
            }
            else
            {
                float[] other = Enumerable.Range(0, Dimensions).Select(_ => (float)random.NextDouble() + 0.1f).ToArray();
                other[0] = -1;
                records.Add(new VectorRecord($"other-{i:D2}", other));
            }
        }

        return [.. records];
    }

    public static TheoryData<string> Indexes => new() { "flat", "flat-parallel", "flat-float16", "hnsw" };

    private static IVectorIndex Create(string kind) => kind switch
    {
        "flat" => new FlatIndex(Dimensions, DistanceMetric.Cosine),
        "flat-parallel" => new FlatIndex(Dimensions, DistanceMetric.Cosine, new FlatIndexOptions { MaxDegreeOfParallelism = 4, ParallelThreshold = 1 }),
        "flat-float16" => new FlatIndex(Dimensions, DistanceMetric.Cosine, new FlatIndexOptions { Storage = VectorStorageKind.Float16 }),
        _ => new HnswIndex(Dimensions, DistanceMetric.Cosine, new HnswIndexOptions { M = 4, EfConstruction = 32, Seed = 3 }),
    };

    [Theory]
    [MemberData(nameof(Indexes))]
    public async Task Equal_scores_come_back_in_insertion_order(string kind)
    {
        using var index = (IDisposable)Create(kind);
        var vectors = (IVectorIndex)index;
        await vectors.UpsertAsync(Records());
        float[] query = [1, 0, 0, 0, 0, 0, 0, 0];

        foreach (int k in new[] { 1, 3, 5, 12 })
        {
            IReadOnlyList<VectorSearchResult> hits = await vectors.SearchAsync(query, k, new VectorSearchOptions { EfSearch = 64 });
            if (kind == "hnsw")
            {
                // Twelve exact duplicates fill each other's link lists, so the graph need not reach all of them
                // (hnswlib's heuristic keeps such a clique the same way); whatever twins it finds come back in
                // insertion order.
                Assert.NotEmpty(hits);
                Assert.All(hits, h => Assert.StartsWith("twin-", h.Key, StringComparison.Ordinal));
                Assert.Equal(hits.Select(h => h.Key).Order(StringComparer.Ordinal), hits.Select(h => h.Key));
                continue;
            }

            Assert.Equal(Enumerable.Range(0, k).Select(i => $"twin-{i:D2}"), hits.Select(h => h.Key));
        }
    }

    [Fact]
    public void The_selector_keeps_the_lower_indices_of_equal_scores_in_any_offer_order()
    {
        var scores = new float[3];
        var indices = new int[3];
        var top = new TopKCollector(scores, indices);
        foreach (int index in new[] { 9, 4, 7, 1, 8, 2, 6 })
        {
            top.Add(index == 6 ? 0.5f : 1f, index);
        }

        Assert.Equal(3, top.SortDescending());
        Assert.Equal([1, 2, 4], indices);
        Assert.Equal([1f, 1f, 1f], scores);
    }

    [Fact]
    public void Quantized_scans_and_two_stage_rescoring_keep_insertion_order_among_equal_scores()
    {
        VectorRecord[] records = Records();
        float[] flat = records.SelectMany(r => r.Vector.ToArray()).ToArray();
        var quantizer = new Float32Quantizer(Dimensions);
        var codes = new byte[records.Length * quantizer.BytesPerVector];
        for (int i = 0; i < records.Length; i++)
        {
            quantizer.Encode(flat.AsSpan(i * Dimensions, Dimensions), codes.AsSpan(i * quantizer.BytesPerVector, quantizer.BytesPerVector));
        }

        float[] query = [1, 0, 0, 0, 0, 0, 0, 0];
        int[] twins = records.Select((r, i) => (r, i)).Where(p => p.r.Key.StartsWith("twin", StringComparison.Ordinal)).Select(p => p.i).ToArray();

        QuantizedSearchHit[] scanned = QuantizedSearch.Scan(quantizer.CreateScorer(query, DistanceMetric.Cosine), codes, records.Length, 5);
        Assert.Equal(twins.Take(5), scanned.Select(h => h.Index));

        TwoStageRetriever twoStage = TwoStageRetriever.Build(new BinaryQuantizer(Dimensions), quantizer, flat, DistanceMetric.Cosine);
        Assert.Equal(twins.Take(5), twoStage.Search(query, 5, rescoreMultiplier: 4).Select(h => h.Index));
    }
}
