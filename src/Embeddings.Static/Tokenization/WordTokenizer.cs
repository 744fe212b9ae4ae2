using System.Text.RegularExpressions;

namespace Embeddings.Static;

/// <summary>
/// The word-level tokenizer of word-vector models (word2vec, GloVe, fastText): lower-cases the text
/// (invariant culture) and takes the matches of <c>\w+|[^\w\s]</c> (.NET regular-expression semantics): runs
/// of word characters, and every other non-space character on its own.
/// </summary>
internal static partial class WordTokenizer
{
    /// <summary>The token pattern: <c>\w+|[^\w\s]</c>.</summary>
    public const string Pattern = @"\w+|[^\w\s]";

    /// <summary>Gets the compiled (source-generated) token pattern.</summary>
    public static Regex TokenRegex => TokenPattern();

    /// <summary>Splits <paramref name="text"/> into tokens.</summary>
    /// <param name="text">The text.</param>
    /// <param name="lowercase">Whether to lower-case first (invariant culture). Default: <see langword="true"/>.</param>
    /// <returns>The tokens, in order.</returns>
    public static IReadOnlyList<string> Tokenize(string text, bool lowercase = true)
    {
        ArgumentNullException.ThrowIfNull(text);
        string source = lowercase ? text.ToLowerInvariant() : text;
        var tokens = new List<string>();
        foreach (ValueMatch match in TokenPattern().EnumerateMatches(source))
        {
            tokens.Add(source.Substring(match.Index, match.Length));
        }

        return tokens;
    }

    [GeneratedRegex(Pattern, RegexOptions.CultureInvariant)]
    private static partial Regex TokenPattern();
}
