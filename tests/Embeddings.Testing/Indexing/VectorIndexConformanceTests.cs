namespace Embeddings.Testing.Indexing;

/// <summary>
/// The behaviour every <see cref="IVectorIndex"/> backend must share: upsert, update, remove, ordering, filtered
/// search, metadata round trip, fingerprint locking and bad input. Derive a test class from it and implement
/// <see cref="CreateIndexAsync"/>; every test creates its own index.
/// </summary>
/// <remarks>
/// The data sets are small (at most a few hundred vectors) so an approximate backend that searches with
/// <see cref="VectorSearchOptions.EfSearch"/> = <see cref="GenerousEfSearch"/> sees every candidate and must
/// return exact answers.
/// </remarks>
public abstract class VectorIndexConformanceTests
{
    /// <summary>The search effort the tests pass to approximate indexes; large enough to make them exact on these sizes.</summary>
    protected const int GenerousEfSearch = 400;

    /// <summary>The vector length used by most tests.</summary>
    protected const int Dimensions = 8;

    /// <summary>The tolerance on scores compared with the scalar reference.</summary>
    protected virtual float ScoreTolerance => 1e-4f;

    /// <summary>Creates an empty index.</summary>
    /// <param name="dimensions">The vector length.</param>
    /// <param name="metric">The metric.</param>
    /// <param name="fingerprint">The embedder fingerprint the index is locked to, or <see langword="null"/>.</param>
    /// <returns>The index; the test disposes it.</returns>
    protected abstract Task<IVectorIndex> CreateIndexAsync(int dimensions, DistanceMetric metric, EmbedderFingerprint? fingerprint);

    /// <summary>Gets the metrics the backend supports; tests that loop over metrics use these.</summary>
    protected virtual IReadOnlyList<DistanceMetric> SupportedMetrics { get; } = [DistanceMetric.Cosine, DistanceMetric.DotProduct, DistanceMetric.Euclidean];

    /// <summary>Search options that make approximate indexes exact on the small test sets.</summary>
    /// <param name="filter">An optional filter.</param>
    /// <param name="fingerprint">An optional query fingerprint.</param>
    /// <returns>The options.</returns>
    protected static VectorSearchOptions Exhaustive(MetadataFilter? filter = null, EmbedderFingerprint? fingerprint = null) =>
        new() { EfSearch = GenerousEfSearch, Filter = filter, Fingerprint = fingerprint };

    /// <summary>Makes <paramref name="count"/> seeded random records with metadata: <c>group</c> (i % 4, long), <c>even</c> (bool), <c>name</c> (string), <c>weight</c> (double i / 10).</summary>
    /// <param name="count">How many.</param>
    /// <param name="dimensions">The vector length.</param>
    /// <param name="seed">The random seed.</param>
    /// <param name="prefix">The key prefix.</param>
    /// <returns>The records.</returns>
    protected static List<VectorRecord> MakeRecords(int count, int dimensions = Dimensions, int seed = 42, string prefix = "doc-")
    {
        var random = new Random(seed);
        var records = new List<VectorRecord>(count);
        for (int i = 0; i < count; i++)
        {
            var vector = new float[dimensions];
            for (int d = 0; d < dimensions; d++)
            {
                vector[d] = (float)((random.NextDouble() * 2) - 1);
            }

            var metadata = new Dictionary<string, object?>
            {
                ["group"] = (long)(i % 4),
                ["even"] = i % 2 == 0,
                ["name"] = $"name-{i}",
                ["weight"] = i / 10.0,
            };
            records.Add(new VectorRecord($"{prefix}{i}", vector, metadata));
        }

        return records;
    }

    /// <summary>The exact top-k by the scalar reference, optionally filtered.</summary>
    /// <param name="records">The live records.</param>
    /// <param name="metric">The metric.</param>
    /// <param name="query">The query.</param>
    /// <param name="k">How many.</param>
    /// <param name="filter">An optional filter.</param>
    /// <returns>(key, score) best first.</returns>
    protected static List<(string Key, float Score)> BruteForce(IEnumerable<VectorRecord> records, DistanceMetric metric, float[] query, int k, MetadataFilter? filter = null) =>
        records
            .Where(r => filter is null || filter.Matches(r.Metadata))
            .Select(r => (r.Key, Score: ReferenceScore(metric, query, r.Vector.Span)))
            .OrderByDescending(x => x.Score)
            .ThenBy(x => x.Key, StringComparer.Ordinal)
            .Take(k)
            .ToList();

