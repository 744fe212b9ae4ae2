using System.Globalization;
using System.Text;

namespace Embeddings.Indexing.Internal;

/// <summary>
/// Finds lone UTF-16 surrogates. A string holding one has no UTF-8 form, so it cannot be saved and read back
/// as the same string; keys and metadata are refused at the door instead of being damaged on save.
/// </summary>
internal static class Utf16Text
{
    /// <summary>UTF-8 that throws on invalid input instead of substituting U+FFFD, for index files.</summary>
    public static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Returns the position of the first surrogate without its partner, or -1 when the text is well formed.</summary>
    public static int IndexOfLoneSurrogate(ReadOnlySpan<char> text)
    {
        int start = text.IndexOfAnyInRange('\uD800', '\uDFFF');
        if (start < 0)
        {
            return -1;
        }

        for (int i = start; i < text.Length; i++)
        {
            char c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Writes lone surrogates as <c>\uXXXX</c> so a message can show the text it refuses.</summary>
    public static string Escape(string text)
    {
        if (IndexOfLoneSurrogate(text) < 0)
        {
            return text;
        }

        var builder = new StringBuilder(text.Length + 8);
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                builder.Append(c).Append(text[++i]);
            }
            else if (char.IsSurrogate(c))
            {
                builder.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    /// <summary>Describes the first lone surrogate of <paramref name="text"/>, or returns <see langword="null"/> when there is none.</summary>
    public static string? DescribeLoneSurrogate(string text)
    {
        int at = IndexOfLoneSurrogate(text);
        return at < 0
            ? null
            : string.Create(CultureInfo.InvariantCulture, $"holds a lone UTF-16 surrogate U+{(int)text[at]:X4} at position {at} (\"{Escape(text)}\"), which has no UTF-8 form and cannot be saved");
    }
}
