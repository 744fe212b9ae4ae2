namespace Embeddings.PgVector;

/// <summary>Validates and quotes SQL identifiers (schema and table names), the only names ever spliced into SQL text.</summary>
internal static class SqlIdentifier
{
    /// <summary>Throws unless <paramref name="name"/> is a plain identifier: an ASCII letter or underscore, then ASCII letters, digits or underscores.</summary>
    /// <param name="name">The name.</param>
    /// <param name="paramName">The setting it came from, for the message.</param>
    /// <param name="maxLength">The longest name allowed.</param>
    public static void Validate(string? name, string paramName, int maxLength)
    {
        if (string.IsNullOrEmpty(name))
        {
            throw new ArgumentException($"{paramName} is empty.", paramName);
        }

        if (name.Length > maxLength)
        {
            throw new ArgumentException($"{paramName} '{name}' is {name.Length} characters long; at most {maxLength} are allowed.", paramName);
        }

        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            bool ok = char.IsAsciiLetter(c) || c == '_' || (i > 0 && char.IsAsciiDigit(c));
            if (!ok)
            {
                throw new ArgumentException(
                    $"{paramName} '{name}' is not a plain SQL identifier: character {i} ('{c}') is not allowed. Use ASCII letters, digits and underscores, starting with a letter or underscore.",
                    paramName);
            }
        }
    }

    /// <summary>Quotes a validated identifier (so its case is kept, and reserved words are safe).</summary>
    /// <param name="name">The identifier.</param>
    /// <returns>The quoted identifier.</returns>
    public static string Quote(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>Quotes a string literal for the migration script, which users run as plain SQL text.</summary>
    /// <param name="value">The value.</param>
    /// <returns>The literal, or <c>NULL</c>.</returns>
    public static string Literal(string? value) => value is null ? "NULL" : "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";
}
