using Embeddings.PgVector.Tests.Server;
using Npgsql;

namespace Embeddings.PgVector.Tests.Indexing;

/// <summary>The migration, identifiers, per-query settings, IVFFlat, two-stage search and error reporting.</summary>
[Collection(PgServerCollection.Name)]
public sealed class SchemaTests(PgServerFixture server)
{
    [Fact]
    public async Task The_migration_script_can_run_ahead_of_time_and_the_index_then_needs_no_ddl()
    {
        var options = server.NewOptions("ahead", 4);
        options.Fingerprint = new EmbedderFingerprint("it's/a-model", "v1", "mean", true, 4);
        options.HnswM = 8;
        options.HnswEfConstruction = 32;
        string script = PgVectorIndex.GetMigrationScript(options);
        Assert.Contains("it''s/a-model", script, StringComparison.Ordinal);
        await using (NpgsqlConnection connection = await server.DataSource.OpenConnectionAsync())
        await using (var run = new NpgsqlCommand(script, connection))
        {
            await run.ExecuteNonQueryAsync();
        }

        options.CreateIfMissing = false;
        using var index = new PgVectorIndex(server.DataSource, options);
        await index.UpsertAsync([new VectorRecord("a", new float[] { 1, 2, 3, 4 })], options.Fingerprint);
        Assert.Equal(1, await index.CountAsync());
        string definition = (string)(await server.ScalarAsync("SELECT indexdef FROM pg_indexes WHERE indexname = $1", options.Collection + "_hnsw"))!;
        Assert.Contains("m='8'", definition.Replace(" ", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains("ef_construction='32'", definition.Replace(" ", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Equal(options.Fingerprint.ToString(), await server.ScalarAsync("SELECT fingerprint FROM public.embeddings_collections WHERE name = $1", options.Collection));

        // Running it again changes nothing.
        await using (NpgsqlConnection connection = await server.DataSource.OpenConnectionAsync())
        await using (var again = new NpgsqlCommand(script, connection))
        {
            await again.ExecuteNonQueryAsync();
        }

        Assert.Equal(1, await index.CountAsync());
    }

    [Fact]
    public async Task A_missing_collection_without_create_is_a_clear_error()
    {
        var options = server.NewOptions("missing", 4);
        options.CreateIfMissing = false;
        using var index = new PgVectorIndex(server.DataSource, options);
        var ex = await Assert.ThrowsAsync<PgVectorIndexException>(async () => await index.CountAsync());
        Assert.Contains(options.Collection, ex.Message, StringComparison.Ordinal);
        Assert.Contains("migration", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reopening_with_other_dimensions_or_metric_is_refused()
    {
        var options = server.NewOptions("shape", 4);
        using (var index = new PgVectorIndex(server.DataSource, options))
        {
            await index.MigrateAsync();
        }

        using var wider = new PgVectorIndex(server.DataSource, new PgVectorIndexOptions { Collection = options.Collection, Dimensions = 5 });
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(async () => await wider.CountAsync());
        Assert.Contains("4 dimensions", ex.Message, StringComparison.Ordinal);
        using var l2 = new PgVectorIndex(server.DataSource, new PgVectorIndexOptions { Collection = options.Collection, Dimensions = 4, Metric = DistanceMetric.Euclidean });
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await l2.CountAsync());
    }

    [Theory]
    [InlineData("docs; DROP TABLE x")]
    [InlineData("docs\"")]
    [InlineData("1docs")]
    [InlineData("")]
    [InlineData("embeddings_collections")]
    [InlineData("a_name_that_is_far_too_long_to_leave_room_for_the_index_suffixes")]
    public void Bad_collection_names_are_refused_before_any_sql(string name)
    {
        var ex = Assert.ThrowsAny<ArgumentException>(() => new PgVectorIndex(server.DataSource, new PgVectorIndexOptions { Collection = name, Dimensions = 4 }));
        Assert.Contains("Collection", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_settings_are_refused()
    {
        Assert.ThrowsAny<ArgumentException>(() => new PgVectorIndex(server.DataSource, new PgVectorIndexOptions { Schema = "public; --", Dimensions = 4 }));
        Assert.ThrowsAny<ArgumentException>(() => new PgVectorIndex(server.DataSource, new PgVectorIndexOptions()));
        Assert.ThrowsAny<ArgumentException>(() => new PgVectorIndex(server.DataSource, new PgVectorIndexOptions { Dimensions = 4, Metric = DistanceMetric.Hamming }));
        Assert.ThrowsAny<ArgumentException>(() => new PgVectorIndex(server.DataSource, new PgVectorIndexOptions { Dimensions = 4, StorageType = PgVectorStorageType.Bit }));
        Assert.ThrowsAny<ArgumentException>(() => new PgVectorIndex(server.DataSource, new PgVectorIndexOptions { Dimensions = 3000 }));
        Assert.ThrowsAny<ArgumentException>(() => new PgVectorIndex(server.DataSource, new PgVectorIndexOptions { Dimensions = 4, HnswM = 16, HnswEfConstruction = 20 }));
        Assert.ThrowsAny<ArgumentException>(() => new PgVectorIndex(server.DataSource, new PgVectorIndexOptions { Dimensions = 4, Metric = DistanceMetric.Manhattan, IndexKind = PgVectorAnnIndexKind.IvfFlat }));
        Assert.ThrowsAny<ArgumentException>(() => new PgVectorIndex(server.DataSource, new PgVectorIndexOptions { Dimensions = 8, Fingerprint = new EmbedderFingerprint("m", null, null, true, 4) }));
        Assert.ThrowsAny<ArgumentException>(() => new PgVectorIndex(new PgVectorIndexOptions { Dimensions = 4 }));
    }

    [Fact]
    public async Task Ef_search_is_set_per_query_and_does_not_leak_into_the_session()
    {
        var options = server.NewOptions("efsearch", 4);
        using var index = new PgVectorIndex(server.DataSource, options);
        await index.UpsertAsync(TestVectors.Records(TestVectors.Random(30, 4, seed: 100)));
        string before = (string)(await server.ScalarAsync("SHOW hnsw.ef_search"))!;
        Assert.NotEmpty(await index.SearchAsync(new float[] { 1, 0, 0, 0 }, 3, new VectorSearchOptions { EfSearch = 123, Filter = MetadataFilter.Not(MetadataFilter.Equal("x", 1)) }));
        Assert.Equal(before, await server.ScalarAsync("SHOW hnsw.ef_search"));
        Assert.Equal("off", await server.ScalarAsync("SHOW hnsw.iterative_scan"));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await index.SearchAsync(new float[4], 3, new VectorSearchOptions { EfSearch = 0 }));
    }

    [Fact]
    public async Task Ivfflat_built_after_loading_answers_searches()
    {
        var options = server.NewOptions("ivf", 8, DistanceMetric.Euclidean);
        options.IndexKind = PgVectorAnnIndexKind.IvfFlat;
        options.IvfFlatLists = 4;
        options.IvfFlatProbes = 4;
        options.CreateAnnIndex = false;
        using var index = new PgVectorIndex(server.DataSource, options);
        float[][] vectors = TestVectors.Random(200, 8, seed: 110);
        await index.BulkUpsertAsync(TestVectors.Records(vectors));
        Assert.Null(await server.ScalarAsync("SELECT indexdef FROM pg_indexes WHERE indexname = $1", options.Collection + "_ivfflat"));
        await index.CreateAnnIndexAsync();
        Assert.Contains("ivfflat", (string)(await server.ScalarAsync("SELECT indexdef FROM pg_indexes WHERE indexname = $1", options.Collection + "_ivfflat"))!, StringComparison.Ordinal);
        for (int i = 0; i < 200; i += 40)
        {
            Assert.Equal(TestVectors.Key(i), (await index.SearchAsync(vectors[i], 1))[0].Key); // all lists probed: exact
        }
    }

    [Fact]
    public async Task Two_stage_binary_quantized_search_rescores_with_the_full_vectors()
    {
        var options = server.NewOptions("bq", 32);
        options.BinaryQuantizedSearch = true;
        options.RescoreMultiplier = 20;
        using var index = new PgVectorIndex(server.DataSource, options);
        float[][] vectors = TestVectors.Random(300, 32, seed: 120);
        await index.UpsertAsync(TestVectors.Records(vectors));
        Assert.Contains("binary_quantize", (string)(await server.ScalarAsync("SELECT indexdef FROM pg_indexes WHERE indexname = $1", options.Collection + "_bq_hnsw"))!, StringComparison.Ordinal);

        int found = 0;
        foreach (float[] query in TestVectors.Random(10, 32, seed: 121))
        {
            var hits = await index.SearchAsync(query, 5);
            var reference = TestVectors.Ranking(DistanceMetric.Cosine, vectors, query);
            found += hits.Select(h => h.Key).Intersect(reference.Take(5).Select(r => r.Key)).Count();

            // Scores are the full-precision cosine, not the Hamming distance of the coarse pass.
            foreach (var hit in hits)
            {
                int i = int.Parse(hit.Key.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture);
                Assert.Equal(TestVectors.Score(DistanceMetric.Cosine, vectors[i], query), hit.Score, 4);
            }

            Assert.True(hits.Zip(hits.Skip(1)).All(p => p.First.Score >= p.Second.Score));
        }

        Assert.True(found >= 40, $"two-stage recall@5 {found}/50");
    }

    [Fact]
    public async Task A_server_error_surfaces_with_its_sql_state()
    {
        var options = server.NewOptions("gone", 4);
        using var index = new PgVectorIndex(server.DataSource, options);
        await index.MigrateAsync();
        await server.ScalarAsync($"DROP TABLE public.\"{options.Collection}\"");
        var ex = await Assert.ThrowsAsync<PgVectorIndexException>(async () => await index.CountAsync());
        Assert.Equal("42P01", ex.SqlState);
        Assert.Contains("42P01", ex.Message, StringComparison.Ordinal);
        Assert.IsType<PostgresException>(ex.InnerException);
    }
}
