using Embeddings.PgVector.Tests.Server;

namespace Embeddings.PgVector.Tests.Indexing;

/// <summary>The <see cref="IVectorIndex"/> contract on the server: upsert, update, remove, ordering, filters, fingerprints and bad input.</summary>
[Collection(PgServerCollection.Name)]
public sealed class PgVectorIndexContractTests(PgServerFixture server)
{
    private static readonly EmbedderFingerprint Model = new("test/model", "r1", "mean", true, 8);
    private static readonly EmbedderFingerprint OtherModel = new("test/other", "r1", "mean", true, 8);

    [Fact]
    public async Task Upsert_count_search_update_and_remove()
    {
        using var index = new PgVectorIndex(server.DataSource, server.NewOptions("contract", 8));
        float[][] vectors = TestVectors.Random(50, 8, seed: 1);
        await index.UpsertAsync(TestVectors.Records(vectors, i => new Dictionary<string, object?> { ["i"] = i }));
        Assert.Equal(50, await index.CountAsync());

        // Each vector finds itself first, with cosine 1.
        for (int i = 0; i < 50; i += 7)
        {
            var hits = await index.SearchAsync(vectors[i], 3);
            Assert.Equal(TestVectors.Key(i), hits[0].Key);
            Assert.Equal(1f, hits[0].Score, 4);
            Assert.Equal((long)i, hits[0].Metadata!["i"]);
        }

        // Update: same key, new vector and metadata; the count stays.
        float[] moved = vectors[10].Select(x => -x).ToArray();
        await index.UpsertAsync([new VectorRecord(TestVectors.Key(3), moved, new Dictionary<string, object?> { ["i"] = "moved" })]);
        Assert.Equal(50, await index.CountAsync());
        var updated = await index.SearchAsync(moved, 1);
        Assert.Equal(TestVectors.Key(3), updated[0].Key);
        Assert.Equal("moved", updated[0].Metadata!["i"]);

        // Remove: missing keys are ignored and not counted.
        Assert.Equal(2, await index.RemoveAsync([TestVectors.Key(3), TestVectors.Key(4), "missing"]));
        Assert.Equal(48, await index.CountAsync());
        var after = await index.SearchAsync(moved, 50);
        Assert.DoesNotContain(after, h => h.Key == TestVectors.Key(3) || h.Key == TestVectors.Key(4));
        Assert.Equal(0, await index.RemoveAsync([]));
    }

    [Fact]
    public async Task Results_are_ordered_by_descending_score_and_match_a_scalar_reference()
    {
        var options = server.NewOptions("order", 8);
        options.IndexKind = PgVectorAnnIndexKind.None; // exact: the order must match the reference exactly
        using var index = new PgVectorIndex(server.DataSource, options);
        float[][] vectors = TestVectors.Random(120, 8, seed: 2);
        await index.UpsertAsync(TestVectors.Records(vectors));
        float[] query = TestVectors.Random(1, 8, seed: 3)[0];

        var hits = await index.SearchAsync(query, 10);
        var reference = TestVectors.Ranking(DistanceMetric.Cosine, vectors, query);
        Assert.Equal(reference.Take(10).Select(r => r.Key), hits.Select(h => h.Key));
        for (int i = 0; i < hits.Count; i++)
        {
            Assert.Equal(reference[i].Score, hits[i].Score, 4);
        }

        Assert.True(hits.Zip(hits.Skip(1)).All(p => p.First.Score >= p.Second.Score));
        Assert.Equal(120, (await index.SearchAsync(query, 500)).Count); // k beyond the count returns everything
    }

    [Fact]
    public async Task Metadata_round_trips_with_its_types()
    {
        using var index = new PgVectorIndex(server.DataSource, server.NewOptions("meta", 8));
        var metadata = new Dictionary<string, object?>
        {
            ["s"] = "text with 'quotes' and \"double\" and ünïcødé",
            ["l"] = 42L,
            ["i"] = 7, // widened to long
            ["d"] = 2.0,
            ["f"] = 0.5f, // widened to double
            ["big"] = 1e15,
            ["b"] = true,
            ["n"] = null,
        };
        await index.UpsertAsync([new VectorRecord("a", TestVectors.Random(1, 8, 4)[0], metadata), new VectorRecord("none", TestVectors.Random(1, 8, 5)[0])]);
        var all = await index.SearchAsync(TestVectors.Random(1, 8, 4)[0], 2);
        var a = all.Single(h => h.Key == "a").Metadata!;
        Assert.Equal(metadata["s"], a["s"]);
        Assert.Equal(42L, a["l"]);
        Assert.Equal(7L, a["i"]);
        Assert.Equal(2.0, a["d"]);
        Assert.Equal(0.5, a["f"]);
        Assert.Equal(1e15, a["big"]);
        Assert.Equal(true, a["b"]);
        Assert.True(a.ContainsKey("n"));
        Assert.Null(a["n"]);
        Assert.Null(all.Single(h => h.Key == "none").Metadata);
    }

