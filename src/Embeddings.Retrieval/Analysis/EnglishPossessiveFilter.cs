namespace Embeddings;

/// <summary>
/// Strips a trailing English possessive <c>'s</c> (also with the typographic apostrophe ’ or the full-width ＇,
/// and upper-case S) from a term, as Lucene's <c>EnglishPossessiveFilter</c>: <c>author's</c> → <c>author</c>.
/// </summary>
public sealed class EnglishPossessiveFilter : ITermFilter
{
    /// <summary>Gets the shared instance; the filter holds no state.</summary>
    public static EnglishPossessiveFilter Instance { get; } = new();

    /// <inheritdoc />
    public bool Apply(TermBuffer term)
    {
        ArgumentNullException.ThrowIfNull(term);
        ReadOnlySpan<char> chars = term.Span;
        int n = chars.Length;
        if (n >= 2 && chars[n - 2] is '\'' or '\u2019' or '\uFF07' && chars[n - 1] is 's' or 'S')
        {
            term.Truncate(n - 2);
        }

        return true;
    }
}
