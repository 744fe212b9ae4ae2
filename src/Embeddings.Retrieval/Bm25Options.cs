namespace Embeddings;

/// <summary>Settings of a <see cref="Bm25Index"/>.</summary>
public sealed class Bm25Options
{
    /// <summary>
    /// Gets or sets the term-frequency saturation k1: how quickly repeated occurrences of a term stop adding to
    /// the score. Default: 0.9 (the Anserini/Pyserini BEIR setting). Must be zero or positive and finite.
    /// </summary>
    public double K1 { get; set; } = 0.9;

    /// <summary>
    /// Gets or sets the document-length normalization b in [0, 1]: 0 ignores length, 1 normalizes fully by
    /// length over average length. Default: 0.4.
    /// </summary>
    public double B { get; set; } = 0.4;

    /// <summary>
    /// Gets or sets the analyzer applied to documents and queries. Default: <see cref="TextAnalyzer.English"/>,
    /// Lucene's EnglishAnalyzer (Unicode word segmentation, possessives, lower case, Lucene's 33 English stop
    /// words, Porter stemming). <see cref="WordTermTokenizer.Instance"/> is the plain alternative: lowercased
    /// <c>\w+</c> runs without stemming or stop words.
    /// </summary>
    public ITermTokenizer Tokenizer { get; set; } = TextAnalyzer.English;

    /// <summary>
    /// Gets or sets how document lengths enter the length normalization. Default: <see cref="Bm25LengthEncoding.Exact"/>.
    /// <see cref="Bm25LengthEncoding.Lucene"/> rounds them as Lucene's one-byte norms do, to reproduce its scores.
    /// </summary>
    public Bm25LengthEncoding LengthEncoding { get; set; } = Bm25LengthEncoding.Exact;

    internal void Validate()
    {
        if (!Enum.IsDefined(LengthEncoding))
        {
            throw new ArgumentOutOfRangeException(nameof(LengthEncoding), LengthEncoding, "Unknown BM25 length encoding.");
        }

        if (!double.IsFinite(K1) || K1 < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(K1), K1, "BM25 k1 must be a finite number >= 0.");
        }

        if (!double.IsFinite(B) || B is < 0 or > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(B), B, "BM25 b must lie in [0, 1].");
        }

        if (Tokenizer is null)
        {
            throw new ArgumentNullException(nameof(Tokenizer), "BM25 needs a tokenizer.");
        }
    }
}
