using Embeddings.Evaluation;
using Embeddings.Testing;

namespace Embeddings.Retrieval.Tests.Analysis;

public sealed class TextAnalyzerTests
{
    // Sentences that exercise each word-break rule, the possessive, stop-word and stemming steps, and scripts
    // other than Latin; every one is compared with Lucene's EnglishAnalyzer, nothing is hard-coded.
    private static readonly string[] SentenceTexts =
    [
        "The quick brown fox's jumps over the lazy dogs' kennels.",
        "O'Neil's U.S.A. trip cost $3,000.50 on 2024-01-02 at 10:30, i.e. e.g. a.b.c",
        "Don't stop: it's John’s and MARY＇S car; rock'n'roll isn't dead",
        "foo_bar __init__ _x x_ ___ a__b 3_000 snake_case_name",
        "email me at someone@example.com or http://www.example.org/path?q=1&r=2#frag",
        "IL-6 and TNF-α levels rose by 25% (p<0.05); CD4+ T-cells, β-catenin, Wnt/β",
        "naïve café résumé coöperate Ærøskøbing straße İstanbul ǅemal",
        "中文分词 日本語のテキスト カタカナ ひらがな 한국어 텍스트",
        "ภาษาไทย ພາສາລາວ ខ្មែរ မြန်မာ",
        "עברית בית\"ר צה\"ל ג'ירפה",
        "emoji 😀 👍🏽 🇺🇸 ★ © ™ and math ∑ ∫ ≤",
        "soft\u00ADhyphen zero\u200Bwidth joiner\u200Dtest combining e\u0301 x\u0308",
        "1.5e-10 3.14 1,2,3 v2.0.1 192.168.0.1 A4 4G LTE 5'9\"",
        "Running runners ran; generalizations, relational conditional rational hopefulness",
        "THE AND OR NOT BE IS ARE WAS WILL WITH INTO SUCH THEIR THEN THERE THESE THEY THIS",
        "",
        "   \t\n  ",
        "'s ’s s' ' '' 'quoted' \"double\"",
    ];

    public static TheoryData<string> Sentences => new(SentenceTexts);

    [Theory]
    [MemberData(nameof(Sentences))]
    public void English_matches_Lucene_EnglishAnalyzer(string text)
    {
        Assert.Equal(LuceneReference.English(text), TextAnalyzer.English.Analyze(text));
    }

    [Theory]
    [MemberData(nameof(Sentences))]
    public void StandardWordSegmenter_matches_Lucene_StandardTokenizer(string text)
    {
        Assert.Equal(LuceneReference.StandardTokens(text), new TextAnalyzer(StandardWordSegmenter.Instance).Analyze(text));
    }

    [SharedFact("data/scifact")]
    public void English_matches_Lucene_on_every_SciFact_document_and_query()
    {
        BeirDataset scifact = BeirDataset.Load(SharedData.Path("data", "scifact"));
        var mismatches = new List<string>();
        long terms = 0;
        foreach (string text in scifact.Corpus.Select(d => d.FullText).Concat(scifact.AllQueries.Select(q => q.Text)))
        {
            IReadOnlyList<string> ours = TextAnalyzer.English.Analyze(text);
            List<string> lucene = LuceneReference.English(text);
            terms += lucene.Count;
            if (!ours.SequenceEqual(lucene))
            {
                int at = ours.Zip(lucene).TakeWhile(p => p.First == p.Second).Count();
                mismatches.Add($"at term {at}: ours [{string.Join(' ', ours.Skip(at).Take(3))}] Lucene [{string.Join(' ', lucene.Skip(at).Take(3))}]");
            }
        }

        Assert.True(terms > 800_000, $"only {terms} terms");
        Assert.True(mismatches.Count == 0, $"{mismatches.Count} texts differ: " + string.Join(" | ", mismatches.Take(10)));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(8)]
    [InlineData(262_144)]
    public void Word_cache_never_changes_the_output_whether_it_has_room_or_is_full(int capacity)
    {
        // Twice over every sentence: the second pass reads cached words, including dropped stop words (cached as
        // null) and, with a tiny capacity, words that no longer fit and go through the filters again.
        TextAnalyzer uncached = TextAnalyzer.CreateEnglish(0);
        TextAnalyzer cached = TextAnalyzer.CreateEnglish(capacity);
        Assert.Equal(0, uncached.WordCacheCapacity);
        Assert.Equal(capacity, cached.WordCacheCapacity);
        string longWord = new string('x', 40) + "ing";
        string[] texts = [.. SentenceTexts, $"{longWord} {longWord} the the running running"];
        for (int pass = 0; pass < 2; pass++)
        {
            foreach (string text in texts)
            {
                Assert.Equal(uncached.Analyze(text), cached.Analyze(text));
            }
        }
    }

