using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Embeddings.Onnx;

namespace Embeddings.Benchmarks.Onnx;

/// <summary>
/// <c>onnx-memory minilm|arctic TEXTS_FILE THREADS</c>: embeds every text of the file (one a line) in one
/// <c>GenerateAsync</c> call, as a host indexing a corpus would, and prints the process's peak resident memory after
/// loading and after embedding as one JSON line.
/// </summary>
internal static class OnnxMemoryHarness
{
    public const string Command = "onnx-memory";

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length != 4)
        {
            await Console.Error.WriteLineAsync($"usage: {Command} minilm|arctic TEXTS_FILE THREADS");
            return 2;
        }

        string[] texts = [.. File.ReadAllLines(args[2]).Where(s => s.Length > 0)];
        int threads = int.Parse(args[3], CultureInfo.InvariantCulture);
        using OnnxEmbedder embedder = await OnnxEmbedder.LoadAsync(PackagedModelExport.ModelByName(args[1]), new OnnxEmbedderOptions { IntraOpThreads = threads });
        double afterLoad = OnnxComparisonHarness.PeakResidentMegabytes();
        long start = Stopwatch.GetTimestamp();
        var result = await embedder.GenerateAsync(texts);
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        if (result.Count != texts.Length)
        {
            throw new InvalidOperationException("Wrong number of embeddings.");
        }

        Console.WriteLine(JsonSerializer.Serialize(new
        {
            side = "dotnet-memory",
            texts = texts.Length,
            threads,
            seconds,
            peak_rss_after_load_mb = afterLoad,
            peak_rss_mb = OnnxComparisonHarness.PeakResidentMegabytes(),
        }));
        return 0;
    }
}