    /// <summary>A plain scalar score, double precision, following the <see cref="DistanceMetric"/> convention.</summary>
    /// <param name="metric">The metric.</param>
    /// <param name="a">The first vector.</param>
    /// <param name="b">The second vector.</param>
    /// <returns>The score.</returns>
    protected static float ReferenceScore(DistanceMetric metric, ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double dot = 0, aa = 0, bb = 0, l2 = 0, l1 = 0;
        for (int i = 0; i < a.Length; i++)
        {
            dot += (double)a[i] * b[i];
            aa += (double)a[i] * a[i];
            bb += (double)b[i] * b[i];
            double diff = (double)a[i] - b[i];
            l2 += diff * diff;
            l1 += Math.Abs(diff);
        }

        return metric switch
        {
            DistanceMetric.Cosine => aa == 0 || bb == 0 ? 0f : (float)(dot / Math.Sqrt(aa * bb)),
            DistanceMetric.DotProduct => (float)dot,
            DistanceMetric.Euclidean => (float)-Math.Sqrt(l2),
            DistanceMetric.EuclideanSquared => (float)-l2,
            DistanceMetric.Manhattan => (float)-l1,
            _ => throw new ArgumentOutOfRangeException(nameof(metric)),
        };
    }

    private async Task<IVectorIndex> CreateFilledAsync(int count, DistanceMetric metric = DistanceMetric.Cosine, EmbedderFingerprint? fingerprint = null)
    {
        IVectorIndex index = await CreateIndexAsync(Dimensions, metric, fingerprint);
        await index.UpsertAsync(MakeRecords(count), fingerprint);
        return index;
    }

    [Fact]
    public async Task New_index_reports_its_shape_and_is_empty()
    {
        var fingerprint = new EmbedderFingerprint("test/model", "r1", "mean", true, Dimensions);
        using IVectorIndex index = await CreateIndexAsync(Dimensions, DistanceMetric.Cosine, fingerprint);

        Assert.Equal(Dimensions, index.Dimensions);
        Assert.Equal(DistanceMetric.Cosine, index.Metric);
        Assert.Equal(fingerprint, index.Fingerprint);
        Assert.Equal(0, await index.CountAsync());
        Assert.Empty(await index.SearchAsync(new float[Dimensions] { 1, 0, 0, 0, 0, 0, 0, 0 }, 5, Exhaustive()));
    }

    [Fact]
    public async Task Upsert_makes_every_record_findable_as_its_own_nearest_neighbour()
    {
        List<VectorRecord> records = MakeRecords(120);
        using IVectorIndex index = await CreateIndexAsync(Dimensions, DistanceMetric.Cosine, null);
        await index.UpsertAsync(records);

        Assert.Equal(120, await index.CountAsync());
        foreach (VectorRecord record in records)
        {
            IReadOnlyList<VectorSearchResult> hits = await index.SearchAsync(record.Vector, 1, Exhaustive());
            Assert.Single(hits);
            Assert.Equal(record.Key, hits[0].Key);
            Assert.Equal(1f, hits[0].Score, ScoreTolerance);
        }
    }

    [Fact]
    public async Task Search_matches_the_scalar_reference_for_every_metric()
    {
        List<VectorRecord> records = MakeRecords(150, seed: 7);
        var queries = MakeRecords(10, seed: 99, prefix: "q-");
        foreach (DistanceMetric metric in SupportedMetrics)
        {
            using IVectorIndex index = await CreateIndexAsync(Dimensions, metric, null);
            await index.UpsertAsync(records);
            foreach (VectorRecord query in queries)
            {
                float[] q = query.Vector.ToArray();
                List<(string Key, float Score)> expected = BruteForce(records, metric, q, 10);
                IReadOnlyList<VectorSearchResult> actual = await index.SearchAsync(q, 10, Exhaustive());

                Assert.Equal(expected.Count, actual.Count);
                for (int i = 0; i < expected.Count; i++)
                {
                    Assert.Equal(expected[i].Score, actual[i].Score, ScoreTolerance);
                    VectorRecord hit = records.Single(r => r.Key == actual[i].Key);
                    Assert.Equal(ReferenceScore(metric, q, hit.Vector.Span), actual[i].Score, ScoreTolerance);
                }

                Assert.Equal(expected.Select(e => e.Key).ToHashSet(), actual.Select(a => a.Key).ToHashSet());
            }
        }
    }

