using System.Text;

namespace Embeddings;

/// <summary>
/// Folds a term to ASCII where a plain-Latin equivalent exists: accents and other combining marks are removed
/// after compatibility decomposition (<c>café</c> → <c>cafe</c>, <c>ﬁ</c> → <c>fi</c>, full-width letters to
/// ASCII), and letters that do not decompose are spelled out (<c>æ</c> → <c>ae</c>, <c>ß</c> → <c>ss</c>,
/// <c>ø</c> → <c>o</c>, <c>ł</c> → <c>l</c>, <c>þ</c> → <c>th</c>, curly quotes to straight ones).
/// Characters with no such equivalent (Greek, Cyrillic, CJK) are kept.
/// </summary>
/// <remarks>
/// Not part of the default English analyzer (Lucene's EnglishAnalyzer does not fold either); add it for corpora
/// where the same word is written with and without accents. It covers Latin script through decomposition and a
/// short table, a subset of Lucene's much longer <c>ASCIIFoldingFilter</c> table.
/// </remarks>
public sealed class AsciiFoldingFilter : ITermFilter
{
    /// <summary>Gets the shared instance; the filter holds no state.</summary>
    public static AsciiFoldingFilter Instance { get; } = new();

    /// <inheritdoc />
    public bool Apply(TermBuffer term)
    {
        ArgumentNullException.ThrowIfNull(term);
        ReadOnlySpan<char> chars = term.Span;
        if (!chars.ContainsAnyExceptInRange('\0', '\u007F'))
        {
            return true;
        }

        string decomposed = chars.ToString().Normalize(NormalizationForm.FormKD);
        var folded = new StringBuilder(decomposed.Length);
        foreach (char c in decomposed)
        {
            if (System.Globalization.CharUnicodeInfo.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.NonSpacingMark)
            {
                continue;
            }

            string? spelled = c switch
            {
                'æ' => "ae", 'Æ' => "AE", 'œ' => "oe", 'Œ' => "OE", 'ß' => "ss", 'ẞ' => "SS", 'ø' => "o", 'Ø' => "O",
                'đ' or 'ð' => "d", 'Đ' or 'Ð' => "D", 'ħ' => "h", 'Ħ' => "H", 'ı' => "i", 'ł' => "l", 'Ł' => "L",
                'þ' => "th", 'Þ' => "TH", 'ŋ' => "n", 'Ŋ' => "N", 'ĸ' => "q", 'ŀ' => "l", 'Ŀ' => "L", 'ſ' => "s",
                '\u2018' or '\u2019' or '\u201A' or '\u201B' => "'", '\u201C' or '\u201D' or '\u201E' or '\u201F' => "\"",
                _ => null,
            };
            if (spelled is null)
            {
                folded.Append(c);
            }
            else
            {
                folded.Append(spelled);
            }
        }

        term.Set(folded.ToString().AsSpan());
        return true;
    }
}
