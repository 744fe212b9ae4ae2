using BenchmarkDotNet.Attributes;
using Embeddings.Onnx;

namespace Embeddings.Benchmarks.Onnx;

/// <summary>
/// Tokenization and end-to-end embedding of 256 STS-B sentences with the tiny shared model:
/// <c>dotnet run -c Release --project benchmarks/Embeddings.Benchmarks -- --filter '*OnnxEmbedderBenchmarks*'</c>.
/// The throughput comparison with transformers.js is benchmarks/onnx/run.sh.
/// </summary>
[MemoryDiagnoser]
public class OnnxEmbedderBenchmarks
{
    private OnnxEmbedder _embedder = null!;
    private string[] _sentences = [];

    /// <summary>Gets or sets the batch size.</summary>
    [Params(1, 32)]
    public int BatchSize { get; set; }

    /// <summary>Loads the model and the sentences.</summary>
    [GlobalSetup]
    public void Setup()
    {
        string shared = Environment.GetEnvironmentVariable("EMBEDDINGS_SHARED") ?? FindShared();
        _embedder = OnnxEmbedder.Load(Path.Combine(shared, "models", "bert-tiny-random"), new OnnxEmbedderOptions { BatchSize = BatchSize, IntraOpThreads = 1 });
        _sentences = [.. File.ReadLines(Path.Combine(shared, "data", "stsbenchmark", "sts-test.csv")).Take(256).Select(l => l.Split('\t')[5])];
    }

    /// <summary>Releases the model.</summary>
    [GlobalCleanup]
    public void Cleanup() => _embedder.Dispose();

    /// <summary>Tokenizes every sentence.</summary>
    /// <returns>The total token count.</returns>
    [Benchmark]
    public int Tokenize()
    {
        int total = 0;
        foreach (string sentence in _sentences)
        {
            total += _embedder.Tokenize(sentence).Count;
        }

        return total;
    }

    /// <summary>Embeds every sentence.</summary>
    /// <returns>The number of embeddings.</returns>
    [Benchmark]
    public async Task<int> Embed() => (await _embedder.GenerateAsync(_sentences)).Count;

    private static string FindShared()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "shared");
            if (Directory.Exists(Path.Combine(candidate, "models")))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("The shared fixtures folder was not found; set EMBEDDINGS_SHARED.");
    }
}
