using Embeddings.Testing;
using Microsoft.ML.Tokenizers;

namespace Embeddings.Retrieval.Tests.Chunking;

/// <summary>Chunking with a real subword tokenizer (the all-MiniLM-L6-v2 WordPiece vocabulary) as the token counter.</summary>
public sealed class TokenizerChunkingTests
{
    private static readonly Lazy<BertTokenizer> Tokenizer = new(() =>
    {
        using FileStream vocabulary = File.OpenRead(SharedData.Path("models", "bert-tiny-random", "vocab.txt"));
        return BertTokenizer.Create(vocabulary, new BertOptions { LowerCaseBeforeTokenization = true });
    });

    // What the model sees: the ids including [CLS] and [SEP].
    private static int ModelTokens(string text) => Tokenizer.Value.EncodeToIds(text).Count;

    [SharedTheory("data/scifact", "models/bert-tiny-random")]
    [InlineData(32, 8)]
    [InlineData(64, 0)]
    public void WordPiece_counts_bound_every_chunk_and_no_text_is_lost(int maxTokens, int overlap)
    {
        string text = string.Join("\n\n", File.ReadLines(SharedData.Path("data", "scifact", "corpus.jsonl")).Take(3)
            .Select(line => System.Text.Json.JsonDocument.Parse(line).RootElement.GetProperty("text").GetString()!));
        var options = new ChunkingOptions { MaxTokens = maxTokens, OverlapTokens = overlap, TokenCounter = ModelTokens };

        foreach (ITextChunker chunker in new ITextChunker[] { new FixedSizeChunker(options), new RecursiveChunker(options) })
        {
            IReadOnlyList<TextChunk> chunks = chunker.Chunk("doc", text, "Title: Abstracts\n");
            Assert.True(chunks.Count > 3);
            Assert.All(chunks, c => Assert.InRange(ModelTokens(c.Text), 3, maxTokens));
            Assert.All(chunks, c => Assert.Equal(ModelTokens(c.Text), c.TokenCount));
            for (int i = 0; i < text.Length; i++)
            {
                if (!char.IsWhiteSpace(text[i]))
                {
                    Assert.Contains(chunks, c => i >= c.Start && i < c.Start + c.Length);
                }
            }
        }
    }
}
