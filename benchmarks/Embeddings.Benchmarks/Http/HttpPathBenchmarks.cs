using BenchmarkDotNet.Attributes;
using Embeddings.Http;
using Embeddings.Pipeline;
using Microsoft.Extensions.AI;

namespace Embeddings.Benchmarks.Http;

/// <summary>
/// One sequential caller against <see cref="LoopbackEmbeddingServer"/> (384-d, base64): the time and allocations of
/// each leg of the load test per call, server included. Every text is unique, so the pipeline legs are cache misses. Run:
/// <c>dotnet run -c Release --project benchmarks/Embeddings.Benchmarks -- --filter '*HttpPath*' --job short --inProcess</c>.
/// </summary>
[MemoryDiagnoser]
public class HttpPathBenchmarks
{
    private const int Dimensions = 384;
    private LoopbackEmbeddingServer _server = null!;
    private HttpClient _client = null!;
    private HttpEmbedder _provider = null!;
    private RetryingEmbeddingGenerator _full = null!;
    private Uri _target = null!;
    private string[] _texts = null!;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        _server = new LoopbackEmbeddingServer(Dimensions);
        _client = new HttpClient();
        _provider = new HttpEmbedder(_client, new HttpEmbedderOptions
        {
            Endpoint = _server.Address, Model = "bench", Dimensions = Dimensions, RequireApiKey = false, Encoding = HttpEmbeddingEncoding.Base64,
        });
        _full = new RetryingEmbeddingGenerator(new SingleFlightCachingEmbeddingGenerator(
            _provider, new MemoryEmbeddingCache(new MemoryEmbeddingCacheOptions { MaxEntries = 20_000 })));
        _target = new Uri(_server.Address + "/embeddings");
        _texts = Enumerable.Range(0, 1 << 20).Select(i => $"unique passage number {i}").ToArray();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _full.Dispose();
        _provider.Dispose();
        _client.Dispose();
        _server.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    private string NextText() => _texts[_next++ & ((1 << 20) - 1)];

    [Benchmark(Baseline = true, Description = "bare bytes")]
    public Task BareBytes() => HttpLoadHarness.BareBytesAsync(_client, _target, NextText(), base64: true);

    [Benchmark(Description = "bare JSON")]
    public Task BareJson() => HttpLoadHarness.BareJsonAsync(_client, _target, NextText(), base64: true, Dimensions);

    [Benchmark(Description = "HttpEmbedder")]
    public Task<GeneratedEmbeddings<Embedding<float>>> Provider() => _provider.GenerateAsync([NextText()]);

    [Benchmark(Description = "retry + memory cache miss + HttpEmbedder")]
    public Task<GeneratedEmbeddings<Embedding<float>>> Full() => _full.GenerateAsync([NextText()]);
}
