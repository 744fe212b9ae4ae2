using System.Diagnostics;
using System.Globalization;
using Embeddings.VectorData;
using Microsoft.Extensions.VectorData;

namespace Embeddings.Benchmarks.VectorData;

/// <summary>
/// The MEVD adapter's overhead: the same upserts and searches through <see cref="EmbeddingsVectorStore"/> collections
/// and through our <see cref="IVectorIndex"/> directly, interleaved round by round (the order alternates) so both see
/// the same machine load; medians over the rounds.
/// Usage: <c>vectordata-overhead [rounds=7] [records=20000] [queries=500] [dimensions=384]</c>.
/// </summary>
internal static class VectorDataOverheadHarness
{
    public sealed class Doc
    {
        [VectorStoreKey]
        public string Id { get; set; } = string.Empty;

        [VectorStoreData(IsIndexed = true)]
        public string Category { get; set; } = string.Empty;

        [VectorStoreData(IsIndexed = true)]
        public int Year { get; set; }

        public ReadOnlyMemory<float> Embedding { get; set; }
    }

    public static async Task RunAsync(string[] args)
    {
        int rounds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 7;
        int count = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20_000;
        int queryCount = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 500;
        int dimensions = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 384;
        Console.WriteLine($"/proc/loadavg before: {File.ReadAllText("/proc/loadavg").Trim()}; {Environment.ProcessorCount} cores; {rounds} rounds; {count} records x {dimensions} dims; {queryCount} queries, k = 10");

        var random = new Random(7);
        string[] categories = ["science", "sports", "politics", "arts"];
        Doc[] docs = Enumerable.Range(0, count).Select(i => new Doc
        {
            Id = "d" + i.ToString(CultureInfo.InvariantCulture),
            Category = categories[i % categories.Length],
            Year = 1990 + (i % 30),
            Embedding = RandomUnit(random, dimensions),
        }).ToArray();
        VectorRecord[] records = docs.Select(d => new VectorRecord(d.Id, d.Embedding, new Dictionary<string, object?> { ["Category"] = d.Category, ["Year"] = d.Year })).ToArray();
        float[][] queries = Enumerable.Range(0, queryCount).Select(_ => RandomUnit(random, dimensions)).ToArray();
        MetadataFilter directFilter = MetadataFilter.And(MetadataFilter.Equal("Category", "science"), MetadataFilter.Range("Year", 2000, null));

        foreach (string kind in new[] { EmbeddingsIndexKind.Flat, EmbeddingsIndexKind.Hnsw })
        {
            var times = new Dictionary<string, List<double>>();
            void Add(string name, double ms) => (times.TryGetValue(name, out var list) ? list : times[name] = []).Add(ms);
            int hnswRecords = Math.Min(count, 5_000);
            int n = kind == EmbeddingsIndexKind.Hnsw ? hnswRecords : count;

            for (int round = 0; round < rounds; round++)
            {
                bool directFirst = round % 2 == 0;
                for (int pass = 0; pass < 2; pass++)
                {
                    bool direct = (pass == 0) == directFirst;
                    var clock = Stopwatch.StartNew();
                    if (direct)
                    {
                        using InMemoryVectorIndex index = kind == EmbeddingsIndexKind.Hnsw
                            ? new HnswIndex(dimensions, DistanceMetric.Cosine, new HnswIndexOptions { Seed = 42 })
                            : new FlatIndex(dimensions, DistanceMetric.Cosine);
                        Add("create direct", clock.Elapsed.TotalMilliseconds);
                        clock.Restart();
                        for (int i = 0; i < n; i += 1000)
                        {
                            await index.UpsertAsync(records[i..Math.Min(n, i + 1000)]);
                        }

                        Add("upsert direct", clock.Elapsed.TotalMilliseconds);
                        clock.Restart();
                        long sink = 0;
                        foreach (float[] q in queries)
                        {
                            sink += (await index.SearchAsync(q, 10)).Count;
                        }

                        Add("search direct", clock.Elapsed.TotalMilliseconds);
                        clock.Restart();
                        foreach (float[] q in queries)
                        {
                            sink += (await index.SearchAsync(q, 10, new Embeddings.VectorSearchOptions { Filter = directFilter })).Count;
                        }

                        Add("filtered direct", clock.Elapsed.TotalMilliseconds);
                        GC.KeepAlive(sink);
                    }
                    else
                    {
                        using var store = new EmbeddingsVectorStore(new EmbeddingsVectorStoreOptions { HnswSeed = 42 });
                        var definition = new VectorStoreCollectionDefinition
                        {
                            Properties =
                            [
                                new VectorStoreKeyProperty(nameof(Doc.Id), typeof(string)),
                                new VectorStoreDataProperty(nameof(Doc.Category), typeof(string)) { IsIndexed = true },
                                new VectorStoreDataProperty(nameof(Doc.Year), typeof(int)) { IsIndexed = true },
                                new VectorStoreVectorProperty(nameof(Doc.Embedding), typeof(ReadOnlyMemory<float>), dimensions) { DistanceFunction = DistanceFunction.CosineSimilarity, IndexKind = kind },
                            ],
                        };
                        var collection = store.GetCollection<string, Doc>("docs", definition);
                        await collection.EnsureCollectionExistsAsync();

                        // Building the MEVD model (reflection over the record type) is a once-per-collection cost, timed apart.
                        Add("create MEVD", clock.Elapsed.TotalMilliseconds);
                        clock.Restart();
                        for (int i = 0; i < n; i += 1000)
                        {
                            await collection.UpsertAsync(docs[i..Math.Min(n, i + 1000)]);
                        }

                        Add("upsert MEVD", clock.Elapsed.TotalMilliseconds);
                        clock.Restart();
                        long sink = 0;
                        foreach (float[] q in queries)
                        {
                            await foreach (var hit in collection.SearchAsync(new ReadOnlyMemory<float>(q), 10))
                            {
                                sink++;
                            }
                        }

                        Add("search MEVD", clock.Elapsed.TotalMilliseconds);
                        clock.Restart();
                        var options = new Microsoft.Extensions.VectorData.VectorSearchOptions<Doc> { Filter = d => d.Category == "science" && d.Year >= 2000 };
                        foreach (float[] q in queries)
                        {
                            await foreach (var hit in collection.SearchAsync(new ReadOnlyMemory<float>(q), 10, options))
                            {
                                sink++;
                            }
                        }

                        Add("filtered MEVD", clock.Elapsed.TotalMilliseconds);
                        GC.KeepAlive(sink);
                    }
                }
            }

            Console.WriteLine();
            Console.WriteLine($"{kind} ({n} records): median ms over {rounds} rounds");
            Console.WriteLine("| operation | IVectorIndex direct | MEVD collection | overhead |");
            Console.WriteLine("|---|---:|---:|---:|");
            double totalDirect = 0, totalMevd = 0;
            foreach (string op in new[] { "upsert", "search", "filtered" })
            {
                double d = Median(times[op + " direct"]), m = Median(times[op + " MEVD"]);
                totalDirect += d;
                totalMevd += m;
                string label = op switch { "upsert" => $"upsert {n} records (batches of 1000)", "search" => $"{queryCount} searches", _ => $"{queryCount} filtered searches" };
                Console.WriteLine($"| {label} | {d:F1} | {m:F1} | {(m / d - 1) * 100:+0.0;-0.0}% |");
            }

            Console.WriteLine($"| (create the index / store + collection, once) | {Median(times["create direct"]):F2} | {Median(times["create MEVD"]):F2} | |");
            Console.WriteLine($"| all of the above | {totalDirect:F1} | {totalMevd:F1} | {(totalMevd / totalDirect - 1) * 100:+0.0;-0.0}% |");
        }

        Console.WriteLine($"/proc/loadavg after: {File.ReadAllText("/proc/loadavg").Trim()}");
    }

    private static double Median(List<double> values)
    {
        double[] sorted = [.. values.Order()];
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static float[] RandomUnit(Random random, int dimensions)
    {
        var v = new float[dimensions];
        double norm = 0;
        for (int i = 0; i < dimensions; i++)
        {
            v[i] = (float)((random.NextDouble() * 2) - 1);
            norm += v[i] * v[i];
        }

        float scale = (float)(1 / Math.Sqrt(norm));
        for (int i = 0; i < dimensions; i++)
        {
            v[i] *= scale;
        }

        return v;
    }
}
