namespace Embeddings.Retrieval.Tests;

public sealed class Bm25IndexTests
{
    // These tests check the scoring formula by hand, so they count plain \w+ tokens (no stop words, no
    // stemming); the default English analysis is pinned against Lucene in Analysis/TextAnalyzerTests.
    private static Bm25Options Plain() => new() { Tokenizer = WordTermTokenizer.Instance };

    // Three documents; lengths 4, 2, 3 terms; avgdl = 3.
    private static Bm25Index SmallIndex(Bm25Options? options = null)
    {
        options ??= Plain();
        options.Tokenizer = WordTermTokenizer.Instance;
        var index = new Bm25Index(options);
        index.Upsert("a", "cat sat on cat");
        index.Upsert("b", "dog sat");
        index.Upsert("c", "the cat ran");
        return index;
    }

    private static double Idf(int n, int documents) => Math.Log(1 + ((documents - n + 0.5) / (n + 0.5)));

    private static double TermScore(double tf, int length, double avgdl, double idf, double k1 = 0.9, double b = 0.4) =>
        idf * tf * (k1 + 1) / (tf + (k1 * (1 - b + (b * length / avgdl))));

    [Fact]
    public void Metadata_is_kept_as_a_normalized_copy_and_bad_values_are_refused_by_name()
    {
        var index = new Bm25Index(Plain());
        var metadata = new Dictionary<string, object?> { ["year"] = 2001, ["lang"] = "en" };
        index.Upsert("a", "cat sat", metadata);

        // The caller's later edits do not reach the index, and integers come back as long like the vector indexes'.
        metadata["year"] = 1999;
        metadata["lang"] = "fr";
        VectorSearchResult hit = Assert.Single(index.Search("cat", 10, MetadataFilter.And(MetadataFilter.Equal("lang", "en"), MetadataFilter.Range("year", 2000, null))));
        Assert.Equal(2001L, hit.Metadata!["year"]);
        Assert.Empty(index.Search("cat", 10, MetadataFilter.Equal("lang", "fr")));

        ArgumentException error = Assert.Throws<ArgumentException>(() => index.Upsert("b", "dog", new Dictionary<string, object?> { ["when"] = DateTime.UnixEpoch }));
        Assert.Contains("'b'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'when'", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, index.Count);
    }

    [Fact]
    public void Scores_match_the_okapi_formula_with_lucene_idf_computed_by_hand()
    {
        Bm25Index index = SmallIndex();
        Assert.Equal(3, index.Count);
        Assert.Equal(3.0, index.AverageDocumentLength);
        Assert.Equal(2, index.GetDocumentFrequency("cat"));

        IReadOnlyList<VectorSearchResult> results = index.Search("cat", 10);

        double idfCat = Idf(2, 3); // log(1 + 1.5 / 2.5) = log 1.6
        Assert.Equal(Math.Log(1.6), idfCat, 12);
        Assert.Equal(["a", "c"], results.Select(r => r.Key));
        Assert.Equal(TermScore(2, 4, 3, idfCat), results[0].Score, 5);
        Assert.Equal(TermScore(1, 3, 3, idfCat), results[1].Score, 5);
    }

    [Fact]
    public void Multi_term_query_sums_term_scores_and_repeated_query_terms_count_twice()
    {
        Bm25Index index = SmallIndex();
        double idfSat = Idf(2, 3), idfDog = Idf(1, 3);

        IReadOnlyList<VectorSearchResult> results = index.Search("dog sat", 10);
        Assert.Equal("b", results[0].Key);
        Assert.Equal(TermScore(1, 2, 3, idfDog) + TermScore(1, 2, 3, idfSat), results[0].Score, 5);
        Assert.Equal("a", results[1].Key);
        Assert.Equal(TermScore(1, 4, 3, idfSat), results[1].Score, 5);

        IReadOnlyList<VectorSearchResult> doubled = index.Search("dog dog", 10);
        Assert.Equal(2 * TermScore(1, 2, 3, idfDog), doubled[0].Score, 5);
    }

    [Fact]
    public void K1_and_b_options_change_the_scores_as_the_formula_says()
    {
        Bm25Index index = SmallIndex(new Bm25Options { K1 = 1.2, B = 0.75 });
        IReadOnlyList<VectorSearchResult> results = index.Search("cat", 1);
        Assert.Single(results);
        Assert.Equal(TermScore(2, 4, 3, Idf(2, 3), 1.2, 0.75), results[0].Score, 5);
    }

    [Fact]
    public void Query_terms_are_tokenized_like_documents_and_unknown_terms_match_nothing()
    {
        Bm25Index index = SmallIndex();
        Assert.Equal(index.Search("cat", 10).Select(r => r.Score), index.Search("  CAT!! ", 10).Select(r => r.Score));
        Assert.Empty(index.Search("zebra", 10));
        Assert.Empty(index.Search("...", 10));
    }

    [Fact]
    public void Equal_scores_keep_insertion_order_and_k_limits_the_results()
    {
        var index = new Bm25Index(Plain());
        index.Upsert("first", "alpha beta");
        index.Upsert("second", "alpha gamma");
        index.Upsert("third", "alpha delta");
        Assert.Equal(["first", "second"], index.Search("alpha", 2).Select(r => r.Key));
    }

