using Embeddings.Text;

namespace Embeddings;

/// <summary>Settings shared by <see cref="FixedSizeChunker"/> and <see cref="RecursiveChunker"/>.</summary>
public sealed class ChunkingOptions
{
    /// <summary>
    /// Gets or sets the most tokens a chunk's <see cref="TextChunk.Text"/> (prefix included) may have, as
    /// <see cref="TokenCounter"/> counts them. Default: 256, the sequence length of the common sentence-transformers models.
    /// </summary>
    public int MaxTokens { get; set; } = 256;

    /// <summary>
    /// Gets or sets how many tokens of the end of one chunk are repeated at the start of the next, so a passage
    /// cut at a boundary is still whole in one of them. Must be smaller than <see cref="MaxTokens"/>. Default: 32.
    /// </summary>
    public int OverlapTokens { get; set; } = 32;

    /// <summary>
    /// Gets or sets the token counter: the number of tokens of a text as the embedding model will see it, for
    /// example <c>text =&gt; tokenizer.EncodeToIds(text).Count</c> with a Microsoft.ML.Tokenizers <c>Tokenizer</c>
    /// (for a <c>BertTokenizer</c> that count includes [CLS] and [SEP], which <c>CountTokens</c> leaves out: use
    /// the count of what the model receives). Counts with special tokens are fine: the chunker measures the empty
    /// string and accounts for them. Default: <see cref="CountWordTokens"/>, one token per word and per punctuation mark.
    /// </summary>
    public Func<string, int> TokenCounter { get; set; } = CountWordTokens;

    /// <summary>Counts the tokens of the regular expression <c>\w+|[^\w\s]</c>: words, and every other non-space character.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The number of tokens.</returns>
    public static int CountWordTokens(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return WordSpans.Count(text, punctuation: true);
    }

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxTokens, nameof(MaxTokens));
        ArgumentOutOfRangeException.ThrowIfNegative(OverlapTokens, nameof(OverlapTokens));
        if (OverlapTokens >= MaxTokens)
        {
            throw new ArgumentOutOfRangeException(nameof(OverlapTokens), OverlapTokens, $"The overlap ({OverlapTokens} tokens) must be smaller than the chunk size ({MaxTokens} tokens).");
        }

        if (TokenCounter is null)
        {
            throw new ArgumentNullException(nameof(TokenCounter), "Chunking needs a token counter.");
        }
    }
}
