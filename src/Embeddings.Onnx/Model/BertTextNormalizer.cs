using System.Globalization;
using System.Text;

namespace Embeddings.Onnx;

/// <summary>
/// Hugging Face's <c>BertNormalizer</c> (huggingface/tokenizers <c>normalizers/bert.rs</c>, and transformers.js'
/// port of it), applied before Microsoft.ML.Tokenizers' WordPiece, whose own BERT normalizer differs in ways that change
/// token ids: it recomposes the text to NFC after stripping accents (so Hangul syllables, which NFD splits into jamo
/// that are in the vocabulary, come back whole and become [UNK]), it strips spacing combining marks (Mc, the vowel
/// signs of Devanagari and other Indic scripts) as well as non-spacing ones, and it keeps format characters (Cf: zero
/// width space and joiners, soft hyphen, byte order mark) that BertNormalizer deletes.
/// </summary>
/// <remarks>
/// The steps, in Hugging Face's order: clean the text (delete U+0000, U+FFFD and every control, format, private-use
/// and lone surrogate character except tab, line feed and carriage return; turn every whitespace character into a
/// space); put spaces around CJK ideographs; strip accents (NFD, then delete non-spacing marks, Mn); lower-case.
/// Special tokens written in the text are matched on the raw text before any of this, as Hugging Face matches added
/// tokens, so <c>[CLS]</c> in an input stays one token while <c>[cls]</c> does not.
/// </remarks>
internal sealed class BertTextNormalizer
{
    private readonly bool _lowerCase;
    private readonly bool _stripAccents;
    private readonly bool _chineseChars;
    private readonly string[] _specialTokens;

    public BertTextNormalizer(bool lowerCase, bool stripAccents, bool chineseChars, IEnumerable<string> specialTokens)
    {
        _lowerCase = lowerCase;
        _stripAccents = stripAccents;
        _chineseChars = chineseChars;

        // Longest first, so that of two tokens starting at the same place the longer one wins, as in Hugging Face's
        // leftmost-longest added-token matcher.
        _specialTokens = [.. specialTokens.Where(t => t.Length > 0).Distinct(StringComparer.Ordinal).OrderByDescending(t => t.Length)];
    }

    /// <summary>Normalizes <paramref name="text"/>; special tokens found in it are kept verbatim, set apart by spaces.</summary>
    public string Normalize(string text)
    {
        (int at, string? token) = FindSpecialToken(text, 0);
        if (token is null)
        {
            return NormalizeSegment(text);
        }

        var builder = new StringBuilder(text.Length + 16);
        int start = 0;
        while (token is not null)
        {
            builder.Append(NormalizeSegment(text[start..at])).Append(' ').Append(token).Append(' ');
            start = at + token.Length;
            (at, token) = FindSpecialToken(text, start);
        }

        return builder.Append(NormalizeSegment(text[start..])).ToString();
    }

    private (int At, string? Token) FindSpecialToken(string text, int start)
    {
        int best = -1;
        string? found = null;
        foreach (string token in _specialTokens)
        {
            int at = text.IndexOf(token, start, StringComparison.Ordinal);
            if (at >= 0 && (best < 0 || at < best))
            {
                best = at;
                found = token;
            }
        }

        return (best, found);
    }

    private string NormalizeSegment(string text)
    {
        if (IsPlainAscii(text))
        {
            // Printable ASCII has nothing to clean, no ideographs and no accents: only the case changes.
            return _lowerCase ? text.ToLowerInvariant() : text;
        }

        var cleaned = new StringBuilder(text.Length + 8);
        foreach (Rune rune in text.EnumerateRunes())
        {
            // EnumerateRunes yields U+FFFD for a lone surrogate, which BertNormalizer deletes as well (Cs).
            int value = rune.Value;
            if (value is 0 or 0xFFFD || IsControl(rune))
            {
                continue;
            }

            if (Rune.IsWhiteSpace(rune))
            {
                cleaned.Append(' ');
            }
            else if (_chineseChars && IsChineseCharacter(value))
            {
                cleaned.Append(' ').Append(rune.ToString()).Append(' ');
            }
            else
            {
                cleaned.Append(rune.ToString());
            }
        }

        string result = cleaned.ToString();
        if (_stripAccents)
        {
            string decomposed = result.Normalize(NormalizationForm.FormD);
            var stripped = new StringBuilder(decomposed.Length);
            foreach (Rune rune in decomposed.EnumerateRunes())
            {
                if (Rune.GetUnicodeCategory(rune) != UnicodeCategory.NonSpacingMark)
                {
                    stripped.Append(rune.ToString());
                }
            }

            result = stripped.ToString();
        }

        // Per character, without the context rules of String.toLowerCase (final sigma), as tokenizers' Rust does.
        return _lowerCase ? result.ToLowerInvariant() : result;
    }

    private static bool IsPlainAscii(string text)
    {
        foreach (char c in text)
        {
            if (c is < ' ' or > '~')
            {
                return false;
            }
        }

        return true;
    }

    // Tab, line feed and carriage return are control characters too, but BertNormalizer counts them as whitespace.
    private static bool IsControl(Rune rune) =>
        rune.Value is not ('\t' or '\n' or '\r')
        && Rune.GetUnicodeCategory(rune) is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.PrivateUse or UnicodeCategory.Surrogate;

    // The CJK Unified Ideographs blocks and their extensions and compatibility blocks, as BertNormalizer lists them.
    // Hangul, Hiragana and Katakana are not in them: they are written with spaces and tokenized like other scripts.
    private static bool IsChineseCharacter(int value) =>
        value is (>= 0x4E00 and <= 0x9FFF)
            or (>= 0x3400 and <= 0x4DBF)
            or (>= 0x20000 and <= 0x2A6DF)
            or (>= 0x2A700 and <= 0x2B73F)
            or (>= 0x2B740 and <= 0x2B81F)
            or (>= 0x2B820 and <= 0x2CEAF)
            or (>= 0xF900 and <= 0xFAFF)
            or (>= 0x2F800 and <= 0x2FA1F);
}
