using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Embeddings.Onnx;
using Microsoft.ML.OnnxRuntime;

namespace Embeddings.Benchmarks.Onnx;

/// <summary>
/// <c>onnx-compare MODEL_DIR|minilm|arctic SENTENCES_FILE THREADS BATCH REPETITIONS</c>: times <see cref="OnnxEmbedder"/> end to end
/// (tokenize, sort, pad, run, pool, normalize) against bare <see cref="InferenceSession.Run(RunOptions, IReadOnlyCollection{string}, IReadOnlyCollection{OrtValue}, IReadOnlyCollection{string})"/>
/// on the same pre-tokenized, pre-padded batches with the same session, alternating the two, and prints one JSON line
/// with the process's peak resident memory. <c>minilm</c> and <c>arctic</c> load the packaged real models.
/// benchmarks/onnx/run.sh and benchmarks/onnx/speed.sh drive it together with transformers.js (and the .NET peer).
/// </summary>
internal static class OnnxComparisonHarness
{
    public const string Command = "onnx-compare";

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length != 6)
        {
            await Console.Error.WriteLineAsync($"usage: {Command} MODEL_DIR|minilm|arctic SENTENCES_FILE THREADS BATCH REPETITIONS");
            return 2;
        }

        string modelDir = args[1];
        string[] sentences = [.. File.ReadAllLines(args[2]).Where(s => s.Length > 0)];
        int threads = int.Parse(args[3], CultureInfo.InvariantCulture);
        int batch = int.Parse(args[4], CultureInfo.InvariantCulture);
        int repetitions = int.Parse(args[5], CultureInfo.InvariantCulture);

        var options = new OnnxEmbedderOptions { IntraOpThreads = threads, BatchSize = batch };
        using OnnxEmbedder embedder = modelDir is "minilm" or "arctic"
            ? await OnnxEmbedder.LoadAsync(PackagedModelExport.ModelByName(modelDir), options)
            : OnnxEmbedder.Load(modelDir, options);
        var batches = embedder.PrepareBatches(sentences);
        string[] outputNames = [embedder.OutputName];

        // The warm-up runs both sides on a prefix: enough for the JIT and ONNX Runtime's arena, without a whole pass.
        string[] warmUp = sentences[..Math.Min(sentences.Length, 4 * batch)];
        await TimeOursAsync(embedder, warmUp);
        TimeRaw(embedder, embedder.PrepareBatches(warmUp), outputNames);

        var ours = new List<double>();
        var raw = new List<double>();
        for (int r = 0; r < repetitions; r++)
        {
            // Alternate which side goes first so drift in machine load hits both equally.
            bool oursFirst = r % 2 == 0;
            double a = oursFirst ? await TimeOursAsync(embedder, sentences) : TimeRaw(embedder, batches, outputNames);
            double b = oursFirst ? TimeRaw(embedder, batches, outputNames) : await TimeOursAsync(embedder, sentences);
            ours.Add(oursFirst ? a : b);
            raw.Add(oursFirst ? b : a);
        }

        Console.WriteLine(JsonSerializer.Serialize(new
        {
            side = "dotnet",
            sentences = sentences.Length,
            threads,
            batch,
            ours,
            raw,
            max_rss_mb = PeakResidentMegabytes(),
        }));
        return 0;
    }

    /// <summary>Reads the process's peak resident set size (VmHWM) from /proc; -1 where there is no /proc.</summary>
    internal static double PeakResidentMegabytes()
    {
        const string Status = "/proc/self/status";
        if (!File.Exists(Status))
        {
            return -1;
        }

        string? line = File.ReadLines(Status).FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return line is null ? -1 : long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024.0;
    }

    private static async Task<double> TimeOursAsync(OnnxEmbedder embedder, string[] sentences)
    {
        long start = Stopwatch.GetTimestamp();
        var result = await embedder.GenerateAsync(sentences);
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        if (result.Count != sentences.Length)
        {
            throw new InvalidOperationException("Wrong number of embeddings.");
        }

        return seconds;
    }

    private static double TimeRaw(
        OnnxEmbedder embedder,
        IReadOnlyList<(long[] InputIds, long[] AttentionMask, long[]? TokenTypeIds, int Rows, int Length)> batches,
        string[] outputNames)
    {
        long start = Stopwatch.GetTimestamp();
        using var runOptions = new RunOptions();
        foreach (var (ids, mask, types, rows, length) in batches)
        {
            long[] shape = [rows, length];
            using OrtValue idsValue = OrtValue.CreateTensorValueFromMemory(ids, shape);
            using OrtValue maskValue = OrtValue.CreateTensorValueFromMemory(mask, shape);
            using OrtValue? typesValue = types is null ? null : OrtValue.CreateTensorValueFromMemory(types, shape);
            OrtValue[] values = typesValue is null ? [idsValue, maskValue] : [idsValue, maskValue, typesValue];
            using var outputs = embedder.Session.Run(runOptions, embedder.InputNames.ToArray(), values, outputNames);
        }

        return Stopwatch.GetElapsedTime(start).TotalSeconds;
    }
}
