using System.Diagnostics;
using System.Globalization;
using System.Numerics.Tensors;
using System.Text;
using Embeddings.PgVector;
using Npgsql;

namespace Embeddings.Benchmarks.PgVector;

/// <summary>
/// The pgvector figures: bulk load of the 100,000 GloVe vectors (rows/s, bulk path), HNSW build, recall@10 and
/// latency at several ef_search values against exact ground truth, and a server killed mid-load.
/// Usage: <c>pgvector load [--m 16] [--ef-construction 64] [--ef 40,80,160] [--out FILE]</c> or <c>pgvector crash</c>.
/// The server is EMBEDDINGS_PG_CONNECTION when set, else a PGlite server started here.
/// </summary>
internal static class PgVectorHarness
{
    public static void Run(string[] args) => RunAsync(args).GetAwaiter().GetResult();

    private static async Task RunAsync(string[] args)
    {
        string mode = args.Length > 0 ? args[0] : "load";
        string root = FindRepositoryRoot();
        string shared = Environment.GetEnvironmentVariable("EMBEDDINGS_SHARED") ?? Path.GetFullPath(Path.Combine(root, "..", "shared"));
        int m = IntOption(args, "--m", 16);
        int efConstruction = IntOption(args, "--ef-construction", 64);
        int[] efs = (Option(args, "--ef") ?? "40,80,160").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        int limit = IntOption(args, "--limit", int.MaxValue);
        string? output = Option(args, "--out");
        string[] backends = (Option(args, "--backends") ?? "pgvector,inprocess").Split(',');

        var (words, vectors) = ReadWord2Vec(Path.Combine(shared, "models", "glove-6B-100d-top100k", "vectors.bin"), limit);
        Console.WriteLine($"read {vectors.Length} vectors of {vectors[0].Length} dimensions");
        if (mode == "crash")
        {
            await CrashAsync(root, words, vectors);
            return;
        }

        var (_, queries) = ReadWord2Vec(Path.Combine(shared, "data", "glove-ann", "queries-dev.bin"), int.MaxValue);
        var watch = Stopwatch.StartNew();
        int[][] truth = GroundTruth(vectors, queries, 10);
        Console.WriteLine($"exact ground truth for {queries.Length} queries in {watch.Elapsed.TotalSeconds:F1} s");

        await using var pg = backends.Contains("pgvector") ? await PgVectorBackend.StartAsync(root, words, vectors, m, efConstruction) : null;

        // Our in-process HNSW at the same M and ef_construction, built from the same records.
        var buildWatch = Stopwatch.StartNew();
        using HnswIndex? inProcess = backends.Contains("inprocess") ? new HnswIndex(vectors[0].Length, DistanceMetric.Cosine, new HnswIndexOptions { M = m, EfConstruction = efConstruction, Seed = 1 }) : null;
        inProcess?.AddParallel(Records(words, vectors).ToList(), maxDegreeOfParallelism: 2);
        TimeSpan inProcessBuild = buildWatch.Elapsed;
        if (inProcess is not null)
        {
            Console.WriteLine($"in-process HnswIndex (M={m}, ef_construction={efConstruction}) built in {inProcessBuild.TotalSeconds:F1} s on 2 threads");
        }

        var lines = new List<string>();
        foreach (int ef in efs)
        {
            // Interleaved: the two indexes see the same machine load.
            if (pg is not null)
            {
                lines.Add(await MeasureAsync("pgvector", pg.Index, queries, truth, words, ef));
            }

            if (inProcess is not null)
            {
                lines.Add(await MeasureAsync("in-process HnswIndex", inProcess, queries, truth, words, ef));
            }
        }

        if (output is not null)
        {
            var report = new StringBuilder();
            if (pg is not null)
            {
                report.AppendLine(pg.Summary);
            }

            if (inProcess is not null)
            {
                report.AppendLine(CultureInfo.InvariantCulture, $"in-process HnswIndex build: M={m} ef_construction={efConstruction}: {inProcessBuild.TotalSeconds:F1} s (2 threads)");
            }
            foreach (string line in lines)
            {
                report.AppendLine(line);
            }

            await File.WriteAllTextAsync(output, report.ToString());
        }
    }

    private static async Task<string> MeasureAsync(string name, IVectorIndex index, float[][] queries, int[][] truth, string[] words, int ef)
    {
        var latencies = new double[queries.Length];
        double recall = 0;
        var total = Stopwatch.StartNew();
        for (int q = 0; q < queries.Length; q++)
        {
            var one = Stopwatch.StartNew();
            var hits = await index.SearchAsync(queries[q], 10, new VectorSearchOptions { EfSearch = ef });
            latencies[q] = one.Elapsed.TotalMilliseconds;
            var expected = truth[q].Select(i => words[i]).ToHashSet(StringComparer.Ordinal);
            recall += hits.Count(h => expected.Contains(h.Key)) / 10.0;
        }

        Array.Sort(latencies);
        string line = string.Create(CultureInfo.InvariantCulture, $"{name} ef_search={ef}: recall@10 {recall / queries.Length:F4}, median {latencies[latencies.Length / 2]:F3} ms, p95 {latencies[(int)(latencies.Length * 0.95)]:F3} ms, {queries.Length / total.Elapsed.TotalSeconds:F0} queries/s");
        Console.WriteLine(line);
        return line;
    }

