using Embeddings.Testing;
using System.Collections.Concurrent;
using System.Diagnostics;
using Embeddings.Indexing.Internal;
using Embeddings.Testing.Indexing;

namespace Embeddings.Core.Tests.Indexing;

public sealed class HnswIndexTests
{
    private static readonly Lazy<List<(string Word, float[] Vector)>> Glove = new(() => GloveVectors.Base(6000));
    private static readonly Lazy<List<(string Word, float[] Vector)>> GloveQueries = new(() => GloveVectors.Queries(1000));

    private static float[] RandomVector(Random random, int dims)
    {
        var v = new float[dims];
        for (int i = 0; i < dims; i++)
        {
            v[i] = (float)((random.NextDouble() * 2) - 1);
        }

        return v;
    }

    private static double Recall(HnswIndex index, IReadOnlyList<(string Word, float[] Vector)> live, IReadOnlyList<(string Word, float[] Vector)> queries, int k, int ef)
    {
        int hits = 0;
        foreach ((_, float[] query) in queries)
        {
            HashSet<string> truth = live
                .Select(x => (x.Word, Score: VectorMath.Cosine(query, x.Vector)))
                .OrderByDescending(x => x.Score)
                .Take(k)
                .Select(x => x.Word)
                .ToHashSet(StringComparer.Ordinal);
            hits += index.Search(query, k, new VectorSearchOptions { EfSearch = ef }).Count(h => truth.Contains(h.Key));
        }

        return hits / (double)(queries.Count * k);
    }

    [SharedFact("data/glove-ann", "models/glove-6B-100d-top100k")]
    public void Recall_after_deleting_30_percent_and_inserting_as_many_stays_within_001_of_a_fresh_build()
    {
        List<(string Word, float[] Vector)> all = Glove.Value;
        var initial = all.Take(4000).ToList();
        var added = all.Skip(4000).Take(1200).ToList();
        var options = new HnswIndexOptions { M = 16, EfConstruction = 100, Seed = 7 };
        using var churned = new HnswIndex(100, DistanceMetric.Cosine, options);
        foreach ((string word, float[] vector) in initial)
        {
            churned.Add(word, vector);
        }

        var random = new Random(11);
        var removed = initial.OrderBy(_ => random.Next()).Take(1200).Select(x => x.Word).ToHashSet(StringComparer.Ordinal);
        foreach (string word in removed)
        {
            Assert.True(churned.Remove(word));
        }

        Assert.InRange(churned.TombstoneCount, 1199, 1200); // the entry point's slot is never reused
        foreach ((string word, float[] vector) in added)
        {
            churned.Add(word, vector);
        }

        Assert.Equal(0, churned.TombstoneCount);
        Assert.Equal(4000, churned.Count);
        var live = initial.Where(x => !removed.Contains(x.Word)).Concat(added).ToList();
        using var fresh = new HnswIndex(100, DistanceMetric.Cosine, options);
        foreach ((string word, float[] vector) in live)
        {
            fresh.Add(word, vector);
        }

        foreach (int ef in new[] { 40, 80, 160 })
        {
            double churnedRecall = Recall(churned, live, GloveQueries.Value, 10, ef);
            double freshRecall = Recall(fresh, live, GloveQueries.Value, 10, ef);
            Assert.True(churnedRecall >= freshRecall - 0.01, $"ef {ef}: recall after churn {churnedRecall:F4}, fresh build {freshRecall:F4}");
            Assert.True(freshRecall > 0.8, $"ef {ef}: fresh recall {freshRecall:F4} is implausibly low");
        }
    }

