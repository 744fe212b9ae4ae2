using System.Net;
using System.Net.Sockets;
using Embeddings.Testing;

namespace Embeddings.Samples.Tests;

/// <summary>
/// The samples on a fresh clone: nothing beside the checkout (EMBEDDINGS_SHARED points at an empty folder). Those on
/// the packaged models run to the end; those that need the shared fixtures or a server say so in one line, exit code 3.
/// </summary>
public sealed class FreshCloneTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);
    private readonly string _empty = Directory.CreateTempSubdirectory("samples-fresh-clone-").FullName;

    private Dictionary<string, string> FreshClone => new() { ["EMBEDDINGS_SHARED"] = _empty, ["EMBEDDINGS_STATIC_MODEL"] = string.Empty };

    public void Dispose() => Directory.Delete(_empty, recursive: true);

    [Fact]
    public async Task Quickstart_runs_on_the_packaged_model_and_prints_markdown_when_redirected()
    {
        SampleRun run = await SampleProcess.RunAsync("Quickstart", Timeout, FreshClone, "--query", "a sleepy kitten", "--top", "2");

        run.AssertSucceeded();
        Assert.Contains("sentence-transformers/all-MiniLM-L6-v2", run.Output, StringComparison.Ordinal);
        // Redirected stdout gets markdown tables; the first hit for the custom query is one of the two cat sentences.
        string hit = Assert.Single(run.Output.Split('\n'), l => l.StartsWith("| a sleepy kitten |", StringComparison.Ordinal));
        Assert.True(hit.Contains("windowsill", StringComparison.Ordinal) || hit.Contains("kitten naps", StringComparison.Ordinal), hit);
        Assert.Contains("| model | dims | sentences/s here (one at a time) |", run.Output, StringComparison.Ordinal);
        Assert.Contains("|---|---:|", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OnnxSimilarity_shows_the_catalog_and_finds_the_right_documents()
    {
        SampleRun run = await SampleProcess.RunAsync("OnnxSimilarity", Timeout, FreshClone, "--top", "2");

        run.AssertSucceeded();
        string[] lines = run.Output.Split('\n');
        // The catalog table names both packaged models with their pooling and prompts.
        Assert.Contains(lines, l => l.StartsWith("| sentence-transformers/all-MiniLM-L6-v2 | Embeddings.Models.AllMiniLML6V2 | 384 | Mean |", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("| Snowflake/snowflake-arctic-embed-xs | Embeddings.Models.ArcticEmbedXs | 384 | Cls |", StringComparison.Ordinal) && l.Contains("Represent this sentence", StringComparison.Ordinal));
        string plants = Assert.Single(lines, l => l.StartsWith("| how do plants make food | 1 |", StringComparison.Ordinal));
        Assert.True(plants.Contains("Photosynthesis", StringComparison.Ordinal) || plants.Contains("Chlorophyll", StringComparison.Ordinal), plants);
        // MiniLM has no query prompt, so embedding with and without it gives the same vector.
        Assert.Contains(lines, l => l.StartsWith("| how do plants make food | 1.000 |", StringComparison.Ordinal));
    }

    [Fact]
    public async Task OnnxSimilarity_with_arctic_shows_what_its_query_prompt_changes()
    {
        SampleRun run = await SampleProcess.RunAsync("OnnxSimilarity", Timeout, FreshClone, "--model", "snowflake-arctic-embed-xs", "--query", "why did share prices drop");

        run.AssertSucceeded();
        string row = Assert.Single(run.Output.Split('\n'), l => l.StartsWith("| why did share prices drop | 0.", StringComparison.Ordinal));
        Assert.DoesNotContain("| 1.000 |", row, StringComparison.Ordinal);
        Assert.Contains("The query prompt \"Represent this sentence", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HttpEmbeddings_starts_a_loopback_stub_says_so_and_searches_through_it()
    {
        SampleRun run = await SampleProcess.RunAsync("HttpEmbeddings", Timeout, FreshClone);

        run.AssertSucceeded();
        Assert.Contains("started a loopback stub server at http://127.0.0.1:", run.Error, StringComparison.Ordinal);
        string pet = Assert.Single(run.Output.Split('\n'), l => l.StartsWith("| my pet is asleep | 1 |", StringComparison.Ordinal));
        Assert.True(pet.Contains("cat", StringComparison.OrdinalIgnoreCase) || pet.Contains("kitten", StringComparison.OrdinalIgnoreCase), pet);
        Assert.Matches(@"The stub answered [1-9]\d* HTTP requests \(OpenAI /v1/embeddings, base64 vectors\)", run.Output);
    }

    [Fact]
    public async Task HttpEmbeddings_speaks_TEI_native_to_the_stub()
    {
        SampleRun run = await SampleProcess.RunAsync("HttpEmbeddings", Timeout, FreshClone, "--api", "tei", "--query", "baking a cake");

        run.AssertSucceeded();
        string cake = Assert.Single(run.Output.Split('\n'), l => l.StartsWith("| baking a cake | 1 |", StringComparison.Ordinal));
        Assert.True(cake.Contains("Bake", StringComparison.Ordinal) || cake.Contains("recipe", StringComparison.Ordinal), cake);
        Assert.Contains("(TEI /embed)", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HttpEmbeddings_says_how_to_start_a_server_when_none_answers()
    {
        SampleRun run = await SampleProcess.RunAsync("HttpEmbeddings", Timeout, FreshClone, "--endpoint", $"http://127.0.0.1:{ClosedPort()}/v1");

        string line = run.AssertOneLineError(3);
        Assert.Contains("no embedding server answered", line, StringComparison.Ordinal);
        Assert.Contains("docker run", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HostedEmbeddings_reports_health_and_exports_our_meters_and_activities()
    {
        SampleRun run = await SampleProcess.RunAsync("HostedEmbeddings", Timeout, FreshClone);

        run.AssertSucceeded();
        Assert.Contains("Health: Healthy", run.Output, StringComparison.Ordinal);
        Assert.Contains("| embeddings | Healthy |", run.Output, StringComparison.Ordinal);
        // The console exporter prints each instrument that recorded something, and each activity.
        Assert.Contains("embeddings.onnx.truncated_inputs", run.Output, StringComparison.Ordinal);
        Assert.Contains("embeddings.cache.hits", run.Output, StringComparison.Ordinal);
        Assert.Contains("gen_ai.client.operation.duration", run.Output, StringComparison.Ordinal);
        Assert.Contains("Experimental.Microsoft.Extensions.AI", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PgVectorSearch_in_process_needs_no_server()
    {
        SampleRun run = await SampleProcess.RunAsync("PgVectorSearch", Timeout, FreshClone, "--backend", "InProcess");

        run.AssertSucceeded();
        Assert.Contains("index: HnswIndex", run.Output, StringComparison.Ordinal);
        Assert.Contains("| winning | topic = sport |", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PgVectorSearch_says_how_to_start_a_server_when_none_answers()
    {
        SampleRun run = await SampleProcess.RunAsync("PgVectorSearch", Timeout, FreshClone, "--backend", "PgVector", "--connection-string", $"Host=127.0.0.1;Port={ClosedPort()};Username=postgres;Password=secret-password;Database=postgres;Timeout=5");

        string line = run.AssertOneLineError(3);
        Assert.Contains("docker run", line, StringComparison.Ordinal);
        Assert.Contains("--backend InProcess", line, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-password", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VectorStoreRag_creates_then_reopens_its_collection()
    {
        string folder = Path.Combine(_empty, "rag");

        SampleRun first = await SampleProcess.RunAsync("VectorStoreRag", Timeout, FreshClone, folder);
        SampleRun second = await SampleProcess.RunAsync("VectorStoreRag", Timeout, FreshClone, folder);

        first.AssertSucceeded();
        second.AssertSucceeded();
        Assert.Contains("Created collection 'facts'", first.Output, StringComparison.Ordinal);
        Assert.Contains("Reopened collection 'facts'", second.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("SemanticSearch", "data/scifact")]
    [InlineData("QuantizationExplorer", "data/scifact")]
    [InlineData("RetrievalEval", "data/scifact")]
    public async Task Samples_on_the_shared_fixtures_say_in_one_line_what_they_need(string sample, string fixture)
    {
        SampleRun run = await SampleProcess.RunAsync(sample, Timeout, FreshClone);

        string line = run.AssertOneLineError(3);
        Assert.Contains(fixture, line, StringComparison.Ordinal);
        Assert.Contains("EMBEDDINGS_SHARED", line, StringComparison.Ordinal);
    }

    [SharedFact("data/scifact")]
    public async Task SemanticSearch_answers_a_query_on_scifact()
    {
        SampleRun run = await SampleProcess.RunAsync("SemanticSearch", Timeout, new Dictionary<string, string> { ["EMBEDDINGS_SHARED"] = SharedData.Root }, "--top", "3", "vitamin d and bone fractures");

        run.AssertSucceeded();
        string[] rows = run.Output.Split('\n').Where(l => l.StartsWith("| 1 |", StringComparison.Ordinal) || l.StartsWith("| 2 |", StringComparison.Ordinal) || l.StartsWith("| 3 |", StringComparison.Ordinal)).ToArray();
        Assert.Equal(3, rows.Length);
        Assert.Contains(rows, r => r.Contains("vitamin d", StringComparison.OrdinalIgnoreCase) || r.Contains("fracture", StringComparison.OrdinalIgnoreCase));
    }

    private static int ClosedPort()
    {
        // A port that was free a moment ago: nothing listens there, so a connection is refused at once.
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
