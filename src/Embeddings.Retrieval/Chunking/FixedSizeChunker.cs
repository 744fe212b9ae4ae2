namespace Embeddings;

/// <summary>
/// Token-aware fixed-size chunking: packs whole words into chunks of at most <see cref="ChunkingOptions.MaxTokens"/>
/// tokens with <see cref="ChunkingOptions.OverlapTokens"/> of overlap, cutting inside a word only when the word
/// alone exceeds the budget. Nothing is truncated: every non-whitespace character lands in a chunk.
/// </summary>
public sealed class FixedSizeChunker : ITextChunker
{
    private readonly ChunkingOptions _options;

    /// <summary>Initializes a chunker.</summary>
    /// <param name="options">Budget, overlap and token counter; <see langword="null"/> for the defaults (256 tokens, 32 overlap, word tokens).</param>
    /// <exception cref="ArgumentOutOfRangeException">The budget is not positive or the overlap is not smaller than it.</exception>
    public FixedSizeChunker(ChunkingOptions? options = null)
    {
        _options = options ?? new ChunkingOptions();
        _options.Validate();
    }

    /// <inheritdoc />
    public IReadOnlyList<TextChunk> Chunk(string documentId, string text, string? prefix = null)
    {
        var packer = new ChunkPacker(documentId, text, prefix, _options);
        List<ChunkPacker.Span> atoms = [];
        packer.AddWordPieces(0, text.Length, atoms);
        return packer.Pack(atoms);
    }
}