    [Fact]
    public void Word_cache_serves_concurrent_analysis_with_the_same_output()
    {
        TextAnalyzer cached = TextAnalyzer.CreateEnglish(64);
        TextAnalyzer uncached = TextAnalyzer.CreateEnglish(0);
        string[] texts = SentenceTexts;
        Parallel.For(0, 400, i =>
        {
            string text = texts[i % texts.Length];
            Assert.Equal(uncached.Analyze(text), cached.Analyze(text));
        });
    }

    [Fact]
    public void Filters_run_in_order_and_a_dropped_term_stops_the_chain()
    {
        var analyzer = new TextAnalyzer(StandardWordSegmenter.Instance, LowerCaseFilter.Instance, new StopWordFilter(["cats"]), PorterStemFilter.Instance);
        Assert.Equal(["dog"], analyzer.Analyze("Cats dogs"));
        Assert.Equal(["cats", "dogs"], new TextAnalyzer(StandardWordSegmenter.Instance, LowerCaseFilter.Instance).Analyze("Cats DOGS"));
    }

    [Fact]
    public void AsciiFolding_is_optional_and_folds_accents_ligatures_and_special_letters()
    {
        var folding = new TextAnalyzer(StandardWordSegmenter.Instance, LowerCaseFilter.Instance, AsciiFoldingFilter.Instance);
        Assert.Equal(["naive", "cafe", "resume", "aeroskobing", "strasse", "file"], folding.Analyze("Naïve café RÉSUMÉ Ærøskøbing straße ﬁle"));
        Assert.Equal(["naïv", "café"], TextAnalyzer.English.Analyze("naïve café"));
        foreach (string word in new[] { "naïve", "café", "résumé", "ærøskøbing", "straße", "łódź", "þorn", "œuvre", "ﬁle", "ｆｕｌｌ" })
        {
            var buffer = new TermBuffer();
            buffer.Set(word);
            AsciiFoldingFilter.Instance.Apply(buffer);
            Assert.Equal(LuceneReference.AsciiFold(word), buffer.ToString());
        }
    }

    [Fact]
    public void Overlong_tokens_are_split_not_dropped()
    {
        string word = new('x', 600);
        IReadOnlyList<string> tokens = new TextAnalyzer(new StandardWordSegmenter(255)).Analyze(word + " end");
        Assert.Equal([255, 255, 90, 3], tokens.Select(t => t.Length));
        Assert.Throws<ArgumentOutOfRangeException>(() => new StandardWordSegmenter(0));
    }

    [Fact]
    public void Bad_arguments_are_rejected_with_the_name_of_the_problem()
    {
        Assert.Throws<ArgumentNullException>(() => new TextAnalyzer(null!));
        ArgumentException nullFilter = Assert.Throws<ArgumentException>(() => new TextAnalyzer(StandardWordSegmenter.Instance, LowerCaseFilter.Instance, null!));
        Assert.Contains("Filter 1 is null", nullFilter.Message);
        Assert.Throws<ArgumentNullException>(() => TextAnalyzer.English.Tokenize(null!, []));
        Assert.Contains("Stop word 0", Assert.Throws<ArgumentException>(() => new StopWordFilter([null!])).Message);
        Assert.Equal(33, StopWordFilter.English.StopWords.Count);
        Assert.Equal("wordCacheCapacity", Assert.Throws<ArgumentOutOfRangeException>(() => TextAnalyzer.CreateEnglish(-1)).ParamName);
    }

    [Fact]
    public void TermBuffer_grows_and_truncates()
    {
        var buffer = new TermBuffer(2);
        buffer.Set("abcdef");
        Assert.Equal("abcdef", buffer.ToString());
        buffer.Truncate(3);
        Assert.Equal("abc", buffer.ToString());
        buffer.Resize(5)[3..].Fill('z');
        Assert.Equal("abczz", buffer.ToString());
        Assert.Throws<ArgumentOutOfRangeException>(() => buffer.Truncate(6));
    }
}
