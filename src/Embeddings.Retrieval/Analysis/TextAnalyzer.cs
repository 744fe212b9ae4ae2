namespace Embeddings;

/// <summary>
/// A lexical analyzer: a <see cref="IWordSegmenter"/> that finds the tokens of a text, then a chain of
/// <see cref="ITermFilter"/>s that rewrite or drop each one. <see cref="English"/> reproduces Lucene's
/// <c>EnglishAnalyzer</c> (the analyzer of Anserini and Pyserini's BM25 baselines) and is <see cref="Bm25Index"/>'s default.
/// </summary>
/// <remarks>Thread-safe when its segmenter and filters are (all of this library's are).</remarks>
public sealed class TextAnalyzer : ITermTokenizer
{
    private readonly IWordSegmenter _segmenter;
    private readonly ITermFilter[] _filters;

    /// <summary>Initializes an analyzer.</summary>
    /// <param name="segmenter">Finds the tokens.</param>
    /// <param name="filters">Applied to each token in order; a filter that drops the token ends the chain for it.</param>
    /// <exception cref="ArgumentException">A filter is null.</exception>
    public TextAnalyzer(IWordSegmenter segmenter, params IEnumerable<ITermFilter> filters)
    {
        ArgumentNullException.ThrowIfNull(segmenter);
        ArgumentNullException.ThrowIfNull(filters);
        _segmenter = segmenter;
        _filters = [.. filters];
        for (int i = 0; i < _filters.Length; i++)
        {
            if (_filters[i] is null)
            {
                throw new ArgumentException($"Filter {i} is null.", nameof(filters));
            }
        }
    }

    /// <summary>
    /// Gets the analyzer of Lucene's <c>EnglishAnalyzer</c>: Unicode word segmentation
    /// (<see cref="StandardWordSegmenter"/>), then <see cref="EnglishPossessiveFilter"/>, <see cref="LowerCaseFilter"/>,
    /// <see cref="StopWordFilter.English"/> (Lucene's 33 English stop words) and <see cref="PorterStemFilter"/>.
    /// No ASCII folding, as in Lucene; build one with <see cref="AsciiFoldingFilter"/> after lower-casing to add it.
    /// </summary>
    public static TextAnalyzer English { get; } = new(
        StandardWordSegmenter.Instance,
        EnglishPossessiveFilter.Instance,
        LowerCaseFilter.Instance,
        StopWordFilter.English,
        PorterStemFilter.Instance);

    /// <summary>Gets the segmenter.</summary>
    public IWordSegmenter Segmenter => _segmenter;

    /// <summary>Gets the filters, in the order they run.</summary>
    public IReadOnlyList<ITermFilter> Filters => _filters;

    /// <inheritdoc />
    public void Tokenize(string text, List<string> terms)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(terms);
        var buffer = new TermBuffer();
        ReadOnlySpan<char> span = text;
        int position = 0;
        while (_segmenter.TryNext(span, ref position, out int start, out int length))
        {
            buffer.Set(span.Slice(start, length));
            bool keep = true;
            foreach (ITermFilter filter in _filters)
            {
                if (!filter.Apply(buffer) || buffer.Length == 0)
                {
                    keep = false;
                    break;
                }
            }

            if (keep)
            {
                terms.Add(buffer.ToString());
            }
        }
    }

    /// <summary>Returns the terms of <paramref name="text"/>.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The terms, in order and with repeats.</returns>
    public IReadOnlyList<string> Analyze(string text)
    {
        var terms = new List<string>();
        Tokenize(text, terms);
        return terms;
    }
}