    [Fact]
    public void Upsert_replaces_and_remove_deletes_with_statistics_updated()
    {
        Bm25Index index = SmallIndex();
        index.Upsert("b", "cat cat cat");
        Assert.Equal(3, index.Count);
        Assert.Equal(3, index.GetDocumentFrequency("cat"));
        Assert.Equal(0, index.GetDocumentFrequency("dog"));
        Assert.Empty(index.Search("dog", 5));
        Assert.Equal("b", index.Search("cat", 1)[0].Key);

        Assert.True(index.Remove("b"));
        Assert.False(index.Remove("b"));
        Assert.False(index.Contains("b"));
        Assert.Equal(2, index.Count);
        Assert.Equal(3.5, index.AverageDocumentLength);

        // After removal the statistics are those of the two remaining documents.
        IReadOnlyList<VectorSearchResult> results = index.Search("cat", 10);
        Assert.Equal(["a", "c"], results.Select(r => r.Key));
        Assert.Equal(TermScore(2, 4, 3.5, Idf(2, 2)), results[0].Score, 5);
    }

    [Fact]
    public void Many_removals_compact_the_postings_without_changing_results()
    {
        var index = new Bm25Index(Plain());
        for (int i = 0; i < 3000; i++)
        {
            index.Upsert($"d{i}", i % 3 == 0 ? "rare common" : "common filler words");
        }

        for (int i = 0; i < 3000; i++)
        {
            if (i % 3 != 0)
            {
                index.Remove($"d{i}");
            }
        }

        Assert.Equal(1000, index.Count);
        IReadOnlyList<VectorSearchResult> results = index.Search("rare", 2000);
        Assert.Equal(1000, results.Count);
        Assert.All(results, r => Assert.Equal(results[0].Score, r.Score));
        Assert.Equal(TermScore(1, 2, 2, Idf(1000, 1000)), results[0].Score, 5);
    }

    [Fact]
    public void Metadata_filter_restricts_results_and_metadata_is_returned()
    {
        var index = new Bm25Index(Plain());
        index.Upsert("x", "graph search", new Dictionary<string, object?> { ["lang"] = "en" });
        index.Upsert("y", "graph search graph", new Dictionary<string, object?> { ["lang"] = "de" });
        IReadOnlyList<VectorSearchResult> results = index.Search("graph", 5, MetadataFilter.Equal("lang", "en"));
        Assert.Equal("x", Assert.Single(results).Key);
        Assert.Equal("en", results[0].Metadata!["lang"]);
    }

    [Fact]
    public void Custom_tokenizer_is_used_for_documents_and_queries()
    {
        var index = new Bm25Index(new Bm25Options { Tokenizer = new WhitespaceTokenizer() });
        index.Upsert("a", "C++ and C#");
        index.Upsert("b", "c and java");
        Assert.Equal("a", Assert.Single(index.Search("C#", 5)).Key);
    }

    [Fact]
    public void Bad_arguments_are_rejected_with_clear_exceptions()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Bm25Index(new Bm25Options { K1 = -1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Bm25Index(new Bm25Options { B = 1.5 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Bm25Index(new Bm25Options { K1 = double.NaN }));
        var index = new Bm25Index(Plain());
        Assert.Throws<ArgumentException>(() => index.Upsert("", "text"));
        Assert.Throws<ArgumentNullException>(() => index.Upsert("k", null!));
        Assert.Throws<ArgumentOutOfRangeException>(() => index.Search("q", 0));
        Assert.Throws<ArgumentNullException>(() => index.Search(null!, 1));
        Assert.Empty(index.Search("anything", 3));
    }

    [Fact]
    public void Cancelled_search_throws()
    {
        Bm25Index index = SmallIndex();
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.Throws<OperationCanceledException>(() => index.Search("cat", 1, cancellationToken: cts.Token));
    }

    [Fact]
    public async Task Concurrent_searches_and_upserts_see_consistent_documents()
    {
        var index = new Bm25Index(Plain());
        for (int i = 0; i < 200; i++)
        {
            index.Upsert($"d{i}", "shared term " + i);
        }

        Task writer = Task.Run(() =>
        {
            for (int i = 200; i < 2000; i++)
            {
                index.Upsert($"d{i}", "shared term " + i);
                index.Remove($"d{i - 100}");
            }
        });
        Task reader = Task.Run(() =>
        {
            while (!writer.IsCompleted)
            {
                IReadOnlyList<VectorSearchResult> results = index.Search("shared", 50);
                Assert.All(results, r => Assert.True(r.Score > 0));
                Assert.Equal(results.Count, results.Select(r => r.Key).Distinct().Count());
            }
        });
        await Task.WhenAll(writer, reader);
        Assert.Equal(200, index.Count);
    }

    [Fact]
    public void Memory_estimate_grows_with_the_corpus()
    {
        var index = new Bm25Index(Plain());
        long empty = index.EstimatedMemoryBytes;
        index.Upsert("a", string.Join(' ', Enumerable.Range(0, 500).Select(i => "w" + i)));
        Assert.True(index.EstimatedMemoryBytes > empty + (500 * 8));
        Assert.Equal(500, index.VocabularySize);
    }

    private sealed class WhitespaceTokenizer : ITermTokenizer
    {
        public void Tokenize(string text, List<string> terms) =>
            terms.AddRange(text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(t => t.ToLowerInvariant()));
    }

    [Fact]
    public void Equal_scores_come_back_in_insertion_order()
    {
        var index = new Bm25Index(Plain());
        for (int i = 0; i < 12; i++)
        {
            // Twins at every other position, so the order the postings are visited in is not the key order.
            index.Upsert(i % 2 == 0 ? $"twin-{i / 2:D2}" : $"other-{i:D2}", i % 2 == 0 ? "alpha beta" : $"gamma beta filler{i}");
        }

        index.Upsert("late-alpha", "alpha");
        IReadOnlyList<VectorSearchResult> hits = index.Search("alpha beta", 4);
        Assert.Equal(["twin-00", "twin-01", "twin-02", "twin-03"], hits.Select(h => h.Key));
        Assert.All(hits, h => Assert.Equal(hits[0].Score, h.Score));
    }
}
