using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Runtime;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Embeddings.Http;
using Embeddings.Pipeline;
using Microsoft.Extensions.AI;

namespace Embeddings.Benchmarks.Http;

/// <summary>
/// The load test of issue 6: N requests from C concurrent callers against a loopback server, on the cache-miss path
/// (every text unique), through three legs interleaved over several rounds:
/// <list type="bullet">
/// <item><b>bare bytes</b> (the floor): <see cref="HttpClient.PostAsync(Uri, HttpContent)"/> of a pre-built body and
/// <c>ReadAsByteArrayAsync</c>; it never builds JSON nor decodes a vector.</item>
/// <item><b>bare JSON</b> (the baseline of the criterion): what a user writes to get an embedding with a bare
/// <see cref="HttpClient"/>: serialize the request with System.Text.Json (source-generated), <c>PostAsync</c>,
/// <c>ReadFromJsonAsync</c> and decode the vector into a <c>float[]</c>.</item>
/// <item><b>pipeline</b>: retry → single-flight memory cache → <see cref="HttpEmbedder"/>.</item>
/// </list>
/// Prints per-round percentiles, throughput, process CPU per request and GC activity, then medians over the measured
/// rounds. Run: <c>dotnet run -c Release --project benchmarks/Embeddings.Benchmarks -- http-load</c>.
/// </summary>
internal static class HttpLoadHarness
{
    public static async Task<bool> TryRunAsync(string[] args)
    {
        if (args.Length == 0 || args[0] != "http-load")
        {
            return false;
        }

        int requests = Option(args, "--requests", 10_000);
        int concurrency = Option(args, "--concurrency", 32);
        int rounds = Option(args, "--rounds", 5);
        int warmupRounds = Option(args, "--warmup-rounds", 5);
        int dimensions = Option(args, "--dimensions", 384);
        bool base64 = !args.Contains("--float");

        await using var server = new LoopbackEmbeddingServer(dimensions);
        using var bareBytesClient = new HttpClient();
        using var bareJsonClient = new HttpClient();
        using var pipelineClient = new HttpClient();
        using var provider = new HttpEmbedder(pipelineClient, new HttpEmbedderOptions
        {
            Endpoint = server.Address, Model = "bench", Dimensions = dimensions, RequireApiKey = false,
            Encoding = base64 ? HttpEmbeddingEncoding.Base64 : HttpEmbeddingEncoding.Float,
        });
        using var cached = new SingleFlightCachingEmbeddingGenerator(provider, new MemoryEmbeddingCache(new MemoryEmbeddingCacheOptions { MaxEntries = 20_000 }));
        string stack = args.SkipWhile(a => a != "--stack").Skip(1).FirstOrDefault() ?? "full";
        using IEmbeddingGenerator<string, Embedding<float>> pipeline = stack switch
        {
            "provider" => provider,
            "cache" => cached,
            "retry" => new RetryingEmbeddingGenerator(provider),
            _ => new RetryingEmbeddingGenerator(cached),
        };
        Uri target = new(server.Address + "/embeddings");

        Leg[] legs =
        [
            new("bare bytes", (i, r) => BareBytesAsync(bareBytesClient, target, $"round {r} bare bytes {i}", base64)),
            new("bare JSON", (i, r) => BareJsonAsync(bareJsonClient, target, $"round {r} bare json {i}", base64, dimensions)),
            new("pipeline", (i, r) => PipelineAsync(pipeline, $"round {r} pipeline {i}", dimensions)),
        ];

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"http-load: {requests} requests x {concurrency} callers per leg, {warmupRounds} warm-up + {rounds} measured rounds, {dimensions} dims, {(base64 ? "base64" : "float")} encoding, stack {stack}, server {server.Address}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"runtime: {RuntimeInformation.FrameworkDescription}, {Environment.ProcessorCount} cores, {(GCSettings.IsServerGC ? "server" : "workstation")} GC, latency mode {GCSettings.LatencyMode}, {Setting("DOTNET_gcConcurrent", "concurrent GC default")}, {Setting("DOTNET_TieredCompilation", "tiered JIT default")}, {Setting("DOTNET_TieredPGO", "tiered PGO default")}, {Setting("DOTNET_GCgen0size", "gen0 budget default")}"));
        Console.WriteLine("| round | leg | p50 ms | p90 ms | p99 ms | max ms | req/s | CPU µs/req | alloc KB/req | GCs 0/1/2 | GC pause ms | errors |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|---|");

        var measured = new Dictionary<string, List<Result>>();
        int errors = 0;
        for (int round = 0; round < warmupRounds + rounds; round++)
        {
            bool warmup = round < warmupRounds;
            string label = warmup ? $"w{round + 1}" : (round - warmupRounds + 1).ToString(CultureInfo.InvariantCulture);
            for (int l = 0; l < legs.Length; l++)
            {
                // Rotate the order every round, so no leg always runs first or after the same neighbour.
                Leg leg = legs[(l + round) % legs.Length];
                int r = round;
                Result result = await RunAsync(leg.Name, requests, concurrency, i => leg.Call(i, r));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {label} | {result.Name} | {result.P50:F3} | {result.P90:F3} | {result.P99:F3} | {result.Max:F3} | {result.Throughput:F0} | {result.CpuMicrosPerRequest:F1} | {result.AllocatedKBPerRequest:F1} | {result.Gen0}/{result.Gen1}/{result.Gen2} | {result.GcPauseMs:F1} | {result.Errors} |"));
                errors += result.Errors;
                if (!warmup)
                {
                    if (!measured.TryGetValue(leg.Name, out List<Result>? list))
                    {
                        measured[leg.Name] = list = [];
                    }

                    list.Add(result);
                }
            }
        }

        Console.WriteLine();
        Console.WriteLine($"Medians over the {rounds} measured rounds:");
        Console.WriteLine();
        Console.WriteLine("| leg | p50 ms | p90 ms | p99 ms | req/s | CPU µs/req | alloc KB/req | GC pause ms |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|");
        foreach (Leg leg in legs)
        {
            List<Result> list = measured[leg.Name];
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {leg.Name} | {Median(list, x => x.P50):F3} | {Median(list, x => x.P90):F3} | {Median(list, x => x.P99):F3} | {Median(list, x => x.Throughput):F0} | {Median(list, x => x.CpuMicrosPerRequest):F1} | {Median(list, x => x.AllocatedKBPerRequest):F1} | {Median(list, x => x.GcPauseMs):F1} |"));
        }

        double bareBytes = Median(measured["bare bytes"], x => x.P99);
        double bareJson = Median(measured["bare JSON"], x => x.P99);
        double pipelineP99 = Median(measured["pipeline"], x => x.P99);
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"median p99: bare bytes {bareBytes:F3} ms, bare JSON {bareJson:F3} ms, pipeline {pipelineP99:F3} ms; pipeline adds {pipelineP99 - bareJson:F3} ms over bare JSON, {pipelineP99 - bareBytes:F3} ms over bare bytes; errors {errors} (warm-up included)"));
        Console.WriteLine(pipelineP99 - bareJson <= 1.0 && errors == 0
            ? "criterion (no errors, <= 1 ms added at p99 over the bare JSON call): met"
            : "criterion (no errors, <= 1 ms added at p99 over the bare JSON call): NOT met");
        return true;
    }

    internal static async Task BareBytesAsync(HttpClient client, Uri target, string text, bool base64)
    {
        string encoding = base64 ? ",\"encoding_format\":\"base64\"" : string.Empty;
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes($"{{\"input\":[\"{text}\"],\"model\":\"bench\"{encoding}}}"));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using HttpResponseMessage response = await client.PostAsync(target, content);
        byte[] body = await response.Content.ReadAsByteArrayAsync();
        if (!response.IsSuccessStatusCode || body.Length == 0)
        {
            throw new InvalidOperationException($"bare call failed: {(int)response.StatusCode}");
        }
    }

    internal static async Task BareJsonAsync(HttpClient client, Uri target, string text, bool base64, int dimensions)
    {
        byte[] body = JsonSerializer.SerializeToUtf8Bytes(new BareRequest([text], "bench", base64 ? "base64" : null), BareJsonContext.Default.BareRequest);
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using HttpResponseMessage response = await client.PostAsync(target, content);
        response.EnsureSuccessStatusCode();
        float[] vector;
        if (base64)
        {
            BareBase64Response? parsed = await response.Content.ReadFromJsonAsync(BareJsonContext.Default.BareBase64Response);
            vector = MemoryMarshal.Cast<byte, float>(Convert.FromBase64String(parsed!.Data[0].Embedding)).ToArray();
        }
        else
        {
            BareFloatResponse? parsed = await response.Content.ReadFromJsonAsync(BareJsonContext.Default.BareFloatResponse);
            vector = parsed!.Data[0].Embedding;
        }

        if (vector.Length != dimensions)
        {
            throw new InvalidOperationException($"bare call returned {vector.Length} dimensions");
        }
    }

    private static async Task PipelineAsync(IEmbeddingGenerator<string, Embedding<float>> pipeline, string text, int dimensions)
    {
        GeneratedEmbeddings<Embedding<float>> result = await pipeline.GenerateAsync([text]);
        if (result.Count != 1 || result[0].Vector.Length != dimensions)
        {
            throw new InvalidOperationException("pipeline returned the wrong count or length");
        }
    }

    private static async Task<Result> RunAsync(string name, int requests, int concurrency, Func<int, Task> call)
    {
        // Start every leg from a collected heap, so no leg pays for the garbage of the one before it.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        await Task.Delay(100);

        var latencies = new double[requests];
        int next = -1;
        int errors = 0;
        int gen0 = GC.CollectionCount(0), gen1 = GC.CollectionCount(1), gen2 = GC.CollectionCount(2);
        TimeSpan pause = GC.GetTotalPauseDuration();
        long allocated = GC.GetTotalAllocatedBytes();
        TimeSpan cpu = Environment.CpuUsage.TotalTime;
        long started = Stopwatch.GetTimestamp();
        Task[] workers = Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < requests)
            {
                long t0 = Stopwatch.GetTimestamp();
                try
                {
                    await call(i);
                }
                catch (Exception ex)
                {
                    if (Interlocked.Increment(ref errors) <= 3)
                    {
                        Console.Error.WriteLine($"{name} request {i}: {ex.GetType().Name}: {ex.Message}");
                    }
                }

                latencies[i] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            }
        })).ToArray();
        await Task.WhenAll(workers);
        double seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        double cpuMicros = (Environment.CpuUsage.TotalTime - cpu).TotalMicroseconds / requests;
        double allocatedKB = (GC.GetTotalAllocatedBytes() - allocated) / 1024.0 / requests;
        Array.Sort(latencies);
        return new Result(
            name, Percentile(latencies, 0.50), Percentile(latencies, 0.90), Percentile(latencies, 0.99), latencies[^1], requests / seconds,
            cpuMicros, allocatedKB, GC.CollectionCount(0) - gen0, GC.CollectionCount(1) - gen1, GC.CollectionCount(2) - gen2,
            (GC.GetTotalPauseDuration() - pause).TotalMilliseconds, errors);
    }

    private static double Percentile(double[] sorted, double q) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];

    private static double Median(List<Result> results, Func<Result, double> value)
    {
        double[] sorted = [.. results.Select(value).Order()];
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static string Setting(string variable, string fallback) =>
        Environment.GetEnvironmentVariable(variable) is string value ? $"{variable}={value}" : fallback;

    private static int Option(string[] args, string name, int fallback)
    {
        int at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
    }

    private sealed record Leg(string Name, Func<int, int, Task> Call);

    private sealed record Result(
        string Name, double P50, double P90, double P99, double Max, double Throughput, double CpuMicrosPerRequest, double AllocatedKBPerRequest,
        int Gen0, int Gen1, int Gen2, double GcPauseMs, int Errors);
}

/// <summary>The request a bare-HttpClient user would declare.</summary>
internal sealed record BareRequest(
    [property: JsonPropertyName("input")] string[] Input,
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("encoding_format")] string? EncodingFormat);

/// <summary>The response with base64 vectors.</summary>
internal sealed record BareBase64Response([property: JsonPropertyName("data")] BareBase64Item[] Data);

/// <summary>One base64 vector.</summary>
internal sealed record BareBase64Item([property: JsonPropertyName("index")] int Index, [property: JsonPropertyName("embedding")] string Embedding);

/// <summary>The response with float vectors.</summary>
internal sealed record BareFloatResponse([property: JsonPropertyName("data")] BareFloatItem[] Data);

/// <summary>One float vector.</summary>
internal sealed record BareFloatItem([property: JsonPropertyName("index")] int Index, [property: JsonPropertyName("embedding")] float[] Embedding);

/// <summary>Source-generated (the faster of System.Text.Json's two modes, so the baseline is not handicapped).</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(BareRequest))]
[JsonSerializable(typeof(BareBase64Response))]
[JsonSerializable(typeof(BareFloatResponse))]
internal sealed partial class BareJsonContext : JsonSerializerContext
{
}
