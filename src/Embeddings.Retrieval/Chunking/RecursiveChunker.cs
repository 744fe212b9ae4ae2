using System.Text.RegularExpressions;

namespace Embeddings;

/// <summary>
/// Recursive chunking: keeps paragraphs whole when they fit the token budget, splits the ones that do not at
/// line breaks, then at sentence ends, then between words (and inside a word only when it alone exceeds the
/// budget), and then packs consecutive pieces into chunks of at most <see cref="ChunkingOptions.MaxTokens"/>
/// tokens with up to <see cref="ChunkingOptions.OverlapTokens"/> tokens of whole pieces repeated between chunks.
/// Nothing is truncated: every non-whitespace character lands in a chunk.
/// </summary>
public sealed partial class RecursiveChunker : ITextChunker
{
    private static readonly Regex[] Separators = [ParagraphBreak(), LineBreak(), SentenceEnd()];
    private readonly ChunkingOptions _options;

    /// <summary>Initializes a chunker.</summary>
    /// <param name="options">Budget, overlap and token counter; <see langword="null"/> for the defaults (256 tokens, 32 overlap, word tokens).</param>
    /// <exception cref="ArgumentOutOfRangeException">The budget is not positive or the overlap is not smaller than it.</exception>
    public RecursiveChunker(ChunkingOptions? options = null)
    {
        _options = options ?? new ChunkingOptions();
        _options.Validate();
    }

    /// <inheritdoc />
    public IReadOnlyList<TextChunk> Chunk(string documentId, string text, string? prefix = null)
    {
        var packer = new ChunkPacker(documentId, text, prefix, _options);
        List<ChunkPacker.Span> atoms = [];
        Split(packer, 0, text.Length, 0, atoms);
        return packer.Pack(atoms);
    }

    private static void Split(ChunkPacker packer, int start, int end, int level, List<ChunkPacker.Span> atoms)
    {
        while (start < end && char.IsWhiteSpace(packer.Text[start]))
        {
            start++;
        }

        if (start >= end)
        {
            return;
        }

        if (packer.Fits(start, end))
        {
            atoms.Add(new ChunkPacker.Span(start, end));
            return;
        }

        if (level == Separators.Length)
        {
            packer.AddWordPieces(start, end, atoms);
            return;
        }

        int partStart = start;
        foreach (ValueMatch match in Separators[level].EnumerateMatches(packer.Text.AsSpan(start, end - start)))
        {
            int partEnd = start + match.Index + match.Length;
            Split(packer, partStart, partEnd, level + 1, atoms);
            partStart = partEnd;
        }

        Split(packer, partStart, end, level + 1, atoms);
    }

    [GeneratedRegex(@"\n[ \t\r\f\v]*\n\s*", RegexOptions.CultureInvariant)]
    private static partial Regex ParagraphBreak();

    [GeneratedRegex(@"\n\s*", RegexOptions.CultureInvariant)]
    private static partial Regex LineBreak();

    [GeneratedRegex(@"(?<=[.!?;。！？])\s+", RegexOptions.CultureInvariant)]
    private static partial Regex SentenceEnd();
}
