using System.Globalization;
using System.Text;

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
        int start = -1;
        int i = 0;
        while (i < text.Length)
        {
            int width = 1;
            bool isWord;
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                // Regex \w works on UTF-16 code units, so a letter outside the BMP is not a word character there;
                // matching that keeps this tokenizer identical to Regex("\w+").
                isWord = false;
                width = 2;
            }
            else
            {
                isWord = IsWordChar(text[i]);
            }

            if (isWord)
            {
                if (start < 0)
                {
                    start = i;
                }
            }
            else if (start >= 0)
            {
                terms.Add(Lower(text, start, i - start));
                start = -1;
            }

            i += width;
        }

        if (start >= 0)
        {
            terms.Add(Lower(text, start, text.Length - start));
        }
    }

    /// <summary>Returns whether <paramref name="c"/> is a word character in the sense of the regular expression <c>\w</c>.</summary>
    /// <param name="c">The character.</param>
    /// <returns><see langword="true"/> for letters, decimal digits, non-spacing marks and connector punctuation.</returns>
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
