using Embeddings;
using Embeddings.Onnx;
using Embeddings.VectorData;
using Microsoft.Extensions.VectorData;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

// Exercises the .NET 8 builds end to end: DI with the hosted warm-up, the static default and the packaged
// all-MiniLM-L6-v2 on ONNX Runtime, exact, float16 and HNSW indexes (their SIMD kernels and locks), PQ codes,
// BM25 and hybrid fusion, and a dynamic MEVD collection saved to a folder and reopened. Reflection-based JSON is
// off (as in a trimmed or native AOT app), so anything that still needs it fails here. Each check compares two
// independent paths; any mismatch exits with code 1.
string[] sentences =
[
    "A man is playing a guitar on stage.",
    "The cat sleeps on the warm windowsill.",
    "Stock markets fell sharply after the announcement.",
    "A woman is slicing tomatoes in the kitchen.",
    "The spacecraft entered orbit around Mars.",
    "Children are playing football in the park.",
    "Heavy rain flooded the streets of the city.",
    "He is reading a book about ancient Rome.",
];

int failures = 0;
void Check(bool condition, string what)
{
    Console.WriteLine($"{(condition ? "ok  " : "FAIL")} {what}");
    failures += condition ? 0 : 1;
}

Check(Environment.Version.Major == 8, $"runtime is .NET {Environment.Version}");

HostApplicationBuilder builder = Host.CreateApplicationBuilder(args);
builder.Services.AddEmbeddings(e => e.UseStaticModel());
builder.Services.AddKeyedEmbeddings("minilm", e => e.UseOnnxModel(PackagedModels.AllMiniLML6V2));
using IHost host = builder.Build();
await host.StartAsync();

foreach ((string name, IEmbedder embedder) in new[]
{
    ("static default", host.Services.GetRequiredService<IEmbedder>()),
    ("all-MiniLM-L6-v2", host.Services.GetRequiredKeyedService<IEmbedder>("minilm")),
})
{
    var records = sentences.Select((s, i) => new TextRecord($"s{i}", s)).ToArray();
    (string Label, IVectorIndex Index)[] indexes =
    [
        ("flat float32", new FlatIndex(embedder.Dimensions, DistanceMetric.Cosine, fingerprint: embedder.Fingerprint)),
        ("flat float16", new FlatIndex(embedder.Dimensions, DistanceMetric.Cosine, new FlatIndexOptions { Storage = VectorStorageKind.Float16 }, embedder.Fingerprint)),
        ("HNSW", new HnswIndex(embedder.Dimensions, DistanceMetric.Cosine, new HnswIndexOptions { Seed = 1 }, embedder.Fingerprint)),
    ];
    foreach ((string label, IVectorIndex index) in indexes)
    {
        var bound = new EmbeddingIndex(index, embedder);
        await bound.AddRangeAsync(records);
        IReadOnlyList<VectorSearchResult> hits = await bound.SearchAsync(sentences[4], 3);
        Check(hits.Count == 3 && hits[0].Key == "s4" && hits[0].Score > 0.99f, $"{name}, {label}: a stored sentence finds itself first ({hits[0].Key}, {hits[0].Score:F4})");
    }

    ReadOnlyMemory<float> query = await embedder.EmbedQueryAsync(sentences[1]);
    float[] stored = (await embedder.EmbedDocumentsAsync([sentences[1]]))[0].Vector.ToArray();
    double dot = 0;
    for (int i = 0; i < stored.Length; i++)
    {
        dot += stored[i] * query.Span[i];
    }

    Check(Math.Abs(VectorMath.Cosine(query.Span, stored) - (dot / (Math.Sqrt(stored.Sum(v => (double)v * v)) * Math.Sqrt(query.ToArray().Sum(v => (double)v * v))))) < 1e-4, $"{name}: SIMD cosine equals the scalar formula");
}

var bm25 = new Bm25Index();
for (int i = 0; i < sentences.Length; i++)
{
    bm25.Upsert($"s{i}", sentences[i]);
}

IReadOnlyList<VectorSearchResult> lexical = bm25.Search("rain flooded streets", 2);
Check(lexical.Count > 0 && lexical[0].Key == "s6", $"BM25 finds the flooded streets ({(lexical.Count > 0 ? lexical[0].Key : "none")})");
IReadOnlyList<VectorSearchResult> fused = HybridSearcher.Fuse(lexical, [new VectorSearchResult("s6", 0.9f), new VectorSearchResult("s2", 0.5f)], 2);
Check(fused[0].Key == "s6", "hybrid fusion keeps the document both retrievers rank first");

