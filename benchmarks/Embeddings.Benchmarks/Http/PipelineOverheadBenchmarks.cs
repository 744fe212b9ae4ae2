using BenchmarkDotNet.Attributes;
using Embeddings.Pipeline;
using Microsoft.Extensions.AI;

namespace Embeddings.Benchmarks.Http;

/// <summary>
/// CPU cost the pipeline layers add per single-input call, over an in-process provider that returns a fresh 384-d
/// vector (no network, so the figure is stable on a loaded machine). Run:
/// <c>dotnet run -c Release --project benchmarks/Embeddings.Benchmarks -- --filter '*PipelineOverhead*' --job short</c>.
/// </summary>
[MemoryDiagnoser]
public class PipelineOverheadBenchmarks
{
    private InProcessEmbedder _provider = null!;
    private RetryingEmbeddingGenerator _retry = null!;
    private RetryingEmbeddingGenerator _full = null!;
    private string[] _texts = null!;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        _provider = new InProcessEmbedder();
        _retry = new RetryingEmbeddingGenerator(_provider);
        _full = new RetryingEmbeddingGenerator(new SingleFlightCachingEmbeddingGenerator(
            _provider, new MemoryEmbeddingCache(new MemoryEmbeddingCacheOptions { MaxEntries = 10_000 })));
        _texts = Enumerable.Range(0, 1 << 20).Select(i => $"unique passage number {i}").ToArray();
        _full.GenerateAsync(["hit"]).GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _full.Dispose();
        _retry.Dispose();
        _provider.Dispose();
    }

    private string NextText() => _texts[_next++ & ((1 << 20) - 1)];

    [Benchmark(Baseline = true, Description = "provider only")]
    public Task<GeneratedEmbeddings<Embedding<float>>> Provider() => _provider.GenerateAsync([NextText()]);

    [Benchmark(Description = "retry + timeout")]
    public Task<GeneratedEmbeddings<Embedding<float>>> Retry() => _retry.GenerateAsync([NextText()]);

    [Benchmark(Description = "retry + memory cache, miss")]
    public Task<GeneratedEmbeddings<Embedding<float>>> FullMiss() => _full.GenerateAsync([NextText()]);

    [Benchmark(Description = "retry + memory cache, hit")]
    public Task<GeneratedEmbeddings<Embedding<float>>> FullHit() => _full.GenerateAsync(["hit"]);

    private sealed class InProcessEmbedder() : EmbedderBase(new EmbedderDescriptor { ModelId = "in-process", Dimensions = 384, Normalized = true })
    {
        protected override Task<GeneratedEmbeddings<Embedding<float>>> GenerateCoreAsync(
            IReadOnlyList<string> inputs, EmbeddingGenerationOptions? options, CancellationToken cancellationToken)
        {
            var result = new GeneratedEmbeddings<Embedding<float>>(inputs.Count);
            foreach (string _ in inputs)
            {
                result.Add(new Embedding<float>(new float[384]));
            }

            return Task.FromResult(result);
        }
    }
}
