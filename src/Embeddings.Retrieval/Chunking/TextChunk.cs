namespace Embeddings;

/// <summary>One piece of a document, ready to embed.</summary>
/// <param name="DocumentId">The id of the document it came from.</param>
/// <param name="Index">Its position among the document's chunks, from 0.</param>
/// <param name="Text">What to embed: the prefix (title or metadata line), if any, followed by <paramref name="Content"/>.</param>
/// <param name="Content">The slice of the document, without the prefix (trailing whitespace trimmed).</param>
/// <param name="Start">Where <paramref name="Content"/> starts in the document, in UTF-16 code units.</param>
/// <param name="Length">The length of <paramref name="Content"/>, in UTF-16 code units.</param>
/// <param name="TokenCount">The token count of <paramref name="Text"/> as the chunker's token counter measured it.</param>
public sealed record TextChunk(string DocumentId, int Index, string Text, string Content, int Start, int Length, int TokenCount)
{
    /// <summary>The separator between document id and chunk index in <see cref="Key"/>.</summary>
    public const char KeySeparator = '#';

    /// <summary>Gets a key unique per chunk, <c>documentId#index</c>, that <see cref="ChunkScoreAggregator"/> maps back to the document.</summary>
    public string Key => DocumentId + KeySeparator + Index.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Gets metadata for an index record: <c>documentId</c>, <c>chunkIndex</c>, <c>start</c> and <c>length</c>.</summary>
    /// <returns>A new dictionary.</returns>
    public IReadOnlyDictionary<string, object?> ToMetadata() => new Dictionary<string, object?>
    {
        [ChunkScoreAggregator.DocumentIdField] = DocumentId,
        ["chunkIndex"] = (long)Index,
        ["start"] = (long)Start,
        ["length"] = (long)Length,
    };
}
