using Lucene.Net.Analysis;
using Lucene.Net.Analysis.Core;
using Lucene.Net.Analysis.En;
using Lucene.Net.Analysis.TokenAttributes;
using Lucene.Net.Util;

namespace Embeddings.Retrieval.Tests.Analysis;

/// <summary>Lucene.Net 4.8's own analyzers, the independent reference our analysis is pinned against.</summary>
internal static class LuceneReference
{
    private static readonly ThreadLocal<Analyzer> EnglishAnalyzer = new(() => new EnglishAnalyzer(LuceneVersion.LUCENE_48));

    private static readonly ThreadLocal<Analyzer> Stemmer = new(() => Analyzer.NewAnonymous((_, reader) =>
    {
        var source = new KeywordTokenizer(reader);
        return new TokenStreamComponents(source, new Lucene.Net.Analysis.En.PorterStemFilter(source));
    }));

    private static readonly ThreadLocal<Analyzer> Standard = new(() => Analyzer.NewAnonymous((_, reader) =>
    {
        var source = new Lucene.Net.Analysis.Standard.StandardTokenizer(LuceneVersion.LUCENE_48, reader);
        return new TokenStreamComponents(source);
    }));

    private static readonly ThreadLocal<Analyzer> Folding = new(() => Analyzer.NewAnonymous((_, reader) =>
    {
        var source = new KeywordTokenizer(reader);
        return new TokenStreamComponents(source, new Lucene.Net.Analysis.Miscellaneous.ASCIIFoldingFilter(source));
    }));

    /// <summary>The terms of Lucene's EnglishAnalyzer (Lucene 4.8 rules).</summary>
    public static List<string> English(string text) => Terms(EnglishAnalyzer.Value!, text);

    /// <summary>The tokens of Lucene's StandardTokenizer alone, unchanged.</summary>
    public static List<string> StandardTokens(string text) => Terms(Standard.Value!, text);

    /// <summary>Lucene's Porter stem of one lower-case word.</summary>
    public static string PorterStem(string word) => Terms(Stemmer.Value!, word).Single();

    /// <summary>Lucene's ASCII folding of one term.</summary>
    public static string AsciiFold(string term) => Terms(Folding.Value!, term).Single();

    private static List<string> Terms(Analyzer analyzer, string text)
    {
        var terms = new List<string>();
        using TokenStream stream = analyzer.GetTokenStream("f", new StringReader(text));
        ICharTermAttribute term = stream.AddAttribute<ICharTermAttribute>();
        stream.Reset();
        while (stream.IncrementToken())
        {
            terms.Add(term.ToString());
        }

        stream.End();
        return terms;
    }
}
