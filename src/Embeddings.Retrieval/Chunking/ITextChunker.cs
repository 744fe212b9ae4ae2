namespace Embeddings;

/// <summary>Splits a document into chunks that each fit a token budget, losing no text.</summary>
public interface ITextChunker
{
    /// <summary>Splits <paramref name="text"/> into chunks.</summary>
    /// <param name="documentId">The document's id, copied into every chunk.</param>
    /// <param name="text">The document text; whitespace-only text gives no chunks.</param>
    /// <param name="prefix">
    /// Text put before every chunk's content, such as the title and a line break (see <see cref="ChunkPrefix"/>);
    /// its tokens count against the budget. <see langword="null"/> for none.
    /// </param>
    /// <returns>The chunks in document order; together their contents cover every non-whitespace character.</returns>
    /// <exception cref="ArgumentException">The prefix alone leaves no room for content within the token budget.</exception>
    IReadOnlyList<TextChunk> Chunk(string documentId, string text, string? prefix = null);
}