    /// <summary>Kills the server part way through a load, shows what the client reports and what is visible, then loads again against a fresh server.</summary>
    private static async Task CrashAsync(string root, string[] words, float[][] vectors)
    {
        var options = new PgVectorIndexOptions
        {
            Collection = "glove_crash",
            Dimensions = vectors[0].Length,
            CreateAnnIndex = false,
            BatchSize = 1000,
            Retry = { MaxRetryAttempts = 2, Delay = TimeSpan.FromMilliseconds(100) },
        };

        using (PgliteProcess doomed = PgliteProcess.Start(root))
        {
            await using NpgsqlDataSource dataSource = NpgsqlDataSource.Create(doomed.ConnectionString);
            using var index = new PgVectorIndex(dataSource, options);
            int killAfter = 5;
            var progress = new SynchronousProgress(p =>
            {
                if (p.CommittedBatches == killAfter)
                {
                    // Kill the server while the next batch is on its way.
                    _ = Task.Run(async () =>
                    {
                        await Task.Delay(30);
                        Console.WriteLine($"killing the server (pid {doomed.ProcessId}) after {p.CommittedRecords} committed rows");
                        doomed.Kill();
                    });
                }
            });
            try
            {
                await index.BulkUpsertAsync(Records(words, vectors), progress: progress);
                Console.WriteLine("UNEXPECTED: the load completed although the server was killed");
            }
            catch (PgVectorIndexException ex)
            {
                Console.WriteLine($"client reported: {ex.GetType().Name}: {ex.Message}");
                Console.WriteLine($"  CommittedRecords={ex.CommittedRecords} Attempts={ex.Attempts} SqlState={ex.SqlState ?? "(none)"} Inner={ex.InnerException?.GetType().Name}");
            }
        }

        using PgliteProcess fresh = PgliteProcess.Start(root);
        await using (NpgsqlDataSource dataSource = NpgsqlDataSource.Create(fresh.ConnectionString))
        {
            using var index = new PgVectorIndex(dataSource, options);
            PgVectorBulkResult first = await index.BulkUpsertAsync(Records(words, vectors).Take(vectors.Length / 2));
            Console.WriteLine($"fresh server: a first run stopped half way ({first.Records} rows) ...");
            PgVectorBulkResult rerun = await index.BulkUpsertAsync(Records(words, vectors));
            Console.WriteLine($"... and the full load run again: {rerun.Records} rows written at {rerun.RecordsPerSecond:F0} rows/s over {rerun.Path}");
            await using NpgsqlConnection connection = await dataSource.OpenConnectionAsync();
            await using var count = new NpgsqlCommand("SELECT count(*), count(DISTINCT key) FROM public.glove_crash", connection);
            await using NpgsqlDataReader reader = await count.ExecuteReaderAsync();
            await reader.ReadAsync();
            Console.WriteLine($"rows {reader.GetInt64(0)}, distinct keys {reader.GetInt64(1)}, expected {vectors.Length}");
        }
    }

    private static IEnumerable<VectorRecord> Records(string[] words, float[][] vectors)
    {
        for (int i = 0; i < vectors.Length; i++)
        {
            yield return new VectorRecord(words[i], vectors[i]);
        }
    }

    /// <summary>Exact cosine top-k by brute force: normalized copies, one dot product per pair.</summary>
    private static int[][] GroundTruth(float[][] vectors, float[][] queries, int k)
    {
        float[][] unit = vectors.Select(Normalized).ToArray();
        var truth = new int[queries.Length][];
        Parallel.For(0, queries.Length, q =>
        {
            float[] query = Normalized(queries[q]);
            var best = new PriorityQueue<int, float>(k + 1);
            for (int i = 0; i < unit.Length; i++)
            {
                float score = TensorPrimitives.Dot(unit[i], query);
                if (best.Count < k)
                {
                    best.Enqueue(i, score);
                }
                else if (best.TryPeek(out _, out float worst) && score > worst)
                {
                    best.DequeueEnqueue(i, score);
                }
            }

            truth[q] = best.UnorderedItems.Select(x => x.Element).ToArray();
        });
        return truth;
    }

    private static float[] Normalized(float[] v)
    {
        float[] copy = (float[])v.Clone();
        float norm = TensorPrimitives.Norm(copy);
        if (norm > 0)
        {
            TensorPrimitives.Divide(copy, norm, copy);
        }

        return copy;
    }

    /// <summary>Reads word2vec binary: a "count dimensions" header line, then per word the word, a space and little-endian float32 values.</summary>
    private static (string[] Words, float[][] Vectors) ReadWord2Vec(string path, int limit)
    {
        using var stream = new BufferedStream(File.OpenRead(path), 1 << 20);
        string header = ReadToken(stream, '\n');
        string[] parts = header.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        int count = Math.Min(int.Parse(parts[0], CultureInfo.InvariantCulture), limit);
        int dimensions = int.Parse(parts[1], CultureInfo.InvariantCulture);
        var words = new string[count];
        var vectors = new float[count][];
        byte[] buffer = new byte[dimensions * 4];
        for (int i = 0; i < count; i++)
        {
            words[i] = ReadToken(stream, ' ').TrimStart('\n');
            stream.ReadExactly(buffer);
            vectors[i] = new float[dimensions];
            for (int d = 0; d < dimensions; d++)
            {
                vectors[i][d] = BitConverter.ToSingle(buffer, d * 4);
            }
        }

        return (words, vectors);
    }

    private static string ReadToken(Stream stream, char end)
    {
        var bytes = new List<byte>(32);
        int b;
        while ((b = stream.ReadByte()) >= 0 && b != end)
        {
            bytes.Add((byte)b);
        }

        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    private static string? Option(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private static int IntOption(string[] args, string name, int fallback) =>
        Option(args, name) is { } value ? int.Parse(value, CultureInfo.InvariantCulture) : fallback;

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Embeddings.Core.sln")))
            {
                return dir.FullName;
            }
        }

        return Directory.GetCurrentDirectory();
    }

    private sealed class SynchronousProgress(Action<PgVectorBulkProgress> report) : IProgress<PgVectorBulkProgress>
    {
        public void Report(PgVectorBulkProgress value) => report(value);
    }
}
