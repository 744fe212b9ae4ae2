using System.Diagnostics;
using System.Globalization;
using System.Numerics.Tensors;

namespace Embeddings.Benchmarks.Indexing;

/// <summary>
/// <c>flat-batch</c>: exact search on one thread, one query per call against <see cref="FlatIndex.SearchBatch"/>
/// with the whole query set per call, interleaved for several rounds, beside this machine's memory bandwidth
/// measured by a plain copy loop and a read-only sum in the same run.
/// </summary>
public static class BatchedFlatHarness
{
    /// <summary>The first command-line argument that selects this harness.</summary>
    public const string Command = "flat-batch";

    /// <summary>Runs the harness and prints a markdown table.</summary>
    /// <param name="args">--base FILE --queries FILE [--rounds 3] [--k 10] [--single 200].</param>
    public static void Run(string[] args)
    {
        Dictionary<string, string> options = ParseArgs(args);
        int rounds = int.Parse(options.GetValueOrDefault("rounds", "3"), CultureInfo.InvariantCulture);
        int k = int.Parse(options.GetValueOrDefault("k", "10"), CultureInfo.InvariantCulture);
        int singleQueries = int.Parse(options.GetValueOrDefault("single", "200"), CultureInfo.InvariantCulture);
        (string[] words, float[][] vectors) = IndexComparison.ReadWord2Vec(options["base"]);
        (_, float[][] queries) = IndexComparison.ReadWord2Vec(options["queries"]);
        int dims = vectors[0].Length;
        using var index = new FlatIndex(dims, DistanceMetric.Cosine, new FlatIndexOptions { InitialCapacity = vectors.Length });
        for (int i = 0; i < vectors.Length; i++)
        {
            index.Add(words[i], vectors[i]);
        }

        float[] batch = queries.SelectMany(q => q).ToArray();
        long rowBytes = (long)vectors.Length * dims * sizeof(float);

        // Same answers before timing anything: the batch must return what one-query search returns.
        IReadOnlyList<IReadOnlyList<VectorSearchResult>> check = index.SearchBatch(batch, k);
        int agree = 0;
        for (int q = 0; q < queries.Length; q++)
        {
            agree += index.Search(queries[q], k).Select(r => r.Key).SequenceEqual(check[q].Select(r => r.Key)) ? 1 : 0;
        }

        var single = new List<double>();
        var batched = new List<double>();
        var copy = new List<double>();
        var read = new List<double>();
        for (int round = 0; round < rounds; round++)
        {
            double start = ThreadSeconds();
            for (int q = 0; q < singleQueries; q++)
            {
                _ = index.Search(queries[q % queries.Length], k);
            }

            single.Add(singleQueries / (ThreadSeconds() - start));

            start = ThreadSeconds();
            _ = index.SearchBatch(batch, k);
            batched.Add(queries.Length / (ThreadSeconds() - start));

            (double copyGbps, double readGbps) = Bandwidth();
            copy.Add(copyGbps);
            read.Add(readGbps);
        }

        double singleQps = Median(single), batchQps = Median(batched);
        Console.WriteLine($"GloVe {vectors.Length} x {dims}, cosine, k = {k}, {queries.Length} queries per batch call, {singleQueries} one-query calls per round, {rounds} rounds interleaved, one thread");
        Console.WriteLine($"batch results equal to one-query results (same keys, same order) for {agree} of {queries.Length} queries");
        Console.WriteLine();
        Console.WriteLine("| path | queries per CPU-second, median (min to max) | rows streamed, GB/s |");
        Console.WriteLine("|---|---:|---:|");
        Console.WriteLine(Row("FlatIndex.Search, 1 query/call", single, singleQps * rowBytes / 1e9));
        Console.WriteLine(Row($"FlatIndex.SearchBatch, {queries.Length} queries/call", batched, batchQps * rowBytes / 1e9));
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"batch / one-query = {batchQps / singleQps:F2}x"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"memory bandwidth, one thread: copy {Median(copy):F1} GB/s (read + write), read-only sum {Median(read):F1} GB/s"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"one-query search streams the rows at {singleQps * rowBytes / 1e9 / Median(read):P0} of the read bandwidth; the batch does {2.0 * vectors.Length * dims * batchQps / 1e9:F1} GFLOP/s"));
    }

    private static string Row(string name, List<double> values, double gbps) =>
        string.Create(CultureInfo.InvariantCulture, $"| {name} | {Median(values):F0} ({values.Min():F0} to {values.Max():F0}) | {gbps:F1} |");

    /// <summary>A 512 MiB buffer, far beyond the caches: one copy pass and one read-only pass.</summary>
    private static (double CopyGbps, double ReadGbps) Bandwidth()
    {
        const int length = 128 * 1024 * 1024;
        var source = new float[length];
        var destination = new float[length];
        source.AsSpan().Fill(1f);
        destination.AsSpan().Clear();
        double copy = 0, read = 0;
        float sum = 0;
        for (int pass = 0; pass < 3; pass++)
        {
            // The best of three passes: the first may still be paying for page faults, and on a shared machine the best is the closest to the hardware.
            var watch = Stopwatch.StartNew();
            source.AsSpan().CopyTo(destination);
            copy = Math.Max(copy, 2.0 * length * sizeof(float) / watch.Elapsed.TotalSeconds / 1e9);
            watch.Restart();
            sum += TensorPrimitives.Sum<float>(source);
            read = Math.Max(read, (double)length * sizeof(float) / watch.Elapsed.TotalSeconds / 1e9);
        }

        GC.KeepAlive(sum);
        return (copy, read);
    }

    private static double ThreadSeconds()
    {
        // The harness runs on one thread, so process CPU time is that thread's time without the noise of wall time on a shared machine.
        return Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
    }

    private static double Median(List<double> values)
    {
        double[] sorted = [.. values.Order()];
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static Dictionary<string, string> ParseArgs(string[] args)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i + 1 < args.Length; i += 2)
        {
            options[args[i].TrimStart('-')] = args[i + 1];
        }

        return options;
    }
}
