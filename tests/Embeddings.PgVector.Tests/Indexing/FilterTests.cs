using Embeddings.PgVector.Tests.Server;

namespace Embeddings.PgVector.Tests.Indexing;

/// <summary>Metadata filters, translated to SQL over jsonb, admit exactly what <see cref="MetadataFilter.Matches(IReadOnlyDictionary{string, object?})"/> admits.</summary>
[Collection(PgServerCollection.Name)]
public sealed class FilterTests(PgServerFixture server)
{
    private static readonly string[] Categories = ["news", "sport", "o'reilly"];

    private static Dictionary<string, object?>? MetadataOf(int i) => i % 11 == 0
        ? null
        : new Dictionary<string, object?>
        {
            ["cat"] = Categories[i % 3],
            ["n"] = (long)(i % 10),
            ["x"] = i / 4.0,
            ["flag"] = i % 2 == 0,
            ["maybe"] = i % 5 == 0 ? null : (object)(i % 5 == 1 ? "1" : 1L), // string "1" vs number 1 never equal
        };

    public static TheoryData<string> FilterNames => new(Filters.Keys);

    private static readonly Dictionary<string, MetadataFilter> Filters = new()
    {
        ["equal string"] = MetadataFilter.Equal("cat", "sport"),
        ["equal string with quote"] = MetadataFilter.Equal("cat", "o'reilly"),
        ["equal long"] = MetadataFilter.Equal("n", 3),
        ["equal long as double"] = MetadataFilter.Equal("n", 3.0),
        ["equal double"] = MetadataFilter.Equal("x", 2.5),
        ["equal bool"] = MetadataFilter.Equal("flag", false),
        ["equal number is not the string"] = MetadataFilter.Equal("maybe", 1),
        ["equal string is not the number"] = MetadataFilter.Equal("maybe", "1"),
        ["in"] = MetadataFilter.In("n", 1, 2, 9),
        ["in mixed"] = MetadataFilter.In("cat", "news", 3, true),
        ["range both"] = MetadataFilter.Range("x", 3, 10.5),
        ["range min"] = MetadataFilter.Range("n", 8, null),
        ["range max on strings"] = MetadataFilter.Range("cat", null, 100),
        ["range over missing field"] = MetadataFilter.Range("absent", 0, 1),
        ["and"] = MetadataFilter.And(MetadataFilter.Equal("cat", "news"), MetadataFilter.Range("x", null, 20)),
        ["or"] = MetadataFilter.Or(MetadataFilter.Equal("flag", true), MetadataFilter.Equal("n", 5)),
        ["not equal admits missing"] = MetadataFilter.Not(MetadataFilter.Equal("cat", "news")),
        ["not range"] = MetadataFilter.Not(MetadataFilter.Range("x", 5, null)),
        ["nested"] = MetadataFilter.Or(MetadataFilter.And(MetadataFilter.Not(MetadataFilter.In("cat", "news", "sport")), MetadataFilter.Equal("flag", true)), MetadataFilter.Equal("n", 0)),
    };

    [Theory]
    [MemberData(nameof(FilterNames))]
    public async Task Filtered_exact_search_returns_exactly_the_admitted_records(string name)
    {
        MetadataFilter filter = Filters[name];
        var options = server.NewOptions("filter", 4);
        options.IndexKind = PgVectorAnnIndexKind.None;
        using var index = new PgVectorIndex(server.DataSource, options);
        float[][] vectors = TestVectors.Random(90, 4, seed: 80);
        await index.UpsertAsync(TestVectors.Records(vectors, MetadataOf));

        var hits = await index.SearchAsync(vectors[0], 90, new VectorSearchOptions { Filter = filter });
        var expected = TestVectors.Ranking(DistanceMetric.Cosine, vectors, vectors[0], i => filter.Matches(MetadataOf(i)));
        Assert.Equal(expected.Select(e => e.Key).Order(), hits.Select(h => h.Key).Order());
        Assert.Equal(expected.Take(5).Select(e => e.Key), hits.Take(5).Select(h => h.Key));
    }

    [Fact]
    public async Task A_selective_filter_on_the_hnsw_index_still_returns_k_results_through_iterative_scans()
    {
        var options = server.NewOptions("iterative", 8);
        options.HnswEfSearch = 10;
        using var index = new PgVectorIndex(server.DataSource, options);
        float[][] vectors = TestVectors.Random(400, 8, seed: 90);
        await index.UpsertAsync(TestVectors.Records(vectors, i => new Dictionary<string, object?> { ["rare"] = i % 50 == 7 }));

        // 8 of 400 records pass; ef_search 10 alone would see about 10 candidates and keep almost none.
        var hits = await index.SearchAsync(vectors[3], 8, new VectorSearchOptions { Filter = MetadataFilter.Equal("rare", true) });
        Assert.Equal(8, hits.Count);
        Assert.All(hits, h => Assert.Equal(7, int.Parse(h.Key.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture) % 50));
        Assert.True(hits.Zip(hits.Skip(1)).All(p => p.First.Score >= p.Second.Score));
    }

    [Fact]
    public async Task Values_and_field_names_never_become_sql()
    {
        var options = server.NewOptions("inject", 4);
        using var index = new PgVectorIndex(server.DataSource, options);
        await index.UpsertAsync([new VectorRecord("a", new float[] { 1, 0, 0, 0 }, new Dictionary<string, object?> { ["name"] = "x'); DROP TABLE pg_class; --" })]);
        string table = options.Collection;
        MetadataFilter[] hostile =
        [
            MetadataFilter.Equal("name", "' OR '1'='1"),
            MetadataFilter.Equal("name') OR true OR ('", "x"),
            MetadataFilter.In("name", $"x\"; DROP TABLE {table}; --"),
            MetadataFilter.Range("n' || (SELECT 1) || '", 0, 1),
        ];
        foreach (MetadataFilter filter in hostile)
        {
            Assert.Empty(await index.SearchAsync(new float[] { 1, 0, 0, 0 }, 5, new VectorSearchOptions { Filter = filter }));
        }

        var exact = await index.SearchAsync(new float[] { 1, 0, 0, 0 }, 5, new VectorSearchOptions { Filter = MetadataFilter.Equal("name", "x'); DROP TABLE pg_class; --") });
        Assert.Equal("a", Assert.Single(exact).Key);
        Assert.Equal(1, await index.CountAsync());
    }
}