    [Fact]
    public async Task Results_are_ordered_by_descending_score_and_at_most_k()
    {
        using IVectorIndex index = await CreateFilledAsync(60);
        float[] query = MakeRecords(1, seed: 5)[0].Vector.ToArray();

        IReadOnlyList<VectorSearchResult> hits = await index.SearchAsync(query, 7, Exhaustive());

        Assert.Equal(7, hits.Count);
        for (int i = 1; i < hits.Count; i++)
        {
            Assert.True(hits[i - 1].Score >= hits[i].Score, $"result {i} scores {hits[i].Score} above result {i - 1} ({hits[i - 1].Score})");
        }

        Assert.Equal(hits.Count, hits.Select(h => h.Key).Distinct().Count());
    }

    [Fact]
    public async Task K_larger_than_the_count_returns_every_record()
    {
        using IVectorIndex index = await CreateFilledAsync(9);
        IReadOnlyList<VectorSearchResult> hits = await index.SearchAsync(MakeRecords(1, seed: 3)[0].Vector, 50, Exhaustive());
        Assert.Equal(9, hits.Count);
    }

    [Fact]
    public async Task Upserting_an_existing_key_replaces_vector_and_metadata_without_growing()
    {
        using IVectorIndex index = await CreateFilledAsync(40);
        float[] replacement = [0, 0, 0, 0, 0, 0, 0, 1];
        var metadata = new Dictionary<string, object?> { ["group"] = 99L, ["tag"] = "replaced" };

        await index.UpsertAsync([new VectorRecord("doc-3", replacement, metadata)]);

        Assert.Equal(40, await index.CountAsync());
        IReadOnlyList<VectorSearchResult> hits = await index.SearchAsync(replacement, 1, Exhaustive());
        Assert.Equal("doc-3", hits[0].Key);
        Assert.Equal(1f, hits[0].Score, ScoreTolerance);
        Assert.NotNull(hits[0].Metadata);
        Assert.Equal(99L, Convert.ToInt64(hits[0].Metadata!["group"], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("replaced", hits[0].Metadata!["tag"]);
        Assert.False(hits[0].Metadata!.ContainsKey("name"));

        // The old vector must be gone: searching for it must not return doc-3 with its old score.
        VectorRecord old = MakeRecords(40)[3];
        IReadOnlyList<VectorSearchResult> oldHits = await index.SearchAsync(old.Vector, 40, Exhaustive());
        VectorSearchResult doc3 = Assert.Single(oldHits, h => h.Key == "doc-3");
        Assert.Equal(ReferenceScore(DistanceMetric.Cosine, old.Vector.Span, replacement), doc3.Score, ScoreTolerance);
    }

    [Fact]
    public async Task Remove_deletes_existing_keys_ignores_missing_ones_and_reports_the_count()
    {
        List<VectorRecord> records = MakeRecords(50);
        using IVectorIndex index = await CreateIndexAsync(Dimensions, DistanceMetric.Cosine, null);
        await index.UpsertAsync(records);

        int removed = await index.RemoveAsync(["doc-1", "doc-2", "missing", "doc-1"]);

        Assert.Equal(2, removed);
        Assert.Equal(48, await index.CountAsync());
        Assert.Equal(0, await index.RemoveAsync(["doc-1"]));
        foreach (VectorRecord record in records.Take(5))
        {
            IReadOnlyList<VectorSearchResult> hits = await index.SearchAsync(record.Vector, 50, Exhaustive());
            Assert.DoesNotContain(hits, h => h.Key is "doc-1" or "doc-2");
            Assert.Equal(48, hits.Count);
        }
    }

    [Fact]
    public async Task Removed_key_can_be_inserted_again()
    {
        using IVectorIndex index = await CreateFilledAsync(20);
        await index.RemoveAsync(["doc-5"]);
        float[] vector = [1, 1, 1, 1, 1, 1, 1, 1];

        await index.UpsertAsync([new VectorRecord("doc-5", vector)]);

        Assert.Equal(20, await index.CountAsync());
        IReadOnlyList<VectorSearchResult> hits = await index.SearchAsync(vector, 1, Exhaustive());
        Assert.Equal("doc-5", hits[0].Key);
        Assert.Equal(1f, hits[0].Score, ScoreTolerance);
    }

    [Fact]
    public async Task Removing_everything_leaves_an_empty_searchable_index()
    {
        List<VectorRecord> records = MakeRecords(30);
        using IVectorIndex index = await CreateIndexAsync(Dimensions, DistanceMetric.Cosine, null);
        await index.UpsertAsync(records);

        Assert.Equal(30, await index.RemoveAsync(records.Select(r => r.Key).ToList()));

        Assert.Equal(0, await index.CountAsync());
        Assert.Empty(await index.SearchAsync(records[0].Vector, 5, Exhaustive()));
        await index.UpsertAsync(records.Take(3).ToList());
        Assert.Equal(3, await index.CountAsync());
    }

    [Fact]
    public async Task Filtered_search_returns_only_admitted_records_in_exact_order()
    {
        List<VectorRecord> records = MakeRecords(200, seed: 11);
        using IVectorIndex index = await CreateIndexAsync(Dimensions, DistanceMetric.Cosine, null);
        await index.UpsertAsync(records);
        float[] query = MakeRecords(1, seed: 12)[0].Vector.ToArray();
        MetadataFilter[] filters =
        [
            MetadataFilter.Equal("group", 2),
            MetadataFilter.Equal("even", true),
            MetadataFilter.Equal("name", "name-17"),
            MetadataFilter.In("group", 0, 3),
            MetadataFilter.Range("weight", 5.0, 9.95),
            MetadataFilter.And(MetadataFilter.Equal("even", false), MetadataFilter.Range("weight", null, 10.0)),
            MetadataFilter.Or(MetadataFilter.Equal("group", 1), MetadataFilter.Equal("name", "name-4")),
            MetadataFilter.Not(MetadataFilter.In("group", 0, 1, 2)),
            MetadataFilter.Equal("absent", "x"),
        ];

        foreach (MetadataFilter filter in filters)
        {
            List<(string Key, float Score)> expected = BruteForce(records, DistanceMetric.Cosine, query, 10, filter);
            IReadOnlyList<VectorSearchResult> actual = await index.SearchAsync(query, 10, Exhaustive(filter));

            Assert.True(expected.Count == actual.Count, $"filter {filter}: expected {expected.Count} hits, got {actual.Count}");
            for (int i = 0; i < expected.Count; i++)
            {
                Assert.Equal(expected[i].Score, actual[i].Score, ScoreTolerance);
                Assert.True(filter.Matches(actual[i].Metadata), $"filter {filter} does not admit {actual[i].Key}");
            }
        }
    }

    [Fact]
    public async Task Metadata_round_trips_through_search_results()
    {
        using IVectorIndex index = await CreateIndexAsync(Dimensions, DistanceMetric.Cosine, null);
        var metadata = new Dictionary<string, object?> { ["s"] = "text", ["i"] = 42L, ["d"] = 2.5, ["b"] = true };
        float[] vector = [1, 2, 3, 4, 5, 6, 7, 8];
        await index.UpsertAsync([new VectorRecord("with", vector, metadata), new VectorRecord("without", new float[] { 8, 7, 6, 5, 4, 3, 2, 1 })]);

        IReadOnlyList<VectorSearchResult> hits = await index.SearchAsync(vector, 2, Exhaustive());

        Assert.Equal("with", hits[0].Key);
        Assert.NotNull(hits[0].Metadata);
        Assert.Equal("text", hits[0].Metadata!["s"]);
        Assert.Equal(42L, Convert.ToInt64(hits[0].Metadata!["i"], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(2.5, Convert.ToDouble(hits[0].Metadata!["d"], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(true, hits[0].Metadata!["b"]);
        Assert.Equal("without", hits[1].Key);
        Assert.True(hits[1].Metadata is null || hits[1].Metadata!.Count == 0);
    }

    [Fact]
    public async Task Upsert_with_another_fingerprint_is_refused_naming_both()
    {
        var built = new EmbedderFingerprint("test/model-a", "r1", "mean", true, Dimensions);
        var other = new EmbedderFingerprint("test/model-b", "r2", "cls", true, Dimensions);
        using IVectorIndex index = await CreateIndexAsync(Dimensions, DistanceMetric.Cosine, built);

        var error = await Assert.ThrowsAsync<EmbedderMismatchException>(async () => await index.UpsertAsync(MakeRecords(3), other));

        Assert.Contains(built.ToString(), error.Message, StringComparison.Ordinal);
        Assert.Contains(other.ToString(), error.Message, StringComparison.Ordinal);
        Assert.Equal(0, await index.CountAsync());
        await index.UpsertAsync(MakeRecords(3), built);
        await index.UpsertAsync(MakeRecords(3, prefix: "unfingerprinted-"));
        Assert.Equal(6, await index.CountAsync());
    }

    [Fact]
    public async Task Search_with_another_fingerprint_is_refused_naming_both()
    {
        var built = new EmbedderFingerprint("test/model-a", "r1", "mean", true, Dimensions);
        var other = new EmbedderFingerprint("test/model-a", "r2", "mean", true, Dimensions);
        using IVectorIndex index = await CreateFilledAsync(10, fingerprint: built);
        float[] query = MakeRecords(1)[0].Vector.ToArray();

        var error = await Assert.ThrowsAsync<EmbedderMismatchException>(async () => await index.SearchAsync(query, 3, Exhaustive(fingerprint: other)));

        Assert.Contains(built.ToString(), error.Message, StringComparison.Ordinal);
        Assert.Contains(other.ToString(), error.Message, StringComparison.Ordinal);
        Assert.Equal(3, (await index.SearchAsync(query, 3, Exhaustive(fingerprint: built))).Count);
    }

    [Fact]
    public async Task Wrong_dimension_is_refused_naming_both_sizes()
    {
        using IVectorIndex index = await CreateFilledAsync(5);

        var upsert = await Assert.ThrowsAnyAsync<ArgumentException>(async () => await index.UpsertAsync([new VectorRecord("bad", new float[Dimensions + 3])]));
        var search = await Assert.ThrowsAnyAsync<ArgumentException>(async () => await index.SearchAsync(new float[Dimensions - 1], 3));

        Assert.Contains(Dimensions.ToString(System.Globalization.CultureInfo.InvariantCulture), upsert.Message, StringComparison.Ordinal);
        Assert.Contains((Dimensions + 3).ToString(System.Globalization.CultureInfo.InvariantCulture), upsert.Message, StringComparison.Ordinal);
        Assert.Contains((Dimensions - 1).ToString(System.Globalization.CultureInfo.InvariantCulture), search.Message, StringComparison.Ordinal);
        Assert.Equal(5, await index.CountAsync());
    }

    [Fact]
    public async Task Bad_records_and_arguments_are_refused()
    {
        using IVectorIndex index = await CreateFilledAsync(5);
        float[] good = [1, 0, 0, 0, 0, 0, 0, 0];
        float[] withNaN = [1, float.NaN, 0, 0, 0, 0, 0, 0];

        await Assert.ThrowsAnyAsync<ArgumentNullException>(async () => await index.UpsertAsync(null!));
        await Assert.ThrowsAnyAsync<ArgumentNullException>(async () => await index.RemoveAsync(null!));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await index.UpsertAsync([new VectorRecord("nan", withNaN)]));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await index.UpsertAsync([new VectorRecord("", good)]));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await index.UpsertAsync([new VectorRecord("dup", good), new VectorRecord("dup", good)]));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await index.UpsertAsync([new VectorRecord("bad-meta", good, new Dictionary<string, object?> { ["x"] = new object() })]));
        await Assert.ThrowsAnyAsync<ArgumentOutOfRangeException>(async () => await index.SearchAsync(good, 0));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await index.SearchAsync(withNaN, 3));

        Assert.Equal(5, await index.CountAsync());
    }

    [Fact]
    public async Task Cancelled_calls_throw_and_change_nothing()
    {
        using IVectorIndex index = await CreateFilledAsync(5);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await index.UpsertAsync(MakeRecords(3, prefix: "new-"), null, cancelled.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await index.SearchAsync(new float[Dimensions] { 1, 0, 0, 0, 0, 0, 0, 0 }, 3, null, cancelled.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await index.RemoveAsync(["doc-1"], cancelled.Token));

        Assert.Equal(5, await index.CountAsync());
    }

    [Fact]
    public async Task Concurrent_upserts_and_searches_lose_nothing()
    {
        using IVectorIndex index = await CreateIndexAsync(Dimensions, DistanceMetric.Cosine, null);
        List<VectorRecord> records = MakeRecords(200, seed: 21);
        float[] query = records[0].Vector.ToArray();

        Task[] writers = Enumerable.Range(0, 4)
            .Select(w => Task.Run(async () =>
            {
                for (int i = w; i < records.Count; i += 4)
                {
                    await index.UpsertAsync([records[i]]);
                }
            }))
            .ToArray();
        Task[] readers = Enumerable.Range(0, 2)
            .Select(_ => Task.Run(async () =>
            {
                for (int i = 0; i < 50; i++)
                {
                    IReadOnlyList<VectorSearchResult> hits = await index.SearchAsync(query, 5, Exhaustive());
                    Assert.True(hits.Count <= 5);
                }
            }))
            .ToArray();
        await Task.WhenAll(writers.Concat(readers));

        Assert.Equal(200, await index.CountAsync());
        IReadOnlyList<VectorSearchResult> all = await index.SearchAsync(query, 200, Exhaustive());
        Assert.Equal(records.Select(r => r.Key).ToHashSet(), all.Select(h => h.Key).ToHashSet());
    }
}
