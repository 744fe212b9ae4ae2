// VectorStoreRag: the retrieval half of RAG through Microsoft.Extensions.VectorData (MEVD), the API Semantic Kernel
// and the .NET AI templates use, backed by our HNSW index and the packaged all-MiniLM-L6-v2 (no download).
// The collection is saved to a folder and reloaded on the next run; pass a folder as the first argument.
using System.CommandLine;
using Embeddings;
using Embeddings.Onnx;
using Embeddings.Samples;
using Embeddings.VectorData;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.VectorData;
using VectorStoreRag;

var folderArgument = new Argument<string>("folder")
{
    Description = "The folder the collection is saved to and reloaded from.",
    DefaultValueFactory = _ => Path.Combine(Path.GetTempPath(), "embeddings-vectorstorerag"),
};
var root = new RootCommand("The retrieval half of RAG through Microsoft.Extensions.VectorData, on our HNSW index and the packaged all-MiniLM-L6-v2. Needs nothing beside the checkout.") { folderArgument };
if (!SampleApp.TryParse(root, args, out ParseResult? parsed, out int exitCode))
{
    return exitCode;
}

string folder = parsed.GetValue(folderArgument)!;

var services = new ServiceCollection();
services.AddEmbeddings(e => e.UseOnnxModel(PackagedModels.AllMiniLML6V2));
services.AddEmbeddingsVectorStore(o => o.Directory = folder);
services.AddEmbeddingsCollection<int, Fact>("facts");
await using ServiceProvider provider = services.BuildServiceProvider();

var facts = provider.GetRequiredService<VectorStoreCollection<int, Fact>>();
bool existed = await facts.CollectionExistsAsync();
await facts.EnsureCollectionExistsAsync();

Fact[] data =
[
    new() { Id = 1, Topic = "pets", Text = "The cat sleeps on the warm windowsill." },
    new() { Id = 2, Topic = "pets", Text = "A kitten naps in the afternoon sun." },
    new() { Id = 3, Topic = "finance", Text = "Stock markets fell sharply after the interest rate decision." },
    new() { Id = 4, Topic = "finance", Text = "Investors sold shares as the central bank raised rates." },
    new() { Id = 5, Topic = "cooking", Text = "The recipe needs flour, butter, sugar and two eggs." },
    new() { Id = 6, Topic = "cooking", Text = "Bake the cake for forty minutes at 180 degrees." },
    new() { Id = 7, Topic = "sports", Text = "The striker scored twice in the second half." },
    new() { Id = 8, Topic = "sports", Text = "The team won the championship final on penalties." },
    new() { Id = 9, Topic = "science", Text = "Photosynthesis turns sunlight, water and carbon dioxide into sugar." },
    new() { Id = 10, Topic = "science", Text = "Plants use light energy to make their food." },
];
await facts.UpsertAsync(data);
Console.WriteLine($"{(existed ? "Reopened" : "Created")} collection 'facts' in {folder}: upserted {data.Length} facts (embedded as documents).");

foreach ((string query, string? topic) in new[] { ("my pet is sleeping", (string?)null), ("what makes plants grow", null), ("sweet things", "cooking"), ("sweet things", "science") })
{
    var options = new VectorSearchOptions<Fact>();
    if (topic is not null)
    {
        options.Filter = f => f.Topic == topic;
    }

    Console.WriteLine();
    Console.WriteLine($"\"{query}\"{(topic is null ? string.Empty : $" where Topic == \"{topic}\"")}");
    await foreach (VectorSearchResult<Fact> hit in facts.SearchAsync(query, top: 2, options))
    {
        Console.WriteLine($"  {hit.Score:F3}  [{hit.Record.Topic}] {hit.Record.Text}");
    }
}

// The retrieved passages are what a chat model would be grounded on.
var context = await facts.SearchAsync("How do I make a dessert?", top: 2).Select(h => h.Record.Text).ToListAsync();
Console.WriteLine();
Console.WriteLine("Context for \"How do I make a dessert?\":");
Console.WriteLine("  " + string.Join(Environment.NewLine + "  ", context));

IEmbedder embedder = provider.GetRequiredService<IEmbedder>();
Console.WriteLine();
Console.WriteLine($"Collection locked to {embedder.Fingerprint}; reopening it with another model is refused.");
return 0;
