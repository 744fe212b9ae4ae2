using System.Globalization;

namespace Embeddings.Text;

/// <summary>
/// The one word splitter of the library: the tokens of the regular expression <c>\w+</c> or, with
/// punctuation, <c>\w+|[^\w\s]</c>, with .NET's regular-expression semantics (word characters are letters,
/// non-spacing marks, decimal digits and connector punctuation, judged per UTF-16 code unit).
/// </summary>
/// <remarks>
/// BM25's plain term tokenizer (word runs) and the word-vector models' tokenizer (word runs and each other
/// non-space character) are both this scan, so they agree on what a word is. Written by hand rather than
/// with <see cref="System.Text.RegularExpressions.Regex"/> because it runs per token on the embedding hot path.
/// </remarks>
internal static class WordSpans
{
    /// <summary>Returns whether <paramref name="c"/> is a word character in the sense of the regular expression <c>\w</c>.</summary>
    /// <param name="c">The UTF-16 code unit.</param>
    /// <returns><see langword="true"/> for letters, non-spacing marks, decimal digits and connector punctuation.</returns>
    public static bool IsWordChar(char c)
    {
        if (c < 128)
        {
            return (uint)((c | 0x20) - 'a') <= 'z' - 'a' || (uint)(c - '0') <= 9 || c == '_';
        }

        return CharUnicodeInfo.GetUnicodeCategory(c) switch
        {
            UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
                or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter or UnicodeCategory.NonSpacingMark
                or UnicodeCategory.DecimalDigitNumber or UnicodeCategory.ConnectorPunctuation => true,
            _ => false,
        };
    }

    /// <summary>Counts the tokens of <paramref name="text"/>.</summary>
    /// <param name="text">The text.</param>
    /// <param name="punctuation">As for <see cref="Enumerate"/>.</param>
    /// <returns>The number of tokens.</returns>
    public static int Count(ReadOnlySpan<char> text, bool punctuation)
    {
        int count = 0;
        Enumerator tokens = Enumerate(text, punctuation);
        while (tokens.MoveNext())
        {
            count++;
        }

        return count;
    }

    /// <summary>Enumerates the tokens of <paramref name="text"/> as (start, length) pairs.</summary>
    /// <param name="text">The text.</param>
    /// <param name="punctuation">Whether every non-word, non-space code unit is a token of its own (<c>\w+|[^\w\s]</c>) rather than a separator (<c>\w+</c>).</param>
    /// <returns>An allocation-free enumerator.</returns>
    public static Enumerator Enumerate(ReadOnlySpan<char> text, bool punctuation) => new(text, punctuation);

    /// <summary>Enumerates tokens; <see cref="Current"/> is the token's start and length.</summary>
    public ref struct Enumerator
    {
        private readonly ReadOnlySpan<char> _text;
        private readonly bool _punctuation;
        private int _position;

        internal Enumerator(ReadOnlySpan<char> text, bool punctuation)
        {
            _text = text;
            _punctuation = punctuation;
            _position = 0;
            Current = default;
        }

        /// <summary>Gets the current token's start and length.</summary>
        public (int Start, int Length) Current { get; private set; }

        /// <summary>Returns this enumerator, so that it works in <c>foreach</c>.</summary>
        /// <returns>This enumerator.</returns>
        public readonly Enumerator GetEnumerator() => this;

        /// <summary>Moves to the next token.</summary>
        /// <returns><see langword="false"/> at the end of the text.</returns>
        public bool MoveNext()
        {
            ReadOnlySpan<char> text = _text;
            int i = _position;
            while (i < text.Length)
            {
                char c = text[i];
                if (IsWordChar(c))
                {
                    int start = i;
                    i++;
                    while (i < text.Length && IsWordChar(text[i]))
                    {
                        i++;
                    }

                    Current = (start, i - start);
                    _position = i;
                    return true;
                }

                i++;
                if (_punctuation && !char.IsWhiteSpace(c))
                {
                    Current = (i - 1, 1);
                    _position = i;
                    return true;
                }
            }

            _position = i;
            return false;
        }
    }
}
