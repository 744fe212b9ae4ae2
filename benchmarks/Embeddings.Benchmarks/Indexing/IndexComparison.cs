using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Embeddings.Benchmarks.Indexing;

/// <summary>
/// The C# side of <c>benchmarks/index/run.sh</c>: loads the GloVe vectors and queries, then obeys line commands
/// on stdin (build-hnsw, build-flat, search-hnsw EF, search-flat, churn-hnsw FRACTION EFS, quit) and answers one line
/// each on stdout, so the Python driver can interleave our measurements with hnswlib's and FAISS's in one run.
/// </summary>
public static class IndexComparison
{
    /// <summary>The first command-line argument that selects this harness.</summary>
    public const string Command = "index-compare";

    /// <summary>Runs the harness.</summary>
    /// <param name="args">--base FILE --queries FILE --gt FILE [--m 16] [--efc 200] [--threads 2] [--k 10] [--limit N (first N base vectors)].</param>
    public static void Run(string[] args)
    {
        var options = ParseArgs(args);
        string basePath = options["base"];
        string queryPath = options["queries"];
        string gtPath = options["gt"];
        int m = int.Parse(options.GetValueOrDefault("m", "16"), CultureInfo.InvariantCulture);
        int efConstruction = int.Parse(options.GetValueOrDefault("efc", "200"), CultureInfo.InvariantCulture);
        int threads = int.Parse(options.GetValueOrDefault("threads", "2"), CultureInfo.InvariantCulture);
        int k = int.Parse(options.GetValueOrDefault("k", "10"), CultureInfo.InvariantCulture);

        (string[] words, float[][] vectors) = ReadWord2Vec(basePath);
        if (options.TryGetValue("limit", out string? limitText))
        {
            int limit = int.Parse(limitText, CultureInfo.InvariantCulture);
            words = words[..Math.Min(limit, words.Length)];
            vectors = vectors[..words.Length];
        }
        (_, float[][] queries) = ReadWord2Vec(queryPath);
        int[][] truth = ReadTruth(gtPath, queries.Length, k);
        var position = new Dictionary<string, int>(words.Length, StringComparer.Ordinal);
        for (int i = 0; i < words.Length; i++)
        {
            position[words[i]] = i;
        }

        HnswIndex? hnsw = null;
        FlatIndex? flat = null;
        Console.WriteLine($"ready {vectors.Length} {vectors[0].Length} {queries.Length}");
        string? line;
        while ((line = Console.ReadLine()) is not null)
        {
            string[] parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 0)
            {
                continue;
            }

            switch (parts[0])
            {
                case "build-hnsw":
                    hnsw?.Dispose();
                    hnsw = null;
                    (hnsw, double hnswSeconds, double hnswBytes) = Build(() =>
                    {
                        var index = new HnswIndex(vectors[0].Length, DistanceMetric.Cosine, new HnswIndexOptions { M = m, EfConstruction = efConstruction, InitialCapacity = vectors.Length, Seed = 42 });
                        var records = new VectorRecord[vectors.Length];
                        for (int i = 0; i < records.Length; i++)
                        {
                            // A fresh copy of each key, so the index's memory figure includes its keys.
                            records[i] = new VectorRecord(new string(words[i]), vectors[i]);
                        }

                        index.AddParallel(records, threads);
                        return index;
                    });
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"build-hnsw {hnswSeconds:F3} {hnswBytes:F1} {threads} {LastBuildCpuSeconds:F3}"));
                    break;
                case "build-flat":
                    flat?.Dispose();
                    flat = null;
                    (flat, double flatSeconds, double flatBytes) = Build(() =>
                    {
                        var index = new FlatIndex(vectors[0].Length, DistanceMetric.Cosine, new FlatIndexOptions { InitialCapacity = vectors.Length });
                        for (int i = 0; i < vectors.Length; i++)
                        {
                            index.Add(new string(words[i]), vectors[i]);
                        }

                        return index;
                    });
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"build-flat {flatSeconds:F3} {flatBytes:F1} 1 {LastBuildCpuSeconds:F3}"));
                    break;
                case "search-hnsw":
                    {
                        int ef = int.Parse(parts[1], CultureInfo.InvariantCulture);
                        var searchOptions = new VectorSearchOptions { EfSearch = ef };
                        (double recall, double qps) = Measure(hnsw!, queries, truth, position, k, searchOptions);
                        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"search-hnsw {ef} {recall:F4} {qps:F1}"));
                        break;
                    }

                case "search-flat":
                    {
                        (double recall, double qps) = Measure(flat!, queries, truth, position, k, null);
                        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"search-flat {recall:F4} {qps:F1}"));
                        break;
                    }

                case "churn-hnsw":
                    {
                        // Recall of one build before and after deleting a fraction of the records and inserting them
                        // again (same keys and vectors, so the live set and the ground truth stay the same).
                        double fraction = double.Parse(parts[1], CultureInfo.InvariantCulture);
                        int[] efs = parts[2].Split(',').Select(e => int.Parse(e, CultureInfo.InvariantCulture)).ToArray();
                        using var churned = new HnswIndex(vectors[0].Length, DistanceMetric.Cosine, new HnswIndexOptions { M = m, EfConstruction = efConstruction, InitialCapacity = vectors.Length, Seed = 42 });
                        var records = new VectorRecord[vectors.Length];
                        for (int i = 0; i < records.Length; i++)
                        {
                            records[i] = new VectorRecord(words[i], vectors[i]);
                        }

                        churned.AddParallel(records, threads);
                        double[] before = efs.Select(ef => Recall(churned, queries, truth, position, k, ef)).ToArray();
                        var random = new Random(11);
                        VectorRecord[] moved = records.OrderBy(_ => random.Next()).Take((int)(records.Length * fraction)).ToArray();
                        foreach (VectorRecord record in moved)
                        {
                            churned.Remove(record.Key);
                        }

                        var watch = Stopwatch.StartNew();
                        churned.AddParallel(moved, threads);
                        double reinsertSeconds = watch.Elapsed.TotalSeconds;
                        double[] after = efs.Select(ef => Recall(churned, queries, truth, position, k, ef)).ToArray();
                        var reply = new StringBuilder("churn-hnsw ").Append(moved.Length).Append(' ').Append(reinsertSeconds.ToString("F2", CultureInfo.InvariantCulture));
                        for (int i = 0; i < efs.Length; i++)
                        {
                            reply.Append(CultureInfo.InvariantCulture, $" {efs[i]}:{before[i]:F4}:{after[i]:F4}");
                        }

                        Console.WriteLine(reply.ToString());
                        break;
                    }

                case "quit":
                    hnsw?.Dispose();
                    flat?.Dispose();
                    return;
                default:
                    Console.WriteLine($"error unknown command {parts[0]}");
                    break;
            }
        }
    }

    private static double LastBuildCpuSeconds { get; set; }

    private static (T Index, double Seconds, double BytesPerVector) Build<T>(Func<T> build)
        where T : InMemoryVectorIndex
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        long before = GC.GetTotalMemory(forceFullCollection: true);
        var watch = Stopwatch.StartNew();
        TimeSpan cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        T index = build();
        double seconds = watch.Elapsed.TotalSeconds;
        LastBuildCpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
        long after = GC.GetTotalMemory(forceFullCollection: true);
        return (index, seconds, (after - before) / (double)index.Count);
    }

    private static (double Recall, double Qps) Measure(InMemoryVectorIndex index, float[][] queries, int[][] truth, Dictionary<string, int> position, int k, VectorSearchOptions? options)
    {
        var keys = new string[k];
        var scores = new float[k];

        // One untimed pass warms the JIT and the caches, as the Python side's first pass does.
        foreach (float[] query in queries)
        {
            index.Search(query, keys, scores, options);
        }

        int hits = 0;
        double cpuStart = ThreadCpuSeconds();
        for (int q = 0; q < queries.Length; q++)
        {
            int n = index.Search(queries[q], keys, scores, options);
            for (int i = 0; i < n; i++)
            {
                if (Array.IndexOf(truth[q], position[keys[i]]) >= 0)
                {
                    hits++;
                }
            }
        }

        double seconds = ThreadCpuSeconds() - cpuStart;
        return (hits / (double)(queries.Length * k), queries.Length / seconds);
    }

    private static double Recall(HnswIndex index, float[][] queries, int[][] truth, Dictionary<string, int> position, int k, int ef)
    {
        var keys = new string[k];
        var scores = new float[k];
        var options = new VectorSearchOptions { EfSearch = ef };
        int hits = 0;
        for (int q = 0; q < queries.Length; q++)
        {
            int n = index.Search(queries[q], keys, scores, options);
            for (int i = 0; i < n; i++)
            {
                if (Array.IndexOf(truth[q], position[keys[i]]) >= 0)
                {
                    hits++;
                }
            }
        }

        return hits / (double)(queries.Length * k);
    }

    /// <summary>
    /// CPU seconds of the calling thread (CLOCK_THREAD_CPUTIME_ID): on a machine shared by other builds, wall time
    /// measures the scheduler; thread CPU time measures the search. The Python side uses time.thread_time().
    /// </summary>
    private static double ThreadCpuSeconds()
    {
        if (ClockGetTime(3, out TimeSpec now) != 0)
        {
            throw new InvalidOperationException("clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed.");
        }

        return now.Seconds + (now.Nanoseconds / 1e9);
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out TimeSpec time);

    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    /// <summary>Reads a word2vec binary file: header "count dims", then per word the word, a space, dims little-endian float32.</summary>
    internal static (string[] Words, float[][] Vectors) ReadWord2Vec(string path)
    {
        byte[] data = File.ReadAllBytes(path);
        int pos = 0;
        string header = ReadUntil(data, ref pos, (byte)'\n');
        string[] fields = header.Trim().Split(' ');
        int count = int.Parse(fields[0], CultureInfo.InvariantCulture);
        int dims = int.Parse(fields[1], CultureInfo.InvariantCulture);
        var words = new string[count];
        var vectors = new float[count][];
        for (int i = 0; i < count; i++)
        {
            while (data[pos] == (byte)'\n')
            {
                pos++;
            }

            words[i] = ReadUntil(data, ref pos, (byte)' ');
            var vector = new float[dims];
            for (int d = 0; d < dims; d++)
            {
                vector[d] = BinaryPrimitives.ReadSingleLittleEndian(data.AsSpan(pos + (d * 4)));
            }

            pos += dims * 4;
            vectors[i] = vector;
        }

        return (words, vectors);
    }

    private static string ReadUntil(byte[] data, ref int pos, byte terminator)
    {
        int start = pos;
        while (data[pos] != terminator)
        {
            pos++;
        }

        string text = Encoding.UTF8.GetString(data, start, pos - start);
        pos++;
        return text;
    }

    private static int[][] ReadTruth(string path, int queries, int k)
    {
        byte[] data = File.ReadAllBytes(path);
        if (data.Length != queries * k * 4)
        {
            throw new InvalidDataException($"Ground truth '{path}' holds {data.Length} bytes; expected {queries} x {k} int32.");
        }

        var truth = new int[queries][];
        for (int q = 0; q < queries; q++)
        {
            truth[q] = new int[k];
            for (int i = 0; i < k; i++)
            {
                truth[q][i] = BinaryPrimitives.ReadInt32LittleEndian(data.AsSpan(((q * k) + i) * 4));
            }
        }

        return truth;
    }

    private static Dictionary<string, string> ParseArgs(string[] args)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i + 1 < args.Length; i += 2)
        {
            result[args[i].TrimStart('-')] = args[i + 1];
        }

        return result;
    }
}
