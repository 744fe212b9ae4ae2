// HttpEmbeddings: embeddings from a server over HTTP: Hugging Face Text Embeddings Inference (TEI), or any
// OpenAI-compatible endpoint (OpenAI, Ollama, vLLM, LiteLLM). With no --endpoint the sample starts a loopback stub
// server itself (127.0.0.1, the static default model behind it) and says so, so it runs on a fresh clone.
//
//   dotnet run --project samples/HttpEmbeddings
//   dotnet run --project samples/HttpEmbeddings -- --endpoint http://localhost:8080 --api tei --dimensions 384
//   dotnet run --project samples/HttpEmbeddings -- --endpoint http://localhost:11434/v1 --model nomic-embed-text --dimensions 768
using System.CommandLine;
using System.Globalization;
using Embeddings;
using Embeddings.Http;
using Embeddings.Samples;
using HttpEmbeddings;
using Microsoft.Extensions.DependencyInjection;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var endpointOption = new Option<Uri?>("--endpoint", "-e")
{
    Description = "The server: for --api openai the base address with its version segment (http://localhost:8080/v1), for --api tei the root (http://localhost:8080). Default: a loopback stub this sample starts.",
    CustomParser = result =>
    {
        string text = result.Tokens.Single().Value;
        if (Uri.TryCreate(text, UriKind.Absolute, out Uri? uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
        {
            return uri;
        }

        result.AddError($"--endpoint '{text}' is not an absolute http:// or https:// address.");
        return null;
    },
};
var apiOption = new Option<string>("--api")
{
    Description = "openai (POST {endpoint}/embeddings, what TEI's /v1 route, Ollama and vLLM also serve) or tei (TEI's native POST {endpoint}/embed).",
    DefaultValueFactory = _ => "openai",
};
apiOption.AcceptOnlyFromAmong("openai", "tei");
var modelOption = new Option<string?>("--model", "-m") { Description = "The model name sent in requests. Default: the stub's model, else sentence-transformers/all-MiniLM-L6-v2." };
var dimensionsOption = new Option<int?>("--dimensions")
{
    Description = "The served model's vector length. Default: the stub's, else 384 (all-MiniLM-L6-v2).",
};
dimensionsOption.Validators.Add(r =>
{
    if (r.GetValueOrDefault<int?>() is int d && d < 1)
    {
        r.AddError($"--dimensions must be positive, not {d}.");
    }
});
var queryOption = new Option<string[]>("--query", "-q") { Description = "A query; repeat for several. Default: three example queries." };
var root = new RootCommand("Embed and search a few documents through an HTTP embedding server (TEI or OpenAI-compatible); starts a loopback stub server when no --endpoint is given.")
{
    endpointOption,
    apiOption,
    modelOption,
    dimensionsOption,
    queryOption,
};
if (!SampleApp.TryParse(root, args, out ParseResult? parsed, out int exitCode))
{
    return exitCode;
}

bool native = parsed.GetValue(apiOption) == "tei";
Uri? endpoint = parsed.GetValue(endpointOption);
await using LoopbackEmbeddingServer? stub = endpoint is null ? LoopbackEmbeddingServer.Start() : null;
if (stub is not null)
{
    endpoint = native ? stub.Root : new Uri(stub.Root, "v1");
    Console.Error.WriteLine($"No --endpoint given: started a loopback stub server at {endpoint} (the static default {stub.ModelId} behind a TEI/OpenAI-compatible API). Pass --endpoint to use a real server.");
}

string model = parsed.GetValue(modelOption) ?? stub?.ModelId ?? "sentence-transformers/all-MiniLM-L6-v2";
int dimensions = parsed.GetValue(dimensionsOption) ?? stub?.Dimensions ?? 384;

// The registration an application writes: the HttpClient comes from IHttpClientFactory, the rest from the options.
var services = new ServiceCollection();
services.AddEmbeddings(e =>
{
    if (native)
    {
        e.UseTextEmbeddingsInference(endpoint!, dimensions, o => o.Model = model);
    }
    else
    {
        e.UseOpenAICompatible(endpoint!, model, dimensions, o => o.Encoding = HttpEmbeddingEncoding.Base64);
    }
});
await using ServiceProvider provider = services.BuildServiceProvider();
IEmbedder embedder = provider.GetRequiredService<IEmbedder>();

string[] documents =
[
    "The cat sleeps on the warm windowsill.",
    "A kitten naps in the afternoon sun.",
    "Stock markets fell sharply after the interest rate decision.",
    "Investors sold shares as the central bank raised rates.",
    "The recipe needs flour, butter, sugar and two eggs.",
    "Bake the cake for forty minutes at 180 degrees.",
    "The striker scored twice in the second half.",
    "The team won the championship final on penalties.",
];
string[] queries = parsed.GetValue(queryOption) is { Length: > 0 } given ? given : ["my pet is asleep", "finance news", "football result"];

using var index = new FlatIndex(embedder.Dimensions, DistanceMetric.Cosine, fingerprint: embedder.Fingerprint);
try
{
    await SampleOutput.ProgressAsync($"Embedding {documents.Length} documents over HTTP", documents.Length, async bar =>
    {
        const int Batch = 4;
        for (int start = 0; start < documents.Length; start += Batch)
        {
            string[] slice = documents[start..Math.Min(start + Batch, documents.Length)];
            var vectors = await embedder.EmbedDocumentsAsync(slice);
            for (int i = 0; i < slice.Length; i++)
            {
                index.Add($"d{start + i}", vectors[i].Vector.Span, source: embedder.Fingerprint);
            }

            bar.Advance(slice.Length);
        }

        return 0;
    });
}
catch (HttpRequestException e) when (e is not EmbeddingHttpException { StatusCode: not null })
{
    // Nothing answered (connection refused, DNS, timeout): say how to start a server rather than fail with a trace.
    return SampleApp.Missing(
        $"no embedding server answered at {endpoint} ({e.Message}). Start TEI with 'docker run -p 8080:80 ghcr.io/huggingface/text-embeddings-inference:cpu-1.5 --model-id sentence-transformers/all-MiniLM-L6-v2' " +
        "and pass --endpoint http://localhost:8080/v1, or run without --endpoint to use the loopback stub.");
}

var rows = new List<IReadOnlyList<string>>();
foreach (string query in queries)
{
    IReadOnlyList<VectorSearchResult> hits = index.Search((await embedder.EmbedQueryAsync(query)).Span, 2);
    rows.AddRange(hits.Select((hit, rank) => (IReadOnlyList<string>)[rank == 0 ? query : string.Empty, $"{rank + 1}", $"{hit.Score:F3}", documents[int.Parse(hit.Key[1..], CultureInfo.InvariantCulture)]]));
}

SampleOutput.Table(["query", "rank:", "cosine:", "document"], rows, $"Search with {embedder.Fingerprint.ModelId} ({embedder.Dimensions} dimensions) served at {endpoint}");
if (stub is not null)
{
    Console.WriteLine($"The stub answered {stub.Requests} HTTP requests ({(native ? "TEI /embed" : "OpenAI /v1/embeddings, base64 vectors")}).");
}

return 0;
