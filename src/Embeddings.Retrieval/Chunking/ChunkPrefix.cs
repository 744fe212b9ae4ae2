using System.Text;

namespace Embeddings;

/// <summary>Builds the per-chunk prefix that gives every chunk its document's context (title, source, date).</summary>
public static class ChunkPrefix
{
    /// <summary>Formats a title and metadata as one line, <c>Title | key: value | key: value</c>, followed by a line break.</summary>
    /// <param name="title">The title, or <see langword="null"/>.</param>
    /// <param name="metadata">Metadata pairs in the order given, or <see langword="null"/>; entries with empty values are skipped.</param>
    /// <returns>The prefix, or the empty string when there is nothing to say.</returns>
    public static string Format(string? title, IEnumerable<KeyValuePair<string, string?>>? metadata = null)
    {
        var builder = new StringBuilder();
        if (!string.IsNullOrWhiteSpace(title))
        {
            builder.Append(title.Trim());
        }

        if (metadata is not null)
        {
            foreach (KeyValuePair<string, string?> pair in metadata)
            {
                if (string.IsNullOrWhiteSpace(pair.Value))
                {
                    continue;
                }

                if (builder.Length > 0)
                {
                    builder.Append(" | ");
                }

                builder.Append(pair.Key).Append(": ").Append(pair.Value.Trim());
            }
        }

        return builder.Length == 0 ? string.Empty : builder.Append('\n').ToString();
    }
}