var random = new Random(3);
float[] vectors = Enumerable.Range(0, 2000 * 32).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
ProductQuantizer pq = ProductQuantizer.Train(vectors, 32, 8, new ProductQuantizerOptions { Seed = 5 });
var codes = new byte[2000 * pq.BytesPerVector];
for (int i = 0; i < 2000; i++)
{
    pq.Encode(vectors.AsSpan(i * 32, 32), codes.AsSpan(i * pq.BytesPerVector, pq.BytesPerVector));
}

var packed = new PackedProductCodes(pq, codes, 2000);
QuantizedSearchHit[] packedHits = packed.Search(vectors.AsSpan(7 * 32, 32), DistanceMetric.DotProduct, 5);
QuantizedSearchHit[] plainHits = QuantizedSearch.Scan(pq.CreateScorer(vectors.AsSpan(7 * 32, 32), DistanceMetric.DotProduct), codes, 2000, 5);
Check(packedHits.Select(h => h.Index).SequenceEqual(plainHits.Select(h => h.Index)), "PQ: packed blocks and the plain scan agree");

Check(!System.Text.Json.JsonSerializer.IsReflectionEnabledByDefault, "reflection-based JSON is off");
string folder = Path.Combine(Path.GetTempPath(), "embeddings-net8-smoke-" + Guid.NewGuid().ToString("N"));
try
{
    var definition = new VectorStoreCollectionDefinition
    {
        Properties =
        [
            new VectorStoreKeyProperty("Id", typeof(long)),
            new VectorStoreDataProperty("Text", typeof(string)) { IsIndexed = true },
            new VectorStoreDataProperty("Tags", typeof(List<string>)) { IsIndexed = true },
            new VectorStoreDataProperty("When", typeof(DateTimeOffset)),
            new VectorStoreVectorProperty("Vector", typeof(string), 384) { DistanceFunction = DistanceFunction.CosineSimilarity, IndexKind = EmbeddingsIndexKind.Hnsw },
        ],
    };
    IEmbedder minilm = host.Services.GetRequiredKeyedService<IEmbedder>("minilm");
    DateTimeOffset when = new(2026, 12, 7, 8, 0, 0, TimeSpan.FromHours(1));
    using (var store = new EmbeddingsVectorStore(new EmbeddingsVectorStoreOptions { Directory = folder, EmbeddingGenerator = minilm }))
    {
        var collection = store.GetDynamicCollection("sentences", definition);
        await collection.EnsureCollectionExistsAsync();
        await collection.UpsertAsync(sentences.Select((s, i) => new Dictionary<string, object?>
        {
            ["Id"] = (long)i, ["Text"] = s, ["Tags"] = new List<string> { i % 2 == 0 ? "even" : "odd" }, ["When"] = when, ["Vector"] = s,
        }));
    }

    using (var reopened = new EmbeddingsVectorStore(new EmbeddingsVectorStoreOptions { Directory = folder, EmbeddingGenerator = minilm }))
    {
        var collection = reopened.GetDynamicCollection("sentences", definition);
        Dictionary<string, object?>? read = await collection.GetAsync(6L);
        Check(read is not null && (string?)read["Text"] == sentences[6] && read["Tags"] is List<string> { Count: 1 } tags && tags[0] == "even" && read["When"] is DateTimeOffset w && w == when,
            "MEVD dynamic collection: values come back from the folder with their types");
        var hits = new List<Microsoft.Extensions.VectorData.VectorSearchResult<Dictionary<string, object?>>>();
        await foreach (var hit in collection.SearchAsync("rain in the city streets", 2, new VectorSearchOptions<Dictionary<string, object?>> { Filter = r => ((List<string>)r["Tags"]!).Contains("even") }))
        {
            hits.Add(hit);
        }

        Check(hits.Count == 2 && (long)hits[0].Record["Id"]! == 6, $"MEVD dynamic collection: a filtered text search finds the flooded streets ({(hits.Count > 0 ? hits[0].Record["Id"] : "none")})");
    }
}
finally
{
    if (Directory.Exists(folder))
    {
        Directory.Delete(folder, recursive: true);
    }
}

await host.StopAsync();
Console.WriteLine(failures == 0 ? "net8 smoke: all checks passed" : $"net8 smoke: {failures} check(s) failed");
return failures == 0 ? 0 : 1;
