namespace Embeddings;

/// <summary>
/// One step of a <see cref="TextAnalyzer"/>: rewrites a term in place (lower-casing, folding, stemming) or drops it
/// (stop words). Filters run in the order they are given, each on the previous one's output.
/// </summary>
/// <remarks>Implementations are thread-safe: an analyzer calls them from concurrent searches.</remarks>
public interface ITermFilter
{
    /// <summary>Applies the filter to one term.</summary>
    /// <param name="term">The term; the filter may change its characters and length.</param>
    /// <returns><see langword="true"/> to keep the term, <see langword="false"/> to drop it.</returns>
    bool Apply(TermBuffer term);
}
