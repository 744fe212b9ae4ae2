using Embeddings.Text;

namespace Embeddings;

/// <summary>
/// The default term tokenizer of <see cref="Bm25Index"/>: the maximal runs of word characters (the regular
/// expression <c>\w+</c>: letters, decimal digits, non-spacing marks and connector punctuation such as
/// <c>_</c>), lowercased with the invariant culture. No stemming and no stop words.
/// </summary>
public sealed class WordTermTokenizer : ITermTokenizer
{
    /// <summary>Gets the shared instance; the tokenizer holds no state.</summary>
    public static WordTermTokenizer Instance { get; } = new();

    /// <inheritdoc />
    public void Tokenize(string text, List<string> terms)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(terms);
        foreach ((int start, int length) in WordSpans.Enumerate(text, punctuation: false))
        {
            terms.Add(Lower(text, start, length));
        }
    }

    /// <summary>Returns whether <paramref name="c"/> is a word character in the sense of the regular expression <c>\w</c>.</summary>
    /// <param name="c">The character.</param>
    /// <returns><see langword="true"/> for letters, decimal digits, non-spacing marks and connector punctuation.</returns>
    public static bool IsWordChar(char c) => WordSpans.IsWordChar(c);

    private static string Lower(string text, int start, int length)
    {
        ReadOnlySpan<char> span = text.AsSpan(start, length);
        foreach (char c in span)
        {
            if (c >= 128 || (uint)(c - 'A') <= 'Z' - 'A')
            {
                return string.Create(length, (text, start), static (destination, state) =>
                    state.text.AsSpan(state.start, destination.Length).ToLowerInvariant(destination));
            }
        }

        return span.ToString();
    }
}
