using Embeddings.Text;

namespace Embeddings.Static;

/// <summary>
/// The word-level tokenizer of word-vector models (word2vec, GloVe, fastText): lower-cases the text
/// (invariant culture) and takes the tokens of <c>\w+|[^\w\s]</c> (.NET regular-expression semantics): runs
/// of word characters, and every other non-space character on its own. The scan is <see cref="WordSpans"/>,
/// the same one BM25's plain tokenizer uses.
/// </summary>
internal static class WordTokenizer
{
    /// <summary>The token pattern this tokenizer matches: <c>\w+|[^\w\s]</c>.</summary>
    public const string Pattern = @"\w+|[^\w\s]";

    /// <summary>Splits <paramref name="text"/> into tokens.</summary>
    /// <param name="text">The text.</param>
    /// <param name="lowercase">Whether to lower-case first (invariant culture). Default: <see langword="true"/>.</param>
    /// <returns>The tokens, in order.</returns>
    public static IReadOnlyList<string> Tokenize(string text, bool lowercase = true)
    {
        ArgumentNullException.ThrowIfNull(text);
        string source = lowercase ? text.ToLowerInvariant() : text;
        var tokens = new List<string>();
        foreach ((int start, int length) in WordSpans.Enumerate(source, punctuation: true))
        {
            tokens.Add(source.Substring(start, length));
        }

        return tokens;
    }
}
