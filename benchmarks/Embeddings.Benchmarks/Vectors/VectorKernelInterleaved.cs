using System.Diagnostics;
using System.Globalization;

namespace Embeddings.Benchmarks.Vectors;

/// <summary>
/// The <see cref="VectorKernelBenchmarks"/> kernels measured interleaved: every round times each variant back to back,
/// and the table reports the median over rounds. On a machine shared with other builds, load changes between
/// BenchmarkDotNet's sequential benchmarks skew their ratios; interleaving exposes every variant to the same load.
/// Run: <c>dotnet run -c Release --project benchmarks/Embeddings.Benchmarks -- vectors-interleaved [rounds]</c>.
/// </summary>
public static class VectorKernelInterleaved
{
    private const string Command = "vectors-interleaved";

    /// <summary>Runs the harness when the first argument selects it.</summary>
    /// <param name="args">The command line.</param>
    /// <returns><see langword="true"/> when the harness ran.</returns>
    public static bool TryRun(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Length == 0 || args[0] != Command)
        {
            return false;
        }

        int rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 31;
        Console.WriteLine($"load before: {File.ReadAllText("/proc/loadavg").Trim()}; {Environment.ProcessorCount} cores; {rounds} rounds, median ns/op");
        Console.WriteLine("| kernel | dims | naive loop | VectorMath | TensorPrimitives | VectorMath speed-up vs naive | vs TensorPrimitives |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (int dimensions in new[] { 384, 768, 1024 })
        {
            var suite = new VectorKernelBenchmarks { Dimensions = dimensions };
            suite.Setup();
            Report("dot", dimensions, rounds, () => suite.DotNaive(), () => suite.DotOurs(), () => suite.DotTensorPrimitives());
            Report("cosine", dimensions, rounds, () => suite.CosineNaive(), () => suite.CosineOurs(), () => suite.CosineTensorPrimitives());
            Report("L2 squared (TP: with sqrt)", dimensions, rounds, () => suite.L2Naive(), () => suite.L2Ours(), () => suite.L2TensorPrimitives());
            Report("Hamming", dimensions, rounds, () => suite.HammingNaive(), () => suite.HammingOurs(), () => suite.HammingTensorPrimitives());
        }

        Console.WriteLine($"load after: {File.ReadAllText("/proc/loadavg").Trim()}");
        return true;
    }

    private static void Report(string kernel, int dimensions, int rounds, Func<double> naive, Func<double> ours, Func<double> tensorPrimitives)
    {
        Func<double>[] variants = [naive, ours, tensorPrimitives];
        int[] batch = variants.Select(Calibrate).ToArray();
        var samples = variants.Select(_ => new List<double>()).ToArray();
        for (int round = 0; round < rounds; round++)
        {
            for (int v = 0; v < variants.Length; v++)
            {
                samples[v].Add(Time(variants[v], batch[v]));
            }
        }

        double[] medians = samples.Select(Median).ToArray();
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"| {kernel} | {dimensions} | {medians[0]:F1} | {medians[1]:F1} | {medians[2]:F1} | {medians[0] / medians[1]:F1}x | {medians[2] / medians[1]:F2}x |"));
    }

    // Warms the variant up to tier-1 code, then picks a batch that takes about 200 µs.
    private static int Calibrate(Func<double> variant)
    {
        var warmup = Stopwatch.StartNew();
        while (warmup.ElapsedMilliseconds < 300)
        {
            Time(variant, 1000);
        }

        double perCall = Time(variant, 10_000);
        return Math.Max(100, (int)(200_000 / Math.Max(perCall, 0.1)));
    }

    private static double Time(Func<double> variant, int calls)
    {
        double sink = 0;
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < calls; i++)
        {
            sink += variant();
        }

        long elapsed = Stopwatch.GetTimestamp() - start;
        GC.KeepAlive(sink);
        return elapsed * (1e9 / Stopwatch.Frequency) / calls;
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        return values[values.Count / 2];
    }
}