    [Fact]
    public async Task Fingerprints_are_recorded_and_a_different_one_is_refused()
    {
        var options = server.NewOptions("finger", 8);
        options.Fingerprint = Model;
        using (var index = new PgVectorIndex(server.DataSource, options))
        {
            await index.UpsertAsync([new VectorRecord("a", TestVectors.Random(1, 8, 6)[0])], Model);
            var upsert = await Assert.ThrowsAsync<EmbedderMismatchException>(async () => await index.UpsertAsync([new VectorRecord("b", TestVectors.Random(1, 8, 7)[0])], OtherModel));
            Assert.Equal(Model, upsert.Expected);
            Assert.Equal(OtherModel, upsert.Actual);
            await Assert.ThrowsAsync<EmbedderMismatchException>(async () => await index.SearchAsync(new float[8], 1, new VectorSearchOptions { Fingerprint = OtherModel }));
            Assert.Single(await index.SearchAsync(TestVectors.Random(1, 8, 6)[0], 5, new VectorSearchOptions { Fingerprint = Model }));
            Assert.Equal(1, await index.CountAsync());
        }

        // Another process with another model opens the same collection: refused, from the recorded fingerprint.
        var other = new PgVectorIndexOptions { Collection = options.Collection, Dimensions = 8, Fingerprint = OtherModel };
        using (var intruder = new PgVectorIndex(server.DataSource, other))
        {
            var ex = await Assert.ThrowsAsync<EmbedderMismatchException>(async () => await intruder.CountAsync());
            Assert.Equal(Model, ex.Expected);
            Assert.Contains(options.Collection, ex.Message, StringComparison.Ordinal);
        }

        // A process that names no model learns the recorded one, and checks against it.
        var unaware = new PgVectorIndexOptions { Collection = options.Collection, Dimensions = 8 };
        using (var reader = new PgVectorIndex(server.DataSource, unaware))
        {
            Assert.Equal(1, await reader.CountAsync());
            Assert.Equal(Model, reader.Fingerprint);
            await Assert.ThrowsAsync<EmbedderMismatchException>(async () => await reader.UpsertAsync([new VectorRecord("c", new float[8])], OtherModel));
        }
    }

    [Fact]
    public async Task Bad_input_is_refused_with_a_clear_message_and_writes_nothing()
    {
        using var index = new PgVectorIndex(server.DataSource, server.NewOptions("bad", 8));
        float[] good = TestVectors.Random(1, 8, 8)[0];

        var wrongLength = await Assert.ThrowsAsync<ArgumentException>(async () => await index.UpsertAsync([new VectorRecord("ok", good), new VectorRecord("short", new float[3])]));
        Assert.Contains("3", wrongLength.Message, StringComparison.Ordinal);
        Assert.Contains("8", wrongLength.Message, StringComparison.Ordinal);
        Assert.Contains("short", wrongLength.Message, StringComparison.Ordinal);

        float[] nan = (float[])good.Clone();
        nan[5] = float.NaN;
        var notFinite = await Assert.ThrowsAsync<ArgumentException>(async () => await index.UpsertAsync([new VectorRecord("nan", nan)]));
        Assert.Contains("index 5", notFinite.Message, StringComparison.Ordinal);

        await Assert.ThrowsAsync<ArgumentException>(async () => await index.UpsertAsync([new VectorRecord("", good)]));
        await Assert.ThrowsAsync<ArgumentException>(async () => await index.UpsertAsync([new VectorRecord("dup", good), new VectorRecord("dup", good)]));
        await Assert.ThrowsAsync<ArgumentException>(async () => await index.UpsertAsync([new VectorRecord("meta", good, new Dictionary<string, object?> { ["x"] = new object() })]));
        await Assert.ThrowsAsync<ArgumentNullException>(async () => await index.UpsertAsync(null!));
        Assert.Equal(0, await index.CountAsync()); // nothing from the refused batches was written

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await index.SearchAsync(good, 0));
        var query = await Assert.ThrowsAsync<ArgumentException>(async () => await index.SearchAsync(new float[5], 1));
        Assert.Contains("5", query.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentException>(async () => await index.SearchAsync(nan, 1));
        await Assert.ThrowsAsync<ArgumentNullException>(async () => await index.RemoveAsync(null!));
    }

    [Fact]
    public async Task Concurrent_searches_and_upserts_all_complete()
    {
        using var index = new PgVectorIndex(server.DataSource, server.NewOptions("concurrent", 8));
        float[][] vectors = TestVectors.Random(60, 8, seed: 9);
        await index.UpsertAsync(TestVectors.Records(vectors[..30]));
        var writes = Enumerable.Range(30, 30).Select(i => index.UpsertAsync([new VectorRecord(TestVectors.Key(i), vectors[i])]).AsTask());
        var reads = Enumerable.Range(0, 30).Select(async i => (await index.SearchAsync(vectors[i], 1))[0].Key);
        string[] found = await Task.WhenAll(reads);
        await Task.WhenAll(writes);
        Assert.Equal(Enumerable.Range(0, 30).Select(TestVectors.Key), found);
        Assert.Equal(60, await index.CountAsync());
    }
}
