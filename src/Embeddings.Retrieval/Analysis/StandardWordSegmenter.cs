using System.Globalization;

namespace Embeddings;

/// <summary>
/// Word segmentation by the Unicode word-boundary rules (UAX #29), as Lucene's <c>StandardTokenizer</c> does it:
/// words of letters and digits stay whole across inner apostrophes, periods and colons between letters
/// (<c>o'neil</c>, <c>u.s.a</c>) and across commas and periods between digits (<c>3,000.5</c>); <c>_</c> joins;
/// each Han ideograph and each Hiragana character is a token of its own; runs of Thai, Lao, Khmer and Myanmar
/// script are one token each; punctuation, symbols and emoji are dropped.
/// </summary>
/// <remarks>
/// The word-break classes are derived from .NET's Unicode general categories plus the short lists the standard
/// names (MidLetter, MidNum, MidNumLet, quotes, Katakana, Hebrew letters), not from the full Word_Break property
/// table, so rare characters may be classed differently from Lucene; on SciFact's corpus and a 100,000-word list
/// the tokens equal Lucene's (see the tests). A token longer than <see cref="MaxTokenLength"/> is split into pieces
/// of that length, as Lucene 7 and later do (Lucene 4 drops such tokens).
/// </remarks>
public sealed class StandardWordSegmenter : IWordSegmenter
{
    private readonly int _maxTokenLength;

