using System.Collections.Frozen;

namespace Embeddings;

/// <summary>Drops the terms of a stop-word set (compared ordinally, so put it after lower-casing).</summary>
public sealed class StopWordFilter : ITermFilter
{
#if NET9_0_OR_GREATER
    private readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> _lookup;
#endif

    /// <summary>Initializes a filter.</summary>
    /// <param name="stopWords">The words to drop; not null, no null entries.</param>
    /// <exception cref="ArgumentException">A word is null.</exception>
    public StopWordFilter(IEnumerable<string> stopWords)
    {
        ArgumentNullException.ThrowIfNull(stopWords);
        string[] words = [.. stopWords];
        for (int i = 0; i < words.Length; i++)
        {
            if (words[i] is null)
            {
                throw new ArgumentException($"Stop word {i} is null.", nameof(stopWords));
            }
        }

        StopWords = words.ToFrozenSet(StringComparer.Ordinal);
#if NET9_0_OR_GREATER
        _lookup = StopWords.GetAlternateLookup<ReadOnlySpan<char>>();
#endif
    }

    /// <summary>
    /// Gets Lucene's English stop words (<c>EnglishAnalyzer.ENGLISH_STOP_WORDS_SET</c>, the default of its
    /// EnglishAnalyzer and of Anserini/Pyserini): 33 words, from "a" to "with".
    /// </summary>
    public static IReadOnlyList<string> EnglishStopWords { get; } =
    [
        "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it", "no", "not", "of",
        "on", "or", "such", "that", "the", "their", "then", "there", "these", "they", "this", "to", "was", "will", "with",
    ];

    /// <summary>Gets a filter over <see cref="EnglishStopWords"/>.</summary>
    public static StopWordFilter English { get; } = new(EnglishStopWords);

    /// <summary>Gets the stop words.</summary>
    public FrozenSet<string> StopWords { get; }

    /// <inheritdoc />
    public bool Apply(TermBuffer term)
    {
        ArgumentNullException.ThrowIfNull(term);
#if NET9_0_OR_GREATER
        return !_lookup.Contains(term.Span);
#else
        // .NET 8 sets have no span lookup; the term is copied to a string.
        return !StopWords.Contains(term.Span.ToString());
#endif
    }
}
