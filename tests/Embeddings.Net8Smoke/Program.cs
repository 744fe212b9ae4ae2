using Embeddings;
using Embeddings.Onnx;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

// Exercises the .NET 8 builds end to end: DI with the hosted warm-up, the static default and the packaged
// all-MiniLM-L6-v2 on ONNX Runtime, exact, float16 and HNSW indexes (their SIMD kernels and locks), PQ codes,
// BM25 and hybrid fusion. Each check compares two independent paths; any mismatch exits with code 1.
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

await host.StopAsync();
Console.WriteLine(failures == 0 ? "net8 smoke: all checks passed" : $"net8 smoke: {failures} check(s) failed");
return failures == 0 ? 0 : 1;
