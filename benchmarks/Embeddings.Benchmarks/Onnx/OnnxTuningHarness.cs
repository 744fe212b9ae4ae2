using System.Diagnostics;
using System.Globalization;
using System.Numerics.Tensors;
using Embeddings.Onnx;

namespace Embeddings.Benchmarks.Onnx;

/// <summary>
/// <c>onnx-tune TEXTS_FILE THREADS ROUNDS VARIANT...</c>: one <see cref="OnnxEmbedder"/> per variant of the packaged
/// all-MiniLM-L6-v2, each embedding the whole file once per round in rotating order (so machine load hits all alike),
/// after a warm-up. Prints per variant the median seconds, the median of its per-round ratio to the first variant,
/// and the lowest cosine of its vectors to the first variant's. A variant is comma-separated settings:
/// <c>base</c>, <c>batch=N</c>, <c>tokens=N</c> (token budget per batch), <c>spin=0|1</c>
/// (session.intra_op.allow_spinning), <c>denormal=1</c> (session.set_denormal_as_zero), <c>arena=0</c>,
/// <c>pattern=0</c>, <c>envalloc=1</c> (session.use_env_allocators).
/// </summary>
internal static class OnnxTuningHarness
{
    public const string Command = "onnx-tune";

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length < 5)
        {
            await Console.Error.WriteLineAsync($"usage: {Command} TEXTS_FILE THREADS ROUNDS VARIANT...");
            return 2;
        }

        string[] texts = [.. File.ReadAllLines(args[1]).Where(s => s.Length > 0)];
        int threads = int.Parse(args[2], CultureInfo.InvariantCulture);
        int rounds = int.Parse(args[3], CultureInfo.InvariantCulture);
        string[] variants = args[4..];
        var embedders = new List<OnnxEmbedder>();
        try
        {
            foreach (string variant in variants)
            {
                embedders.Add(await OnnxEmbedder.LoadAsync(PackagedModels.AllMiniLML6V2, Options(variant, threads)));
            }

            string[] warmUp = texts[..Math.Min(texts.Length, 128)];
            foreach (OnnxEmbedder embedder in embedders)
            {
                await embedder.GenerateAsync(warmUp);
            }

            var seconds = variants.Select(_ => new List<double>()).ToArray();
            var vectors = new float[variants.Length][][];
            for (int r = 0; r < rounds; r++)
            {
                for (int j = 0; j < variants.Length; j++)
                {
                    int v = (j + r) % variants.Length;
                    long start = Stopwatch.GetTimestamp();
                    var result = await embedders[v].GenerateAsync(texts);
                    seconds[v].Add(Stopwatch.GetElapsedTime(start).TotalSeconds);
                    vectors[v] ??= [.. result.Select(e => e.Vector.ToArray())];
                }

                await Console.Error.WriteLineAsync($"round {r + 1}/{rounds}: " + string.Join(", ", variants.Select((v, i) => string.Create(CultureInfo.InvariantCulture, $"{v} {seconds[i][^1]:F2} s"))));
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{texts.Length} texts from {args[1]}, {threads} intra-op threads, {rounds} rounds"));
            Console.WriteLine("| variant | median s | min..max s | ratio to first (median of rounds) | lowest cosine to first |");
            Console.WriteLine("|---|---:|---:|---:|---:|");
            for (int v = 0; v < variants.Length; v++)
            {
                double ratio = Median([.. seconds[v].Select((s, r) => s / seconds[0][r])]);
                double cosine = Enumerable.Range(0, texts.Length).Min(i => TensorPrimitives.CosineSimilarity(vectors[v][i], vectors[0][i]));
                Console.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"| {variants[v]} | {Median(seconds[v]):F2} | {seconds[v].Min():F2}..{seconds[v].Max():F2} | {ratio:F3} | {cosine:F6} |"));
            }
        }
        finally
        {
            embedders.ForEach(e => e.Dispose());
        }

        return 0;
    }

    private static OnnxEmbedderOptions Options(string variant, int threads)
    {
        var options = new OnnxEmbedderOptions { IntraOpThreads = threads };
        foreach (string setting in variant.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] kv = setting.Split('=', 2);
            string value = kv.Length == 2 ? kv[1] : string.Empty;
            switch (kv[0])
            {
                case "base":
                    break;
                case "batch":
                    options.BatchSize = int.Parse(value, CultureInfo.InvariantCulture);
                    break;
                case "tokens":
                    options.MaxBatchTokens = int.Parse(value, CultureInfo.InvariantCulture);
                    break;
                case "spin":
                    options.SessionConfigEntries["session.intra_op.allow_spinning"] = value;
                    break;
                case "denormal":
                    options.SessionConfigEntries["session.set_denormal_as_zero"] = value;
                    break;
                case "envalloc":
                    options.SessionConfigEntries["session.use_env_allocators"] = value;
                    break;
                case "arena":
                    options.EnableMemoryArena = value != "0";
                    break;
                case "pattern":
                    options.EnableMemoryPattern = value != "0";
                    break;
                default:
                    throw new ArgumentException($"Unknown setting '{setting}' in variant '{variant}'.");
            }
        }

        return options;
    }

    private static double Median(List<double> values)
    {
        double[] sorted = [.. values.Order()];
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
