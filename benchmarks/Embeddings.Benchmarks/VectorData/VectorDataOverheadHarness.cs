using System.Diagnostics;
using System.Globalization;
using Embeddings.VectorData;
using Microsoft.Extensions.VectorData;

namespace Embeddings.Benchmarks.VectorData;

/// <summary>
/// The MEVD adapter's overhead: the same upserts, gets and searches through <see cref="EmbeddingsVectorStore"/>
/// collections and through our <see cref="IVectorIndex"/> directly, interleaved operation by operation (each batch,
/// get or block of 25 queries runs on both sides back to back, the order alternating) so both see the same machine load; medians
/// of the per-round totals.
/// Usage: <c>vectordata-overhead [rounds=7] [records=20000] [queries=500] [dimensions=384]</c>; rounds 0 times only the filter translation.
/// </summary>
internal static class VectorDataOverheadHarness
{
    private const int SearchBlock = 25;

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
        // The direct side starts from the same Doc objects and converts them to VectorRecords inside its timed upsert,
        // as an app on IVectorIndex does; the records carry the metadata the adapter gives the index for the same
        // record: the key (so filters on it translate) and the two data properties.
        static VectorRecord[] ToRecords(ReadOnlySpan<Doc> batch)
        {
            var converted = new VectorRecord[batch.Length];
            for (int i = 0; i < batch.Length; i++)
            {
                Doc d = batch[i];
                converted[i] = new VectorRecord(d.Id, d.Embedding, new Dictionary<string, object?> { ["Id"] = d.Id, ["Category"] = d.Category, ["Year"] = d.Year });
            }

            return converted;
        }

        float[][] queries = Enumerable.Range(0, queryCount).Select(_ => RandomUnit(random, dimensions)).ToArray();
        MetadataFilter directFilter = MetadataFilter.And(MetadataFilter.Equal("Category", "science"), MetadataFilter.Range("Year", 2000, null));

