using System.Text;

namespace Embeddings;

/// <summary>Lower-cases a term with the invariant culture's simple case mapping, code point by code point (as Lucene's <c>LowerCaseFilter</c>).</summary>
public sealed class LowerCaseFilter : ITermFilter
{
    /// <summary>Gets the shared instance; the filter holds no state.</summary>
    public static LowerCaseFilter Instance { get; } = new();

    /// <inheritdoc />
    public bool Apply(TermBuffer term)
    {
        ArgumentNullException.ThrowIfNull(term);
        Span<char> chars = term.Span;
        for (int i = 0; i < chars.Length; i++)
        {
            char c = chars[i];
            if (c < 0x80)
            {
                if ((uint)(c - 'A') <= 'Z' - 'A')
                {
                    chars[i] = (char)(c | 0x20);
                }
            }
            else if (char.IsHighSurrogate(c) && i + 1 < chars.Length && char.IsLowSurrogate(chars[i + 1]))
            {
                // Letters outside the BMP (Deseret, Osage, ...) have lower-case forms that are also outside it,
                // so the pair is rewritten in place.
                Rune lower = Rune.ToLowerInvariant(new Rune(c, chars[i + 1]));
                if (lower.Utf16SequenceLength == 2)
                {
                    lower.EncodeToUtf16(chars[i..]);
                }

                i++;
            }
            else
            {
                chars[i] = char.ToLowerInvariant(c);
            }
        }

        return true;
    }
}
