using System.Collections.Concurrent;

namespace Embeddings;

/// <summary>
/// A lexical analyzer: a <see cref="IWordSegmenter"/> that finds the tokens of a text, then a chain of
/// <see cref="ITermFilter"/>s that rewrite or drop each one. <see cref="English"/> reproduces Lucene's
/// <c>EnglishAnalyzer</c> (the analyzer of Anserini and Pyserini's BM25 baselines) and is <see cref="Bm25Index"/>'s default.
/// </summary>
/// <remarks>Thread-safe when its segmenter and filters are (all of this library's are).</remarks>
public sealed class TextAnalyzer : ITermTokenizer
{
    // Words longer than this are analyzed every time: they are rare, and caching them would mostly hold one-offs.
    private const int MaxCachedWordLength = 32;

    private readonly IWordSegmenter _segmenter;
    private readonly ITermFilter[] _filters;
    private readonly int _wordCacheCapacity;

    // Raw token -> analyzed term, or null when the filters drop it. Natural text repeats most of its tokens, so the
    // filter chain (Porter stemming above all) runs once per distinct word instead of once per occurrence.
    private readonly ConcurrentDictionary<string, string?>? _wordCache;
#if NET9_0_OR_GREATER
    private readonly ConcurrentDictionary<string, string?>.AlternateLookup<ReadOnlySpan<char>> _wordLookup;
#endif
    private int _wordCacheCount;

    /// <summary>Initializes an analyzer that runs its filters on every token (no word cache).</summary>
    /// <param name="segmenter">Finds the tokens.</param>
    /// <param name="filters">Applied to each token in order; a filter that drops the token ends the chain for it.</param>
    /// <exception cref="ArgumentException">A filter is null.</exception>
    public TextAnalyzer(IWordSegmenter segmenter, params IEnumerable<ITermFilter> filters)
        : this(segmenter, 0, filters)
    {
    }

    /// <summary>Initializes an analyzer that remembers the output of its filters for up to <paramref name="wordCacheCapacity"/> distinct tokens.</summary>
    /// <param name="segmenter">Finds the tokens.</param>
    /// <param name="wordCacheCapacity">
    /// How many distinct tokens (of up to 32 characters) to remember with their analyzed term; 0 for no cache. Once full,
    /// further new tokens are analyzed every time. Only use a cache when the filters' output depends on the token alone
    /// (true of all of this library's filters).
    /// </param>
    /// <param name="filters">Applied to each token in order; a filter that drops the token ends the chain for it.</param>
    /// <exception cref="ArgumentException">A filter is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="wordCacheCapacity"/> is negative.</exception>
    public TextAnalyzer(IWordSegmenter segmenter, int wordCacheCapacity, params IEnumerable<ITermFilter> filters)
    {
        ArgumentNullException.ThrowIfNull(segmenter);
        ArgumentNullException.ThrowIfNull(filters);
        ArgumentOutOfRangeException.ThrowIfNegative(wordCacheCapacity);
        _segmenter = segmenter;
        _wordCacheCapacity = wordCacheCapacity;
        if (wordCacheCapacity > 0)
        {
            _wordCache = new ConcurrentDictionary<string, string?>(StringComparer.Ordinal);
#if NET9_0_OR_GREATER
            _wordLookup = _wordCache.GetAlternateLookup<ReadOnlySpan<char>>();
#endif
        }

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
    /// Remembers the analyzed form of up to 262,144 distinct words (see <see cref="WordCacheCapacity"/>).
    /// </summary>
    public static TextAnalyzer English { get; } = CreateEnglish(262_144);

    /// <summary>Gets how many distinct tokens the analyzer remembers with their analyzed term; 0 when it has no cache.</summary>
    public int WordCacheCapacity => _wordCacheCapacity;

    /// <summary>Returns a new analyzer identical to <see cref="English"/> but with its own word cache of <paramref name="wordCacheCapacity"/> entries (0 for none).</summary>
    /// <param name="wordCacheCapacity">How many distinct tokens to remember; zero or positive.</param>
    /// <returns>The analyzer.</returns>
    public static TextAnalyzer CreateEnglish(int wordCacheCapacity) => new(
        StandardWordSegmenter.Instance,
        wordCacheCapacity,
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
            ReadOnlySpan<char> word = span.Slice(start, length);
            if (_wordCache is null || length > MaxCachedWordLength)
            {
                if (Filter(buffer, word))
                {
                    terms.Add(buffer.ToString());
                }

                continue;
            }

#if NET9_0_OR_GREATER
            if (_wordLookup.TryGetValue(word, out string? cached))
#else
            if (_wordCache.TryGetValue(word.ToString(), out string? cached))
#endif
            {
                if (cached is not null)
                {
                    terms.Add(cached);
                }

                continue;
            }

            string? term = Filter(buffer, word) ? buffer.ToString() : null;
            if (term is not null)
            {
                terms.Add(term);
            }

            // The count is approximate under concurrency (it may pass the capacity by the number of racing threads);
            // ConcurrentDictionary.Count would take every lock on each miss.
            if (Volatile.Read(ref _wordCacheCount) < _wordCacheCapacity && _wordCache.TryAdd(word.ToString(), term))
            {
                Interlocked.Increment(ref _wordCacheCount);
            }
        }
    }

    private bool Filter(TermBuffer buffer, ReadOnlySpan<char> word)
    {
        buffer.Set(word);
        foreach (ITermFilter filter in _filters)
        {
            if (!filter.Apply(buffer) || buffer.Length == 0)
            {
                return false;
            }
        }

        return true;
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