        // rounds = 0 times only the filter translation.
        foreach (string kind in rounds == 0 ? [] : new[] { EmbeddingsIndexKind.Flat, EmbeddingsIndexKind.Hnsw })
        {
            var times = new Dictionary<string, List<double>>();
            void Add(string name, double ms) => (times.TryGetValue(name, out var list) ? list : times[name] = []).Add(ms);
            int n = kind == EmbeddingsIndexKind.Hnsw ? Math.Min(count, 5_000) : count;
            string[] getKeys = Enumerable.Range(0, queryCount).Select(i => docs[(i * 7919) % n].Id).ToArray();

            for (int round = 0; round < rounds; round++)
            {
                // Each operation alternates between the two sides (the order flips every step), so both see the same load.
                var clock = Stopwatch.StartNew();
                using InMemoryVectorIndex index = kind == EmbeddingsIndexKind.Hnsw
                    ? new HnswIndex(dimensions, DistanceMetric.Cosine, new HnswIndexOptions { Seed = 42 })
                    : new FlatIndex(dimensions, DistanceMetric.Cosine);
                Add("create direct", clock.Elapsed.TotalMilliseconds);
                clock.Restart();
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

                double direct = 0, mevd = 0;
                long directBytes = 0, mevdBytes = 0;
                int directCollections = 0, mevdCollections = 0;
                double directPaused = 0, mevdPaused = 0;
                int step = round;
                async Task Both(Func<Task> directOp, Func<Task> mevdOp)
                {
                    bool directFirst = step++ % 2 == 0;
                    for (int pass = 0; pass < 2; pass++)
                    {
                        bool isDirect = (pass == 0) == directFirst;
                        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
                        int collectionsBefore = GC.CollectionCount(0);
                        TimeSpan pausedBefore = GC.GetTotalPauseDuration();
                        long start = Stopwatch.GetTimestamp();
                        await (isDirect ? directOp() : mevdOp());
                        double ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                        long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
                        int collections = GC.CollectionCount(0) - collectionsBefore;
                        double paused = (GC.GetTotalPauseDuration() - pausedBefore).TotalMilliseconds;
                        if (isDirect)
                        {
                            direct += ms;
                            directBytes += allocated;
                            directCollections += collections;
                            directPaused += paused;
                        }
                        else
                        {
                            mevd += ms;
                            mevdBytes += allocated;
                            mevdCollections += collections;
                            mevdPaused += paused;
                        }
                    }
                }

                void Record(string op)
                {
                    Add(op + " direct", direct);
                    Add(op + " MEVD", mevd);
                    Add(op + " direct bytes", directBytes);
                    Add(op + " MEVD bytes", mevdBytes);
                    Add(op + " direct gc", directCollections);
                    Add(op + " MEVD gc", mevdCollections);
                    Add(op + " direct pause", directPaused);
                    Add(op + " MEVD pause", mevdPaused);
                    direct = mevd = 0;
                    directBytes = mevdBytes = 0;
                    directCollections = mevdCollections = 0;
                    directPaused = mevdPaused = 0;
                }

                for (int i = 0; i < n; i += 1000)
                {
                    int from = i, to = Math.Min(n, i + 1000);
                    await Both(async () => await index.UpsertAsync(ToRecords(docs.AsSpan(from, to - from))), () => collection.UpsertAsync(docs[from..to]));
                }

                Record("upsert");

                // IVectorIndex has no get by key, so an app on it keeps its records in its own dictionary beside the index:
                // that lookup is the direct side of a get.
                var own = new Dictionary<string, Doc>(StringComparer.Ordinal);
                foreach (Doc doc in docs.AsSpan(0, n))
                {
                    own[doc.Id] = doc;
                }

                long sink = 0;
                foreach (string key in getKeys)
                {
                    await Both(
                        () =>
                        {
                            sink += own[key].Year;
                            return Task.CompletedTask;
                        },
                        async () => sink += (await collection.GetAsync(key))!.Year);
                }

                Record("get");
                // Searches run in blocks of queries, each block on both sides: a query repeated at once runs ~30% faster on
                // caches its first run warmed, which would swamp a few percent of overhead even with the order alternating.
                foreach (float[][] block in queries.Chunk(SearchBlock))
                {
                    await Both(
                        async () =>
                        {
                            foreach (float[] q in block)
                            {
                                sink += (await index.SearchAsync(q, 10)).Count;
                            }
                        },
                        async () =>
                        {
                            foreach (float[] q in block)
                            {
                                await foreach (var hit in collection.SearchAsync(new ReadOnlyMemory<float>(q), 10))
                                {
                                    sink++;
                                }
                            }
                        });
                }

                Record("search");

                // The filter is written inline with captured variables, as an app writes it: a new closure and tree per call.
                string category = "science";
                int minYear = 2000;
                foreach (float[][] block in queries.Chunk(SearchBlock))
                {
                    await Both(
                        async () =>
                        {
                            foreach (float[] q in block)
                            {
                                sink += (await index.SearchAsync(q, 10, new Embeddings.VectorSearchOptions { Filter = directFilter })).Count;
                            }
                        },
                        async () =>
                        {
                            foreach (float[] q in block)
                            {
                                var options = new Microsoft.Extensions.VectorData.VectorSearchOptions<Doc> { Filter = d => d.Category == category && d.Year >= minYear };
                                await foreach (var hit in collection.SearchAsync(new ReadOnlyMemory<float>(q), 10, options))
                                {
                                    sink++;
                                }
                            }
                        });
                }

                Record("filtered");
                GC.KeepAlive(sink);
            }

            Console.WriteLine();
            Console.WriteLine($"{kind} ({n} records): median ms over {rounds} rounds");
            Console.WriteLine("| operation | IVectorIndex direct (ms) | MEVD collection (ms) | overhead | per operation | allocated per operation, direct / MEVD | GCs during, direct / MEVD | GC pause during (ms), direct / MEVD |");
            Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");
            double totalDirect = 0, totalMevd = 0;
            foreach (string op in new[] { "upsert", "get", "search", "filtered" })
            {
                double d = Median(times[op + " direct"]), m = Median(times[op + " MEVD"]);
                totalDirect += d;
                totalMevd += m;
                (string label, double per, string unit) = op switch
                {
                    "upsert" => ($"upsert {n} records (batches of 1000)", n, "record"),
                    "get" => ($"{queryCount} gets by key (direct: the app's own dictionary)", queryCount, "get"),
                    "search" => ($"{queryCount} searches", queryCount, "query"),
                    _ => ($"{queryCount} filtered searches", queryCount, "query"),
                };
                Console.WriteLine($"| {label} | {d:F1} | {m:F1} | {(m / d - 1) * 100:+0.0;-0.0}% | {(m - d) * 1000 / per:+0.00;-0.00} µs per {unit} | {Median(times[op + " direct bytes"]) / per:F0} B / {Median(times[op + " MEVD bytes"]) / per:F0} B | {Median(times[op + " direct gc"]):F0} / {Median(times[op + " MEVD gc"]):F0} | {Median(times[op + " direct pause"]):F1} / {Median(times[op + " MEVD pause"]):F1} |");
            }

            Console.WriteLine($"| (create the index / store + collection, once) | {Median(times["create direct"]):F2} | {Median(times["create MEVD"]):F2} | | |");
            Console.WriteLine($"| all of the above | {totalDirect:F1} | {totalMevd:F1} | {(totalMevd / totalDirect - 1) * 100:+0.0;-0.0}% | |");
        }

