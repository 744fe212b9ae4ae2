using System.Globalization;

namespace Embeddings.PgVector;

/// <summary>
/// Finds text PostgreSQL cannot hold beyond what every index refuses: <c>text</c> and <c>jsonb</c> refuse NUL, so a
/// key or metadata string holding one would fail on the server, possibly after earlier batches committed. (Lone
/// UTF-16 surrogates, which have no UTF-8 form, are refused by the shared record validation.)
/// </summary>
internal static class PostgresText
{
    /// <summary>Describes why <paramref name="text"/> cannot be stored, or returns <see langword="null"/> when it can.</summary>
    /// <param name="text">The text.</param>
    /// <returns>A phrase such as "holds a NUL character at position 3, ...", or <see langword="null"/>.</returns>
    public static string? Problem(string text)
    {
        int nul = text.IndexOf('\0', StringComparison.Ordinal);
        return nul < 0
            ? null
            : string.Create(CultureInfo.InvariantCulture, $"holds a NUL character at position {nul}, which PostgreSQL text and jsonb cannot store");
    }

    /// <summary>Throws when a record's key, a metadata field name or a string value holds text PostgreSQL cannot store.</summary>
    /// <param name="key">The record's key.</param>
    /// <param name="position">The record's position, for the message.</param>
    /// <param name="metadata">The record's metadata, or <see langword="null"/>.</param>
    /// <param name="paramName">The argument the record came in.</param>
    /// <exception cref="ArgumentException">The text cannot be stored; the message names the record and the field.</exception>
    public static void CheckRecord(string key, long position, IReadOnlyDictionary<string, object?>? metadata, string paramName)
    {
        if (Problem(key) is string keyProblem)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Record {position}: The record key {keyProblem}."), paramName);
        }

        if (metadata is null)
        {
            return;
        }

        foreach (KeyValuePair<string, object?> pair in metadata)
        {
            if (Problem(pair.Key) is string nameProblem)
            {
                throw new ArgumentException($"Record '{key}': a metadata field name {nameProblem}.", paramName);
            }

            if (pair.Value is string text && Problem(text) is string valueProblem)
            {
                throw new ArgumentException($"Record '{key}', metadata field '{pair.Key}': the value {valueProblem}.", paramName);
            }
        }
    }
}
