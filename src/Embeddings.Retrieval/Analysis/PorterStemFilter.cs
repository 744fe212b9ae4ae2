namespace Embeddings;

/// <summary>Replaces each term with its Porter stem (<see cref="PorterStemmer"/>); put it after lower-casing.</summary>
public sealed class PorterStemFilter : ITermFilter
{
    /// <summary>Gets the shared instance; the filter holds no state.</summary>
    public static PorterStemFilter Instance { get; } = new();

    /// <inheritdoc />
    public bool Apply(TermBuffer term)
    {
        ArgumentNullException.ThrowIfNull(term);
        term.Truncate(PorterStemmer.Stem(term.Span));
        return true;
    }
}
