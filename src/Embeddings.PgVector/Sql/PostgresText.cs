using System.Globalization;

namespace Embeddings.PgVector;

/// <summary>
/// Finds text PostgreSQL cannot hold: <c>text</c> and <c>jsonb</c> refuse NUL, and a lone UTF-16 surrogate has
/// no UTF-8 form, so it would reach the server damaged or fail there, possibly after earlier batches committed.
/// </summary>
internal static class PostgresText
{
    /// <summary>Describes why <paramref name="text"/> cannot be stored, or returns <see langword="null"/> when it can.</summary>
    /// <param name="text">The text.</param>
    /// <returns>A phrase such as "holds a NUL character at position 3", or <see langword="null"/>.</returns>
    public static string? Problem(string text)
    {
        int nul = text.IndexOf('\0', StringComparison.Ordinal);
        if (nul >= 0)
        {
            return string.Create(CultureInfo.InvariantCulture, $"holds a NUL character at position {nul}, which PostgreSQL text and jsonb cannot store");
        }

        for (int i = text.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF'); i >= 0 && i < text.Length; i++)
        {
            char c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                return string.Create(CultureInfo.InvariantCulture, $"holds a lone UTF-16 surrogate U+{(int)c:X4} at position {i}, which has no UTF-8 form");
            }
        }

        return null;
    }
}
