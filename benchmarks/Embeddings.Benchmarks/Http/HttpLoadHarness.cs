using System.Diagnostics;
using System.Globalization;
using System.Text;
using Embeddings.Http;
using Embeddings.Pipeline;
using Microsoft.Extensions.AI;

namespace Embeddings.Benchmarks.Http;

/// <summary>
/// The load test of issue 6: N requests from C concurrent callers against a loopback server, through a bare
/// <see cref="HttpClient"/> and through the full pipeline (retry → single-flight memory cache → <see cref="HttpEmbedder"/>)
/// on the cache-miss path (every text unique), interleaved over several rounds. Prints per-round percentiles and the
/// median p99 difference. Run: <c>dotnet run -c Release --project benchmarks/Embeddings.Benchmarks -- http-load</c>.
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
        int dimensions = Option(args, "--dimensions", 384);
        bool base64 = !args.Contains("--float");

        await using var server = new LoopbackEmbeddingServer(dimensions);
        using var bareClient = new HttpClient();
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

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"http-load: {requests} requests x {concurrency} callers, {rounds} rounds, {dimensions} dims, {(base64 ? "base64" : "float")} encoding, stack {stack}, server {server.Address}, {Environment.ProcessorCount} cores"));

        // Warm up both paths (JIT, connection pools) before measuring.
        await RunAsync("warmup", 2_000, concurrency, i => BareAsync(bareClient, target, $"warm bare {i}", base64));
        await RunAsync("warmup", 2_000, concurrency, i => PipelineAsync(pipeline, $"warm pipe {i}"));

        var bareP99 = new List<double>();
        var pipelineP99 = new List<double>();
        var bareP50 = new List<double>();
        var pipelineP50 = new List<double>();
        int errors = 0;
        Console.WriteLine("| round | path | p50 ms | p90 ms | p99 ms | max ms | req/s | errors |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|");
        for (int round = 0; round < rounds; round++)
        {
            int r = round;
            bool bareFirst = round % 2 == 0;
            for (int leg = 0; leg < 2; leg++)
            {
                bool bare = leg == 0 == bareFirst;
                Result result = bare
                    ? await RunAsync("bare HttpClient", requests, concurrency, i => BareAsync(bareClient, target, $"round {r} bare {i}", base64))
                    : await RunAsync("pipeline", requests, concurrency, i => PipelineAsync(pipeline, $"round {r} pipeline {i}"));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {round + 1} | {result.Name} | {result.P50:F3} | {result.P90:F3} | {result.P99:F3} | {result.Max:F3} | {result.Throughput:F0} | {result.Errors} |"));
                (bare ? bareP99 : pipelineP99).Add(result.P99);
                (bare ? bareP50 : pipelineP50).Add(result.P50);
                errors += result.Errors;
            }
        }

        double bareMedian = Median(bareP99);
        double pipelineMedian = Median(pipelineP99);
        double added = pipelineMedian - bareMedian;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"median p50: bare {Median(bareP50):F3} ms, pipeline {Median(pipelineP50):F3} ms; median p99: bare {bareMedian:F3} ms, pipeline {pipelineMedian:F3} ms; pipeline adds {added:F3} ms at p99; errors {errors}"));
        Console.WriteLine(added <= 1.0 && errors == 0 ? "criterion (no errors, <= 1 ms added at p99): met" : "criterion (no errors, <= 1 ms added at p99): NOT met");
        return true;
    }

    private static async Task BareAsync(HttpClient client, Uri target, string text, bool base64)
    {
        string encoding = base64 ? ",\"encoding_format\":\"base64\"" : string.Empty;
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes($"{{\"input\":[\"{text}\"],\"model\":\"bench\"{encoding}}}"));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        using HttpResponseMessage response = await client.PostAsync(target, content);
        byte[] body = await response.Content.ReadAsByteArrayAsync();
        if (!response.IsSuccessStatusCode || body.Length == 0)
        {
            throw new InvalidOperationException($"bare call failed: {(int)response.StatusCode}");
        }
    }

    private static async Task PipelineAsync(IEmbeddingGenerator<string, Embedding<float>> pipeline, string text)
    {
        GeneratedEmbeddings<Embedding<float>> result = await pipeline.GenerateAsync([text]);
        if (result.Count != 1)
        {
            throw new InvalidOperationException("pipeline returned the wrong count");
        }
    }

    private static async Task<Result> RunAsync(string name, int requests, int concurrency, Func<int, Task> call)
    {
        var latencies = new double[requests];
        int next = -1;
        int errors = 0;
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
        Array.Sort(latencies);
        return new Result(name, Percentile(latencies, 0.50), Percentile(latencies, 0.90), Percentile(latencies, 0.99), latencies[^1], requests / seconds, errors);
    }

    private static double Percentile(double[] sorted, double q) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];

    private static double Median(List<double> values)
    {
        double[] sorted = [.. values.Order()];
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static int Option(string[] args, string name, int fallback)
    {
        int at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
    }

    private sealed record Result(string Name, double P50, double P90, double P99, double Max, double Throughput, int Errors);
}