        TimeTranslation();
        Console.WriteLine($"/proc/loadavg after: {File.ReadAllText("/proc/loadavg").Trim()}");
    }

    /// <summary>The filter translation alone, per call: through the collection's plan cache and compiled afresh each time.</summary>
    private static void TimeTranslation()
    {
        var definition = new VectorStoreCollectionDefinition
        {
            Properties =
            [
                new VectorStoreKeyProperty(nameof(Doc.Id), typeof(string)),
                new VectorStoreDataProperty(nameof(Doc.Category), typeof(string)) { IsIndexed = true },
                new VectorStoreDataProperty(nameof(Doc.Year), typeof(int)) { IsIndexed = true },
                new VectorStoreVectorProperty(nameof(Doc.Embedding), typeof(ReadOnlyMemory<float>), 4),
            ],
        };
#pragma warning disable MEVD9001 // the translation internals, timed on their own
        var model = new Embeddings.VectorData.Internal.EmbeddingsModelBuilder(dynamic: false).Build(typeof(Doc), typeof(string), definition, null);
        var cache = new Embeddings.VectorData.Internal.FilterCache(model);
        var times = new List<double>[4] { [], [], [], [] };
        var bytes = new List<double>[4] { [], [], [], [] };
        string category = "science";
        const int calls = 2000;
        for (int round = 0; round < 5; round++)
        {
            for (int mode = 0; mode < 4; mode++)
            {
                long sink = 0;
                long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
                long start = Stopwatch.GetTimestamp();
                for (int i = 0; i < calls; i++)
                {
                    int minYear = 2000 + (i % 10);

                    // The tree is built by the compiler's code each call, as an inline filter is; mode 0 times that alone.
                    System.Linq.Expressions.Expression<Func<Doc, bool>> filter = d => d.Category == category && d.Year >= minYear;
                    sink += mode switch
                    {
                        0 => filter.Parameters.Count,
                        1 => cache.Translate(filter) is null ? 0 : 1,
                        3 => Embeddings.VectorData.Internal.FilterShape.Of(filter).GetHashCode(),
                        _ => Embeddings.VectorData.Internal.FilterTranslator.Translate(filter, model) is null ? 0 : 1,
                    };
                }

                times[mode].Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds * 1000 / calls);
                bytes[mode].Add((GC.GetAllocatedBytesForCurrentThread() - allocatedBefore) / (double)calls);
                GC.KeepAlive(sink);
            }
        }
#pragma warning restore MEVD9001

        Console.WriteLine();
        Console.WriteLine($"filter `d => d.Category == category && d.Year >= minYear`, a new tree per call, median of 5 x {calls} calls:");
        Console.WriteLine($"  building the tree (the app's inline lambda): {Median(times[0]):F2} µs; translating through the plan cache: {Median(times[1]) - Median(times[0]):F2} µs more; compiling the plan afresh: {Median(times[2]) - Median(times[0]):F2} µs more");
        Console.WriteLine($"  (the shape alone: {Median(times[3]) - Median(times[0]):F2} µs)");
        Console.WriteLine($"  allocated per call: building the tree {Median(bytes[0]):F0} B; translating through the plan cache {Median(bytes[1]) - Median(bytes[0]):F0} B more");
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
