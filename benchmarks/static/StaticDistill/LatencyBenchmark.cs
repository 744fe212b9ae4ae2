using System.Diagnostics;
using System.Numerics.Tensors;
using Embeddings.Evaluation;
using Embeddings.Static;

namespace StaticDistill;

/// <summary>
/// The query path of the static embedder, stage by stage, on one thread: SciFact test queries embedded one at a time
/// and searched over 5,000 SciFact documents. Every stage is timed on the same query back to back, so the machine's
/// load falls on all of them alike; medians over all queries of all passes, and the spread of the per-pass medians.
/// </summary>
internal static class LatencyBenchmark
{
    private const int Documents = 5000;
    private const int K = 100;

    public static Task<int> RunAsync(string folder, string shared, int passes)
    {
        string loadStart = Load();
        var embedder = StaticEmbedder.Load(folder);
        var scifact = BeirDataset.Load(Path.Combine(shared, "data", "scifact"));
        string[] queries = [.. scifact.Queries.Select(q => q.Text)];
        string[] corpus = [.. scifact.Corpus.Take(Documents).Select(d => d.FullText)];
        int d = embedder.Dimensions;
        float[] matrix = new float[corpus.Length * d];
        for (int i = 0; i < corpus.Length; i++)
        {
            embedder.Embed(corpus[i], matrix.AsSpan(i * d, d));
        }

        var tokenizer = embedder.Model.SubwordTokenizer;
        float[] query = new float[d];
        float[] scores = new float[corpus.Length];
        string[] stages = ["tokenize (EncodeToIds)", "embed (tokenize + lookup + pool + normalize)", "scan 5,000 dot products", "top-100: PriorityQueue of all", "top-100: bounded heap", "query + search (embed + scan + bounded top-100)"];
        var samples = stages.Select(_ => new List<double>()).ToArray();
        var passMedians = stages.Select(_ => new List<double>()).ToArray();
        long allocated = 0;
        long embedCalls = 0;
        double averageTokens = queries.Average(q => tokenizer?.EncodeToIds(q).Count ?? 0);

        for (int pass = -1; pass < passes; pass++)
        {
            var pass_ = stages.Select(_ => new List<double>()).ToArray();
            foreach (string text in queries)
            {
                long t0 = Stopwatch.GetTimestamp();
                _ = tokenizer?.EncodeToIds(text);
                long t1 = Stopwatch.GetTimestamp();
                long before = GC.GetAllocatedBytesForCurrentThread();
                embedder.Embed(text, query);
                long after = GC.GetAllocatedBytesForCurrentThread();
                long t2 = Stopwatch.GetTimestamp();
                Scan(query, matrix, scores, d);
                long t3 = Stopwatch.GetTimestamp();
                _ = TopAllQueued(scores, K);
                long t4 = Stopwatch.GetTimestamp();
                _ = TopBounded(scores, K);
                long t5 = Stopwatch.GetTimestamp();
                embedder.Embed(text, query);
                Scan(query, matrix, scores, d);
                _ = TopBounded(scores, K);
                long t6 = Stopwatch.GetTimestamp();
                if (pass < 0)
                {
                    continue;
                }

                allocated += after - before;
                embedCalls++;
                double[] values = [Ms(t0, t1), Ms(t1, t2), Ms(t2, t3), Ms(t3, t4), Ms(t4, t5), Ms(t5, t6)];
                for (int s = 0; s < stages.Length; s++)
                {
                    samples[s].Add(values[s]);
                    pass_[s].Add(values[s]);
                }
            }

            if (pass >= 0)
            {
                for (int s = 0; s < stages.Length; s++)
                {
                    passMedians[s].Add(Median(pass_[s]));
                }
            }
        }

        Console.WriteLine($"model {embedder.Fingerprint.ModelId}: {queries.Length} SciFact test queries ({averageTokens:F1} tokens on average), {corpus.Length} documents x {d} d, {passes} passes after one warm-up pass, one thread");
        Console.WriteLine();
        Console.WriteLine("| stage | p50 | p90 | per-pass p50 min-max |");
        Console.WriteLine("|---|---:|---:|---:|");
        for (int s = 0; s < stages.Length; s++)
        {
            samples[s].Sort();
            Console.WriteLine($"| {stages[s]} | {Median(samples[s]) * 1000:F1} µs | {samples[s][(int)(samples[s].Count * 0.9)] * 1000:F1} µs | {passMedians[s].Min() * 1000:F1}-{passMedians[s].Max() * 1000:F1} µs |");
        }

        Console.WriteLine();
        Console.WriteLine($"allocated per Embed call: {allocated / (double)embedCalls:F0} bytes; load average at start / end: {loadStart} / {Load()}; {Environment.ProcessorCount} cores; {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}");
        return Task.FromResult(0);
    }

    private static void Scan(float[] query, float[] matrix, float[] scores, int d)
    {
        for (int i = 0; i < scores.Length; i++)
        {
            scores[i] = TensorPrimitives.Dot(query, matrix.AsSpan(i * d, d));
        }
    }

    // What the eval command did before: every score goes through the queue.
    private static int[] TopAllQueued(float[] scores, int k)
    {
        var heap = new PriorityQueue<int, float>(k + 1);
        for (int i = 0; i < scores.Length; i++)
        {
            heap.Enqueue(i, scores[i]);
            if (heap.Count > k)
            {
                heap.Dequeue();
            }
        }

        var result = new int[heap.Count];
        for (int i = result.Length - 1; i >= 0; i--)
        {
            result[i] = heap.Dequeue();
        }

        return result;
    }

    /// <summary>Top k by a min-heap that only takes a score above its current minimum, so most scores cost one comparison.</summary>
    internal static int[] TopBounded(float[] scores, int k)
    {
        var heap = new PriorityQueue<int, float>(k + 1);
        int i = 0;
        for (; i < scores.Length && heap.Count < k; i++)
        {
            heap.Enqueue(i, scores[i]);
        }

        if (heap.Count == k)
        {
            heap.TryPeek(out _, out float minimum);
            for (; i < scores.Length; i++)
            {
                if (scores[i] > minimum)
                {
                    heap.DequeueEnqueue(i, scores[i]);
                    heap.TryPeek(out _, out minimum);
                }
            }
        }

        var result = new int[heap.Count];
        for (int r = result.Length - 1; r >= 0; r--)
        {
            result[r] = heap.Dequeue();
        }

        return result;
    }

    private static double Ms(long from, long to) => (to - from) * 1000.0 / Stopwatch.Frequency;

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }

    private static string Load() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";
}