    [SharedFact("data/glove-ann", "models/glove-6B-100d-top100k")]
    public async Task Four_writers_and_four_readers_keep_every_invariant()
    {
        const int dims = 16;
        using var index = new HnswIndex(dims, DistanceMetric.Cosine, new HnswIndexOptions { M = 12, EfConstruction = 64, InitialCapacity = 64 });
        var vectors = new ConcurrentDictionary<string, float[]>(StringComparer.Ordinal);
        var removedAt = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        long clock = 0;
        long inserts = 0;
        long removes = 0;
        var errors = new ConcurrentQueue<string>();
        var deadline = Stopwatch.StartNew();
        TimeSpan duration = TimeSpan.FromSeconds(3);

        // Dedicated threads, not pool tasks: on a loaded 2-core machine pool tasks can start only after the deadline.
        Task[] writers = Enumerable.Range(0, 4).Select(w => Task.Factory.StartNew(() =>
        {
            var random = new Random(100 + w);
            var mine = new List<string>();
            int next = 0;
            while (deadline.Elapsed < duration)
            {
                if (mine.Count < 50 || (mine.Count < 1200 && random.NextDouble() < 0.65))
                {
                    string key = $"w{w}-{next++}";
                    float[] vector = RandomVector(random, dims);
                    vectors[key] = vector;
                    index.Add(key, vector, new Dictionary<string, object?> { ["writer"] = (long)w });
                    mine.Add(key);
                    Interlocked.Increment(ref inserts);
                }
                else if (random.NextDouble() < 0.2)
                {
                    // Replace an existing key's vector: update is remove plus insert under one key.
                    string key = mine[random.Next(mine.Count)];
                    float[] vector = RandomVector(random, dims);
                    vectors[key] = vector;
                    index.Add(key, vector, new Dictionary<string, object?> { ["writer"] = (long)w });
                }
                else
                {
                    int at = random.Next(mine.Count);
                    string key = mine[at];
                    mine[at] = mine[^1];
                    mine.RemoveAt(mine.Count - 1);
                    if (!index.Remove(key))
                    {
                        errors.Enqueue($"remove of live key {key} returned false");
                    }

                    removedAt[key] = Interlocked.Increment(ref clock);
                    Interlocked.Increment(ref removes);
                }
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();

        long searches = 0;
        Task[] readers = Enumerable.Range(0, 4).Select(r => Task.Factory.StartNew(() =>
        {
            var random = new Random(200 + r);
            int mine = 0;
            while (deadline.Elapsed < duration || mine < 50)
            {
                mine++;
                float[] query = RandomVector(random, dims);
                long started = Interlocked.Read(ref clock);
                VectorSearchOptions options = r % 2 == 0
                    ? new VectorSearchOptions { EfSearch = 32 }
                    : new VectorSearchOptions { Filter = MetadataFilter.Equal("writer", (long)r) };
                IReadOnlyList<VectorSearchResult> hits = index.Search(query, 10, options);
                Interlocked.Increment(ref searches);
                for (int i = 0; i < hits.Count; i++)
                {
                    VectorSearchResult hit = hits[i];
                    if (removedAt.TryGetValue(hit.Key, out long when) && when <= started)
                    {
                        errors.Enqueue($"removed key {hit.Key} returned by a search that started after its removal");
                    }

                    if (i > 0 && hits[i - 1].Score < hit.Score)
                    {
                        errors.Enqueue("results out of order");
                    }

                    if (options.Filter is not null && !options.Filter.Matches(hit.Metadata))
                    {
                        errors.Enqueue($"filtered search returned {hit.Key} from another writer");
                    }
                }
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();

        await Task.WhenAll(writers.Concat(readers));

        Assert.Empty(errors);
        Assert.True(searches > 100, $"only {searches} searches ran");
        Assert.Equal(inserts - removes, index.Count);
        HashSet<string> live = vectors.Keys.Where(k => !removedAt.ContainsKey(k)).ToHashSet(StringComparer.Ordinal);
        Assert.Equal(live.Count, index.Count);
        int graphHits = 0;
        foreach (string key in live)
        {
            IReadOnlyList<VectorSearchResult> exact = index.SearchExact(vectors[key], 1);
            Assert.Equal(key, exact[0].Key);
            Assert.Equal(1f, exact[0].Score, 1e-4f);
            IReadOnlyList<VectorSearchResult> approximate = index.Search(vectors[key], 1, new VectorSearchOptions { EfSearch = 64 });
            graphHits += approximate.Count == 1 && approximate[0].Key == key ? 1 : 0;
            Assert.DoesNotContain(approximate, h => removedAt.ContainsKey(h.Key));
        }

        Assert.True(graphHits >= live.Count * 0.98, $"graph search found {graphHits} of {live.Count} live keys as their own nearest neighbour");
    }

    [SharedFact("data/glove-ann", "models/glove-6B-100d-top100k")]
    public void Filtered_search_is_exact_when_the_filter_admits_few_and_only_returns_admitted_records_otherwise()
    {
        var random = new Random(5);
        var vectors = Enumerable.Range(0, 3000).Select(_ => RandomVector(random, 24)).ToList();
        using var index = new HnswIndex(24, DistanceMetric.Euclidean, new HnswIndexOptions { M = 12, EfConstruction = 80, Seed = 3, FilteredExactSearchThreshold = 100 });
        for (int i = 0; i < vectors.Count; i++)
        {
            index.Add($"v{i}", vectors[i], new Dictionary<string, object?> { ["rare"] = i % 100 == 0, ["half"] = i % 2 });
        }

        for (int q = 0; q < 20; q++)
        {
            float[] query = RandomVector(random, 24);
            MetadataFilter rare = MetadataFilter.Equal("rare", true);
            string[] expected = Enumerable.Range(0, vectors.Count).Where(i => i % 100 == 0)
                .OrderBy(i => VectorMath.EuclideanSquared(query, vectors[i])).Take(10).Select(i => $"v{i}").ToArray();
            Assert.Equal(expected, index.Search(query, 10, new VectorSearchOptions { Filter = rare, EfSearch = 10 }).Select(h => h.Key).ToArray());

            MetadataFilter half = MetadataFilter.Equal("half", 1);
            IReadOnlyList<VectorSearchResult> hits = index.Search(query, 10, new VectorSearchOptions { Filter = half, EfSearch = 64 });
            Assert.Equal(10, hits.Count);
            Assert.All(hits, h => Assert.True(int.Parse(h.Key[1..], System.Globalization.CultureInfo.InvariantCulture) % 2 == 1));
        }
    }

    [SharedFact("data/glove-ann", "models/glove-6B-100d-top100k")]
    public void Same_seed_and_order_build_the_same_graph_byte_for_byte()
    {
        var random = new Random(9);
        var vectors = Enumerable.Range(0, 800).Select(_ => RandomVector(random, 12)).ToList();
        string directory = Directory.CreateTempSubdirectory("hnsw-seed-").FullName;
        try
        {
            string[] paths = new string[2];
            for (int copy = 0; copy < 2; copy++)
            {
                using var index = new HnswIndex(12, DistanceMetric.Cosine, new HnswIndexOptions { M = 8, EfConstruction = 40, Seed = 1234 });
                for (int i = 0; i < vectors.Count; i++)
                {
                    index.Add($"k{i}", vectors[i]);
                }

                paths[copy] = Path.Combine(directory, $"copy{copy}.hnsw");
                index.Save(paths[copy]);
            }

            Assert.Equal(File.ReadAllBytes(paths[0]), File.ReadAllBytes(paths[1]));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [SharedFact("data/glove-ann", "models/glove-6B-100d-top100k")]
    public void Invalid_options_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new HnswIndex(8, DistanceMetric.Cosine, new HnswIndexOptions { M = 1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new HnswIndex(8, DistanceMetric.Cosine, new HnswIndexOptions { EfConstruction = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new HnswIndex(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new HnswIndex(8, DistanceMetric.Hamming));
        Assert.Throws<ArgumentException>(() => new HnswIndex(8, DistanceMetric.Cosine, null, new EmbedderFingerprint("m", null, null, true, 16)));
    }

    [Fact]
    public void An_upsert_that_moves_a_key_during_a_search_does_not_return_the_key_twice()
    {
        using var index = new HnswIndex(4, DistanceMetric.DotProduct, new HnswIndexOptions { Seed = 1, ReuseRemovedSlots = true });
        index.Add("entry", [0, 0, 0, 1]); // the entry point's slot is never reused, so it is not one of the two below
        index.Add("a", [1, 0, 0, 0]);
        index.Add("b", [0.9f, 0.1f, 0, 0]);
        bool moved = false;
        HnswIndex.MaterializeObserverForTesting = written =>
        {
            if (written == 1 && !moved)
            {
                moved = true;

                // After "a" (slot 1) is written: free "b"'s slot 2 and upsert "a" into it. The search holds the
                // structure lock shared on this thread, so the writer runs on another.
                Task.Run(() =>
                {
                    index.Remove("b");
                    index.Add("a", [1, 0, 0, 0]);
                }).Wait();
            }
        };
        IReadOnlyList<VectorSearchResult> hits;
        try
        {
            hits = index.SearchExact([1, 0, 0, 0], 3);
        }
        finally
        {
            HnswIndex.MaterializeObserverForTesting = null;
        }

        Assert.True(moved);
        Assert.Equal(hits.Select(h => h.Key).Distinct(), hits.Select(h => h.Key));
        Assert.Equal("a", hits[0].Key);
    }

    [Fact]
    public async Task Concurrent_upserts_of_hot_keys_never_put_one_key_twice_in_a_result()
    {
        using var index = new HnswIndex(8, DistanceMetric.Cosine, new HnswIndexOptions { Seed = 7, M = 8, EfConstruction = 32 });
        var random = new Random(3);
        float[] Next()
        {
            lock (random)
            {
                return Enumerable.Range(0, 8).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
            }
        }

        for (int i = 0; i < 8; i++)
        {
            index.Add($"hot-{i}", Next());
        }

        int writesLeft = 4 * 3000;
        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(() =>
        {
            while (Interlocked.Decrement(ref writesLeft) >= 0)
            {
                index.Add($"hot-{Random.Shared.Next(8)}", Next());
            }
        })).ToArray();
        var searchers = Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
        {
            int lists = 0;
            while (Volatile.Read(ref writesLeft) > 0 || lists < 50)
            {
                IReadOnlyList<VectorSearchResult> hits = index.Search(Next(), 8);
                Assert.Equal(hits.Count, hits.Select(h => h.Key).Distinct().Count());
                lists++;
            }
        })).ToArray();

        await Task.WhenAll(writers.Concat(searchers));
        Assert.Equal(8, index.Count);
    }
}
