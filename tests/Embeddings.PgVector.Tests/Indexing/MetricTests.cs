using Embeddings.PgVector.Tests.Server;

namespace Embeddings.PgVector.Tests.Indexing;

/// <summary>Every metric's operator, storage type and score conversion, checked against a scalar reference.</summary>
[Collection(PgServerCollection.Name)]
public sealed class MetricTests(PgServerFixture server)
{
    [Theory]
    [InlineData(DistanceMetric.Cosine)]
    [InlineData(DistanceMetric.DotProduct)]
    [InlineData(DistanceMetric.Euclidean)]
    [InlineData(DistanceMetric.EuclideanSquared)]
    [InlineData(DistanceMetric.Manhattan)]
    public async Task Exact_search_matches_the_reference_ranking_and_scores(DistanceMetric metric)
    {
        var options = server.NewOptions("metric", 6, metric);
        options.IndexKind = PgVectorAnnIndexKind.None;
        using var index = new PgVectorIndex(server.DataSource, options);
        float[][] vectors = TestVectors.Random(80, 6, seed: 10 + (int)metric);
        await index.UpsertAsync(TestVectors.Records(vectors));
        foreach (float[] query in TestVectors.Random(3, 6, seed: 20 + (int)metric))
        {
            var hits = await index.SearchAsync(query, 8);
            var reference = TestVectors.Ranking(metric, vectors, query);
            Assert.Equal(reference.Take(8).Select(r => r.Key), hits.Select(h => h.Key));
            for (int i = 0; i < hits.Count; i++)
            {
                Assert.Equal(reference[i].Score, hits[i].Score, 3);
            }
        }
    }

    [Theory]
    [InlineData(DistanceMetric.Cosine)]
    [InlineData(DistanceMetric.DotProduct)]
    [InlineData(DistanceMetric.Euclidean)]
    [InlineData(DistanceMetric.Manhattan)]
    public async Task Hnsw_search_uses_the_index_and_finds_the_nearest(DistanceMetric metric)
    {
        var options = server.NewOptions("hnsw", 6, metric);
        using var index = new PgVectorIndex(server.DataSource, options);
        float[][] vectors = TestVectors.Random(200, 6, seed: 30 + (int)metric);
        await index.UpsertAsync(TestVectors.Records(vectors));
        foreach (float[] query in TestVectors.Random(5, 6, seed: 40))
        {
            var hits = await index.SearchAsync(query, 5, new VectorSearchOptions { EfSearch = 200 });
            Assert.Equal(TestVectors.Ranking(metric, vectors, query)[0].Key, hits[0].Key);
        }

        string definition = (string)(await server.ScalarAsync("SELECT indexdef FROM pg_indexes WHERE tablename = $1 AND indexname = $2", options.Collection, options.Collection + "_hnsw"))!;
        string opclass = metric switch
        {
            DistanceMetric.Cosine => "vector_cosine_ops",
            DistanceMetric.DotProduct => "vector_ip_ops",
            DistanceMetric.Manhattan => "vector_l1_ops",
            _ => "vector_l2_ops",
        };
        Assert.Contains("hnsw", definition, StringComparison.Ordinal);
        Assert.Contains(opclass, definition, StringComparison.Ordinal);
        Assert.Contains("m='16'", definition.Replace(" ", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_query_shape_is_one_the_planner_serves_from_the_hnsw_index()
    {
        var options = server.NewOptions("plan", 4);
        using var index = new PgVectorIndex(server.DataSource, options);
        await index.UpsertAsync(TestVectors.Records(TestVectors.Random(20, 4, seed: 50)));
        await using var connection = await server.DataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var off = new Npgsql.NpgsqlCommand("SET LOCAL enable_seqscan = off", connection, transaction))
        {
            await off.ExecuteNonQueryAsync();
        }

        // The same expression SearchAsync orders by: a float4[] parameter cast on the server.
        await using var explain = new Npgsql.NpgsqlCommand($"EXPLAIN SELECT key FROM public.\"{options.Collection}\" ORDER BY (embedding <=> $1::real[]::vector(4)) LIMIT 3", connection, transaction);
        explain.Parameters.Add(new Npgsql.NpgsqlParameter { Value = new float[] { 1, 0, 0, 0 } });
        var plan = new List<string>();
        await using (var reader = await explain.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                plan.Add(reader.GetString(0));
            }
        }

        await transaction.RollbackAsync();
        Assert.Contains(plan, line => line.Contains($"Index Scan using \"{options.Collection}_hnsw\"", StringComparison.Ordinal) || line.Contains($"Index Scan using {options.Collection}_hnsw", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Halfvec_storage_keeps_the_ranking_within_half_precision()
    {
        var options = server.NewOptions("half", 16);
        options.StorageType = PgVectorStorageType.HalfVector;
        options.IndexKind = PgVectorAnnIndexKind.None;
        using var index = new PgVectorIndex(server.DataSource, options);
        float[][] vectors = TestVectors.Random(60, 16, seed: 60);
        await index.UpsertAsync(TestVectors.Records(vectors));
        Assert.Equal("halfvec", await server.ScalarAsync("SELECT format_type(atttypid, NULL) FROM pg_attribute WHERE attrelid = $1::regclass AND attname = 'embedding'", $"public.\"{options.Collection}\""));
        float[] query = TestVectors.Random(1, 16, seed: 61)[0];
        var hits = await index.SearchAsync(query, 5);
        var reference = TestVectors.Ranking(DistanceMetric.Cosine, vectors, query);
        Assert.Equal(reference[0].Key, hits[0].Key);
        Assert.Equal(reference[0].Score, hits[0].Score, 2);
    }

    [Fact]
    public async Task Bit_storage_ranks_by_hamming_distance()
    {
        var options = server.NewOptions("bits", 64, DistanceMetric.Hamming);
        options.StorageType = PgVectorStorageType.Bit;
        using var index = new PgVectorIndex(server.DataSource, options);
        float[][] vectors = TestVectors.Random(100, 64, seed: 70);
        await index.UpsertAsync(TestVectors.Records(vectors));
        float[] query = TestVectors.Random(1, 64, seed: 71)[0];
        var hits = await index.SearchAsync(query, 10, new VectorSearchOptions { EfSearch = 400 });
        var reference = TestVectors.Ranking(DistanceMetric.Hamming, vectors, query);

        // Ties are common among Hamming distances, so compare scores, not keys.
        Assert.Equal(reference.Take(10).Select(r => (float)r.Score), hits.Select(h => h.Score));
        foreach (var hit in hits)
        {
            int i = int.Parse(hit.Key.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(TestVectors.Score(DistanceMetric.Hamming, vectors[i], query), hit.Score);
        }
    }

    [Fact]
    public async Task A_zero_vector_has_cosine_similarity_zero()
    {
        var options = server.NewOptions("zero", 3);
        options.IndexKind = PgVectorAnnIndexKind.None;
        using var index = new PgVectorIndex(server.DataSource, options);
        await index.UpsertAsync([new VectorRecord("zero", new float[3]), new VectorRecord("same", new float[] { 1, 2, 3 }), new VectorRecord("opposite", new float[] { -1, -2, -3 })]);
        var hits = await index.SearchAsync(new float[] { 1, 2, 3 }, 3);
        Assert.Equal(["same", "zero", "opposite"], hits.Select(h => h.Key));
        Assert.Equal(0f, hits[1].Score);
    }
}
