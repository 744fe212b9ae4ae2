using Embeddings.PgVector.Tests.Server;

namespace Embeddings.PgVector.Tests.Indexing;

/// <summary>Text PostgreSQL cannot hold is refused before anything is written; huge k and NaN range bounds behave as in the in-process indexes.</summary>
[Collection(PgServerCollection.Name)]
public sealed class ReliabilityTests(PgServerFixture server)
{
    private static readonly float[] Vector = [1, 0, 0, 0];

    public static TheoryData<string> BadTextNames => new(BadTexts.Keys);

    // Theory data reaches the runner as UTF-8, which would replace lone surrogates, so the texts are looked up by name.
    private static readonly Dictionary<string, string> BadTexts = new()
    {
        ["lone high surrogate"] = "ab\uD800",
        ["lone low surrogate"] = "\uDC00cd",
        ["NUL"] = "nul\0here",
    };

    [Theory]
    [MemberData(nameof(BadTextNames))]
    public async Task Keys_metadata_names_and_values_postgres_cannot_store_are_refused_naming_the_record(string name)
    {
        string bad = BadTexts[name];
        using var index = new PgVectorIndex(server.DataSource, server.NewOptions("badtext", 4));
        VectorRecord good = new("good", Vector);
        VectorRecord[][] batches =
        [
            [good, new VectorRecord(bad, Vector)],
            [good, new VectorRecord("doc-2", Vector, new Dictionary<string, object?> { ["title"] = bad })],
            [good, new VectorRecord("doc-3", Vector, new Dictionary<string, object?> { [bad] = 1L })],
        ];

        foreach (VectorRecord[] batch in batches)
        {
            var error = await Assert.ThrowsAsync<ArgumentException>(async () => await index.UpsertAsync(batch));
            Assert.True(
                error.Message.Contains("surrogate", StringComparison.Ordinal) || error.Message.Contains("NUL", StringComparison.Ordinal),
                error.Message);
            Assert.Contains(batch[1].Key == bad ? "Record 1" : batch[1].Key, error.Message, StringComparison.Ordinal);
            var bulk = await Assert.ThrowsAsync<ArgumentException>(async () => await index.BulkUpsertAsync(batch));
            Assert.Equal(error.Message, bulk.Message);
        }

        Assert.Equal(0, await index.CountAsync());
    }

    [Fact]
    public async Task Search_with_k_int_max_returns_every_record()
    {
        var options = server.NewOptions("hugek", 4);
        options.IndexKind = PgVectorAnnIndexKind.None;
        using var index = new PgVectorIndex(server.DataSource, options);
        float[][] vectors = TestVectors.Random(25, 4, seed: 14);
        await index.UpsertAsync(TestVectors.Records(vectors));

        IReadOnlyList<VectorSearchResult> hits = await index.SearchAsync(vectors[0], int.MaxValue);

        Assert.Equal(TestVectors.Ranking(DistanceMetric.Cosine, vectors, vectors[0]).Select(r => r.Key), hits.Select(h => h.Key));
    }

    [Fact]
    public async Task Search_with_k_int_max_and_binary_quantized_rescoring_returns_every_record()
    {
        var options = server.NewOptions("hugekbq", 64);
        options.BinaryQuantizedSearch = true;
        using var index = new PgVectorIndex(server.DataSource, options);
        float[][] vectors = TestVectors.Random(25, 64, seed: 15);
        await index.UpsertAsync(TestVectors.Records(vectors));

        IReadOnlyList<VectorSearchResult> hits = await index.SearchAsync(vectors[0], int.MaxValue);

        Assert.Equal(25, hits.Count);
        Assert.Equal(TestVectors.Key(0), hits[0].Key);
    }

    [Fact]
    public void A_range_with_a_NaN_bound_is_refused_before_it_reaches_any_backend()
    {
        Assert.Throws<ArgumentException>(() => MetadataFilter.Range("x", null, double.NaN));
        Assert.Throws<ArgumentException>(() => MetadataFilter.Range("x", double.NaN, null));
        Assert.Throws<ArgumentException>(() => new MetadataFilter.RangeFilter("x", double.NaN, 1));
        var valid = (MetadataFilter.RangeFilter)MetadataFilter.Range("x", 0, 1);
        Assert.Throws<ArgumentException>(() => valid with { Max = double.NaN });
    }
}