    /// <summary>Initializes a segmenter.</summary>
    /// <param name="maxTokenLength">The longest token; longer ones are split. Positive. Default: 255, Lucene's.</param>
    public StandardWordSegmenter(int maxTokenLength = 255)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxTokenLength);
        _maxTokenLength = maxTokenLength;
    }

    /// <summary>Gets the shared instance with the default maximum token length, 255.</summary>
    public static StandardWordSegmenter Instance { get; } = new();

    /// <summary>Gets the longest token; longer runs are split into pieces of this length.</summary>
    public int MaxTokenLength => _maxTokenLength;

    private enum Wb : byte
    {
        Other,
        Extend,
        Format,
        ALetter,
        Hebrew,
        Numeric,
        Katakana,
        ExtendNumLet,
        MidLetter,
        MidNum,
        MidNumLet,
        SingleQuote,
        DoubleQuote,
        Han,
        Hiragana,
        ComplexContext,
    }

    /// <inheritdoc />
    public bool TryNext(ReadOnlySpan<char> text, ref int position, out int start, out int length)
    {
        int i = Math.Max(position, 0);
        while (i < text.Length)
        {
            Wb type = Classify(text, i, out int width);
            int tokenStart = i;
            int end;
            switch (type)
            {
                case Wb.ALetter or Wb.Hebrew or Wb.Numeric or Wb.Katakana or Wb.ExtendNumLet:
                    end = ScanWord(text, i, type, out bool hasCore);
                    if (!hasCore)
                    {
                        // Only connectors (for example "___"): no token, and each character is passed over alone.
                        i += width;
                        continue;
                    }

                    break;
                case Wb.Han or Wb.Hiragana:
                    end = SkipExtend(text, i + width);
                    break;
                case Wb.ComplexContext:
                    end = SkipExtend(text, i + width);
                    while (end < text.Length && Classify(text, end, out int w) == Wb.ComplexContext)
                    {
                        end = SkipExtend(text, end + w);
                    }

                    break;
                default:
                    i += width;
                    continue;
            }

            int tokenLength = end - tokenStart;
            if (tokenLength > _maxTokenLength)
            {
                tokenLength = _maxTokenLength;
                if (char.IsHighSurrogate(text[tokenStart + tokenLength - 1]))
                {
                    tokenLength--;
                }
            }

            start = tokenStart;
            length = tokenLength;
            position = tokenStart + tokenLength;
            return true;
        }

        position = text.Length;
        start = 0;
        length = 0;
        return false;
    }

    private static int ScanWord(ReadOnlySpan<char> text, int i, Wb first, out bool hasCore)
    {
        Wb previous = first;
        hasCore = first != Wb.ExtendNumLet;
        i = SkipExtend(text, i + Width(text, i));
        while (i < text.Length)
        {
            Wb current = Classify(text, i, out int width);
            int after = SkipExtend(text, i + width);
            bool join;
            if (IsCore(current) || current == Wb.ExtendNumLet)
            {
                join = current switch
                {
                    Wb.ALetter or Wb.Hebrew => IsLetter(previous) || previous is Wb.Numeric or Wb.ExtendNumLet,
                    Wb.Numeric => IsLetter(previous) || previous is Wb.Numeric or Wb.ExtendNumLet,
                    Wb.Katakana => previous is Wb.Katakana or Wb.ExtendNumLet,
                    _ => previous is Wb.ALetter or Wb.Hebrew or Wb.Numeric or Wb.Katakana or Wb.ExtendNumLet,
                };
                if (!join)
                {
                    break;
                }

                hasCore |= current != Wb.ExtendNumLet;
                previous = current;
                i = after;
                continue;
            }

            // A separator joins only between two letters (WB6/7) or two digits (WB11/12), and Hebrew takes a
            // final apostrophe (WB7a) or a gershayim between letters (WB7b/c).
            Wb next = after < text.Length ? Classify(text, after, out _) : Wb.Other;
            if (IsLetter(previous) && current is Wb.MidLetter or Wb.MidNumLet or Wb.SingleQuote && IsLetter(next))
            {
                previous = next;
                i = SkipExtend(text, after + Width(text, after));
                continue;
            }

            if (previous == Wb.Numeric && current is Wb.MidNum or Wb.MidNumLet or Wb.SingleQuote && next == Wb.Numeric)
            {
                i = SkipExtend(text, after + Width(text, after));
                continue;
            }

            if (previous == Wb.Hebrew && current == Wb.DoubleQuote && next == Wb.Hebrew)
            {
                i = SkipExtend(text, after + Width(text, after));
                continue;
            }

            if (previous == Wb.Hebrew && current == Wb.SingleQuote)
            {
                i = after;
            }

            break;
        }

        return i;
    }

    private static bool IsLetter(Wb type) => type is Wb.ALetter or Wb.Hebrew;

    private static bool IsCore(Wb type) => type is Wb.ALetter or Wb.Hebrew or Wb.Numeric or Wb.Katakana;

    private static int SkipExtend(ReadOnlySpan<char> text, int i)
    {
        while (i < text.Length)
        {
            Wb type = Classify(text, i, out int width);
            if (type is not (Wb.Extend or Wb.Format))
            {
                break;
            }

            i += width;
        }

        return i;
    }

    private static int Width(ReadOnlySpan<char> text, int i) =>
        char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]) ? 2 : 1;

    private static Wb Classify(ReadOnlySpan<char> text, int i, out int width)
    {
        char c = text[i];
        if (c < 0x80)
        {
            width = 1;
            return AsciiClasses[c];
        }

        int codePoint;
        UnicodeCategory category;
        if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
        {
            width = 2;
            codePoint = char.ConvertToUtf32(c, text[i + 1]);
            category = CharUnicodeInfo.GetUnicodeCategory(codePoint);
        }
        else
        {
            width = 1;
            codePoint = c;
            category = CharUnicodeInfo.GetUnicodeCategory(c);
        }

        return ClassifyNonAscii(codePoint, category);
    }

    private static Wb ClassifyNonAscii(int cp, UnicodeCategory category)
    {
        switch (cp)
        {
            case 0x00B7 or 0x0387 or 0x05F4 or 0x2027 or 0xFE13 or 0xFE55 or 0xFF1A:
                return Wb.MidLetter;
            case 0x2018 or 0x2019 or 0x2024 or 0xFE52 or 0xFF07 or 0xFF0E:
                return Wb.MidNumLet;
            case 0x037E or 0x0589 or 0x060C or 0x060D or 0x066C or 0x07F8 or 0x2044 or 0xFE10 or 0xFE14 or 0xFE50 or 0xFE54 or 0xFF0C or 0xFF1B:
                return Wb.MidNum;
            case 0x200C or 0x200D or 0xFF9E or 0xFF9F:
                return Wb.Extend;
            case 0x200B:
                return Wb.Other;
            case 0x066B:
                return Wb.Numeric;
            case 0x05F3 or 0x02C2 or 0x02C3 or 0x02C4 or 0x02C5 or (>= 0x02D2 and <= 0x02D7) or 0x02DE or 0x02DF or (>= 0x02E5 and <= 0x02EB) or 0x02ED or (>= 0x02EF and <= 0x02FF)
                or 0x055A or 0x055B or 0x055C or 0x055E or 0x058A or (>= 0xA708 and <= 0xA716) or 0xA720 or 0xA721 or 0xA789 or 0xA78A or (>= 0x24B6 and <= 0x24E9):
                return Wb.ALetter;
        }

        if (IsKatakana(cp))
        {
            return Wb.Katakana;
        }

        if (cp is (>= 0x3041 and <= 0x3096) or (>= 0x309D and <= 0x309F) or 0x1B001 or 0x1F200)
        {
            return Wb.Hiragana;
        }

        if (IsHan(cp))
        {
            return Wb.Han;
        }

        switch (category)
        {
            case UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark or UnicodeCategory.SpacingCombiningMark:
                return IsComplexContext(cp) ? Wb.ComplexContext : Wb.Extend;
            case UnicodeCategory.Format:
                return Wb.Format;
            case UnicodeCategory.DecimalDigitNumber:
                return Wb.Numeric;
            case UnicodeCategory.ConnectorPunctuation:
                return Wb.ExtendNumLet;
            case UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
                or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter or UnicodeCategory.LetterNumber:
                if (IsComplexContext(cp))
                {
                    return Wb.ComplexContext;
                }

                return cp is (>= 0x05D0 and <= 0x05EA) or (>= 0x05F0 and <= 0x05F2) or 0xFB1D or (>= 0xFB1F and <= 0xFB28) or (>= 0xFB2A and <= 0xFB4F)
                    ? Wb.Hebrew
                    : Wb.ALetter;
            default:
                return Wb.Other;
        }
    }

    private static bool IsKatakana(int cp) =>
        cp is (>= 0x3031 and <= 0x3035) or 0x309B or 0x309C or (>= 0x30A0 and <= 0x30FA) or (>= 0x30FC and <= 0x30FF)
            or (>= 0x31F0 and <= 0x31FF) or (>= 0x32D0 and <= 0x32FE) or (>= 0x3300 and <= 0x3357) or (>= 0xFF66 and <= 0xFF9D) or 0x1B000;

    private static bool IsHan(int cp) =>
        cp is (>= 0x2E80 and <= 0x2E99) or (>= 0x2E9B and <= 0x2EF3) or (>= 0x2F00 and <= 0x2FD5) or 0x3005 or 0x3007
            or (>= 0x3021 and <= 0x3029) or (>= 0x3038 and <= 0x303B) or (>= 0x3400 and <= 0x4DBF) or (>= 0x4E00 and <= 0x9FFF)
            or (>= 0xF900 and <= 0xFAFF) or (>= 0x20000 and <= 0x2FFFF) or (>= 0x30000 and <= 0x3FFFF);

    // Line_Break = Complex_Context: the scripts written without spaces between words (letters and marks; their digits are Numeric).
    private static bool IsComplexContext(int cp) =>
        cp is (>= 0x0E01 and <= 0x0E3A) or (>= 0x0E40 and <= 0x0E4E) or (>= 0x0E81 and <= 0x0ECD) or (>= 0x0EDC and <= 0x0EDF)
            or (>= 0x1000 and <= 0x103F) or (>= 0x1050 and <= 0x108F) or (>= 0x109A and <= 0x109F) or (>= 0x1780 and <= 0x17D3)
            or 0x17D7 or 0x17DC or 0x17DD or (>= 0x1950 and <= 0x1974) or (>= 0x1980 and <= 0x19CF) or (>= 0x19DA and <= 0x19DF)
            or (>= 0x1A20 and <= 0x1A7F) or (>= 0x1AA0 and <= 0x1AAD) or (>= 0xA9E0 and <= 0xA9EF) or (>= 0xA9FA and <= 0xA9FE)
            or (>= 0xAA60 and <= 0xAADF);

    private static readonly Wb[] AsciiClasses = BuildAscii();

    private static Wb[] BuildAscii()
    {
        var classes = new Wb[128];
        for (int c = 0; c < 128; c++)
        {
            classes[c] = c switch
            {
                >= 'a' and <= 'z' or >= 'A' and <= 'Z' => Wb.ALetter,
                >= '0' and <= '9' => Wb.Numeric,
                '_' => Wb.ExtendNumLet,
                ':' => Wb.MidLetter,
                '.' => Wb.MidNumLet,
                ',' or ';' => Wb.MidNum,
                '\'' => Wb.SingleQuote,
                '"' => Wb.DoubleQuote,
                _ => Wb.Other,
            };
        }

        return classes;
    }
}
