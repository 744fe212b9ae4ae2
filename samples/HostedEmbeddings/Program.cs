// HostedEmbeddings: embeddings the way a .NET application host wires them. Host.CreateApplicationBuilder reads
// appsettings.json; AddEmbeddings binds the "Embeddings" section (which packaged model, Matryoshka dimensions);
// a health check embeds a probe through the registered pipeline; OpenTelemetry exports our meters and the
// Microsoft.Extensions.AI activity source to the console. Runs on the packaged all-MiniLM-L6-v2: nothing to download.
//
//   dotnet run --project samples/HostedEmbeddings
//   dotnet run --project samples/HostedEmbeddings -- --text "a new sentence" --no-telemetry
using System.CommandLine;
using System.Globalization;
using Embeddings;
using Embeddings.Onnx;
using Embeddings.Pipeline;
using Embeddings.Samples;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var textOption = new Option<string[]>("--text", "-t") { Description = "A text to embed; repeat for several. Default: four example sentences." };
var modelOption = new Option<string?>("--model", "-m") { Description = "Overrides Embeddings:Model of appsettings.json: a packaged model (all-MiniLM-L6-v2)." };
var noTelemetryOption = new Option<bool>("--no-telemetry") { Description = "Do not print the OpenTelemetry metrics and activities (Telemetry:ConsoleExporter = false)." };
var root = new RootCommand("A Host.CreateApplicationBuilder app: AddEmbeddings bound from appsettings.json, a health check, and OpenTelemetry exporting the embedding meters and activities to the console.")
{
    textOption,
    modelOption,
    noTelemetryOption,
};
if (!SampleApp.TryParse(root, args, out ParseResult? parsed, out int exitCode))
{
    return exitCode;
}

// The command line is parsed above; the host reads appsettings.json (beside the program) and the environment.
HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], ContentRootPath = AppContext.BaseDirectory });
var overrides = new Dictionary<string, string?>();
if (parsed.GetValue(modelOption) is string modelOverride)
{
    overrides["Embeddings:Model"] = modelOverride;
}

if (parsed.GetValue(noTelemetryOption))
{
    overrides["Telemetry:ConsoleExporter"] = "false";
}

builder.Configuration.AddInMemoryCollection(overrides);
string? model = builder.Configuration["Embeddings:Model"];
if (model is null || PackagedModels.Find(model) is null)
{
    return SampleApp.Missing($"Embeddings:Model is '{model}', which is not a packaged model this sample references; use {PackagedModels.AllMiniLML6V2.ModelId}.");
}

// One registration: the provider, a memory cache (its hits and misses are metrics) and Microsoft.Extensions.AI's
// OpenTelemetry decorator (an activity per call, gen_ai.* metrics). EmbeddingsOptions come from "Embeddings",
// and UseOnnxModel() with no argument loads the model its Model setting names.
builder.Services.AddEmbeddings(builder.Configuration.GetSection(EmbeddingsOptions.SectionName), e => e
    .UseOpenTelemetry()
    .UseMemoryEmbeddingCache()
    .UseOnnxModel());
builder.Services.AddHealthChecks().AddEmbeddingsCheck(configure: o => builder.Configuration.GetSection("HealthChecks").Bind(o));

// Every meter and activity source the libraries report to (README, "Telemetry"). A host's IMeterFactory owns the
// meters, so they are disposed with the host.
string[] meters = [OnnxEmbedder.MeterName, "Embeddings.Http", EmbeddingPipelineMetrics.MeterName, TelemetryNames.MicrosoftExtensionsAI];
string[] sources = [TelemetryNames.MicrosoftExtensionsAI];
bool telemetry = builder.Configuration.GetValue("Telemetry:ConsoleExporter", true);
if (telemetry)
{
    builder.Services.AddOpenTelemetry()
        .ConfigureResource(r => r.AddService("HostedEmbeddings"))
        .WithMetrics(m => m.AddMeter(meters).AddConsoleExporter())
        .WithTracing(t => t.AddSource(sources).AddConsoleExporter());
}

using IHost host = builder.Build();
await host.StartAsync();

IEmbedder embedder = host.Services.GetRequiredService<IEmbedder>();
Console.WriteLine($"Host started: {embedder.Fingerprint.ModelId}, {embedder.Dimensions} dimensions (Embeddings:Model = {model}).");

HealthReport health = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
SampleOutput.Table(
    ["check", "status", "duration:", "description"],
    health.Entries.Select(entry => (IReadOnlyList<string>)[entry.Key, $"{entry.Value.Status}", $"{entry.Value.Duration.TotalMilliseconds:F1} ms", entry.Value.Description ?? entry.Value.Exception?.Message ?? string.Empty]),
    $"Health: {health.Status}");

string[] texts = parsed.GetValue(textOption) is { Length: > 0 } given
    ? given
    : ["The cat sleeps on the warm windowsill.", "A kitten naps in the afternoon sun.", "Stock markets fell sharply.", "Investors sold shares."];

// Twice: the second pass is served by the memory cache (embeddings.cache.hits on the Embeddings.Pipeline meter).
var vectors = await SampleOutput.ProgressAsync($"Embedding {texts.Length} texts twice", 2 * texts.Length, async bar =>
{
    ReadOnlyMemory<float>[] result = [];
    for (int pass = 0; pass < 2; pass++)
    {
        result = (await embedder.EmbedDocumentsAsync(texts)).Select(e => e.Vector).ToArray();
        bar.Advance(texts.Length);
    }

    return result;
});

// One input longer than the model's 256 tokens: truncated, and counted (embeddings.onnx.truncated_inputs).
await embedder.EmbedDocumentsAsync([string.Join(' ', Enumerable.Repeat("a very long document", 200))]);

SampleOutput.Table(
    ["", .. Enumerable.Range(0, texts.Length).Select(j => $"t{j}:"), "text"],
    Enumerable.Range(0, texts.Length).Select(i => (IReadOnlyList<string>)[$"t{i}", .. Enumerable.Range(0, texts.Length).Select(j => $"{VectorMath.Cosine(vectors[i].Span, vectors[j].Span):F2}"), texts[i]]),
    "Cosine similarity");
SampleOutput.Table(
    ["kind", "name"],
    meters.Select(m => (IReadOnlyList<string>)["meter", m]).Concat(sources.Select(s => (IReadOnlyList<string>)["activity source", s])),
    telemetry ? "Exported to the console by OpenTelemetry when the host stops (below)" : "Telemetry names (export off)");

await host.StopAsync();
return 0;

/// <summary>Names of telemetry that Microsoft.Extensions.AI's <c>UseOpenTelemetry()</c> decorator reports to.</summary>
internal static class TelemetryNames
{
    /// <summary>The default source and meter name of Microsoft.Extensions.AI's OpenTelemetry decorators.</summary>
    public const string MicrosoftExtensionsAI = "Experimental.Microsoft.Extensions.AI";
}
