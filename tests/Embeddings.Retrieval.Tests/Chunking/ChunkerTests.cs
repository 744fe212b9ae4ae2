namespace Embeddings.Retrieval.Tests.Chunking;

public sealed class ChunkerTests
{
    private static string Words(int count, string stem = "w") => string.Join(' ', Enumerable.Range(0, count).Select(i => stem + i));

    // Not additive over words: rounds the character count, and adds two special tokens like BERT's [CLS]/[SEP].
    private static int CharacterQuarters(string text) => 2 + ((text.Length + 3) / 4);

    private static void AssertCoversEveryCharacter(string text, IReadOnlyList<TextChunk> chunks)
    {
        for (int i = 0; i < text.Length; i++)
        {
            if (!char.IsWhiteSpace(text[i]))
            {
                Assert.True(chunks.Any(c => i >= c.Start && i < c.Start + c.Length), $"character {i} ('{text[i]}') is in no chunk");
            }
        }

        foreach (TextChunk chunk in chunks)
        {
            Assert.Equal(text.Substring(chunk.Start, chunk.Length), chunk.Content);
        }
    }

    [Fact]
    public void Fixed_size_packs_words_with_the_requested_overlap()
    {
        var chunker = new FixedSizeChunker(new ChunkingOptions { MaxTokens = 5, OverlapTokens = 2 });
        IReadOnlyList<TextChunk> chunks = chunker.Chunk("doc", Words(12));

        Assert.Equal(["w0 w1 w2 w3 w4", "w3 w4 w5 w6 w7", "w6 w7 w8 w9 w10", "w9 w10 w11"], chunks.Select(c => c.Content));
        Assert.Equal([0, 1, 2, 3], chunks.Select(c => c.Index));
        Assert.Equal([5, 5, 5, 3], chunks.Select(c => c.TokenCount));
        Assert.Equal("doc#2", chunks[2].Key);
        Assert.Equal(Words(12).IndexOf("w6", StringComparison.Ordinal), chunks[2].Start);
    }

    [Fact]
    public void Without_overlap_chunks_tile_the_text()
    {
        var chunker = new FixedSizeChunker(new ChunkingOptions { MaxTokens = 4, OverlapTokens = 0 });
        string text = Words(10);
        IReadOnlyList<TextChunk> chunks = chunker.Chunk("d", text);
        Assert.Equal(text, string.Join(' ', chunks.Select(c => c.Content)));
        Assert.Equal(3, chunks.Count);
    }

    [Theory]
    [InlineData(16, 0)]
    [InlineData(16, 5)]
    [InlineData(40, 10)]
    public void Chunks_never_exceed_a_non_additive_budget_and_lose_no_text(int maxTokens, int overlap)
    {
        var random = new Random(11);
        string text = string.Join(' ', Enumerable.Range(0, 400).Select(_ => new string('x', random.Next(1, 12)) + (random.Next(8) == 0 ? ".\n\n" : "")));
        var options = new ChunkingOptions { MaxTokens = maxTokens, OverlapTokens = overlap, TokenCounter = CharacterQuarters };
        foreach (ITextChunker chunker in new ITextChunker[] { new FixedSizeChunker(options), new RecursiveChunker(options) })
        {
            IReadOnlyList<TextChunk> chunks = chunker.Chunk("doc", text, "Title\n");
            Assert.NotEmpty(chunks);
            Assert.All(chunks, c =>
            {
                Assert.StartsWith("Title\n", c.Text, StringComparison.Ordinal);
                Assert.Equal(CharacterQuarters(c.Text), c.TokenCount);
                Assert.True(c.TokenCount <= maxTokens, $"{c.TokenCount} tokens > {maxTokens}");
            });
            AssertCoversEveryCharacter(text, chunks);
            Assert.True(chunks.Zip(chunks.Skip(1)).All(p => p.First.Start < p.Second.Start), "chunks must advance");
        }
    }

    [Fact]
    public void A_word_longer_than_the_budget_is_cut_into_pieces_not_truncated()
    {
        string text = "short " + new string('a', 95) + "\U0001F600" + new string('b', 40) + " tail";
        var options = new ChunkingOptions { MaxTokens = 12, OverlapTokens = 0, TokenCounter = CharacterQuarters };
        IReadOnlyList<TextChunk> chunks = new FixedSizeChunker(options).Chunk("long", text);

        Assert.All(chunks, c => Assert.True(c.TokenCount <= 12));
        Assert.All(chunks, c => Assert.False(c.Content.Length > 0 && char.IsLowSurrogate(c.Content[0]), "a surrogate pair was split"));
        AssertCoversEveryCharacter(text, chunks);
        Assert.Equal(text.Replace(" ", ""), string.Concat(chunks.Select(c => c.Content.Replace(" ", ""))));
    }

    [Fact]
    public void Prefix_tokens_count_against_the_budget()
    {
        var chunker = new FixedSizeChunker(new ChunkingOptions { MaxTokens = 6, OverlapTokens = 0 });
        IReadOnlyList<TextChunk> chunks = chunker.Chunk("d", Words(8), "My title:");
        // "My title:" is 3 word tokens, leaving 3 per chunk.
        Assert.Equal(["w0 w1 w2", "w3 w4 w5", "w6 w7"], chunks.Select(c => c.Content));
        Assert.Equal("My title:w0 w1 w2", chunks[0].Text);
        Assert.Equal(6, chunks[0].TokenCount);

        ArgumentException tooLong = Assert.Throws<ArgumentException>(() => chunker.Chunk("d", "text", Words(6)));
        Assert.Contains("prefix", tooLong.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Chunk_prefix_formats_title_and_metadata()
    {
        Assert.Equal("Deep sea fish | source: wiki | year: 2020\n",
            ChunkPrefix.Format(" Deep sea fish ", [new("source", "wiki"), new("empty", " "), new("year", "2020")]));
        Assert.Equal(string.Empty, ChunkPrefix.Format(null));
    }

    [Fact]
    public void Recursive_keeps_paragraphs_whole_and_splits_long_ones_at_sentences()
    {
        string a = Words(8, "a"), b = Words(8, "b");
        string s1 = Words(10, "s") + ".", s2 = Words(10, "t") + ".", s3 = Words(10, "u") + ".";
        string text = $"{a}\n\n{b}\n\n{s1} {s2} {s3}";
        var chunker = new RecursiveChunker(new ChunkingOptions { MaxTokens = 20, OverlapTokens = 0 });

        IReadOnlyList<TextChunk> chunks = chunker.Chunk("doc", text);

        Assert.Equal([$"{a}\n\n{b}", s1, s2, s3], chunks.Select(c => c.Content));
        AssertCoversEveryCharacter(text, chunks);
    }

    [Fact]
    public void Recursive_overlap_repeats_whole_trailing_pieces()
    {
        string text = "One two. Three four. Five six. Seven eight.";
        var chunker = new RecursiveChunker(new ChunkingOptions { MaxTokens = 7, OverlapTokens = 3 });
        IReadOnlyList<TextChunk> chunks = chunker.Chunk("d", text);
        Assert.Equal(["One two. Three four.", "Three four. Five six.", "Five six. Seven eight."], chunks.Select(c => c.Content));
    }

    [Fact]
    public void Text_that_fits_is_one_chunk_and_blank_text_is_none()
    {
        var chunker = new RecursiveChunker();
        TextChunk only = Assert.Single(chunker.Chunk("d", "  Hello world.  "));
        Assert.Equal("Hello world.", only.Content);
        Assert.Equal(2, only.Start);
        Assert.Empty(chunker.Chunk("d", ""));
        Assert.Empty(new FixedSizeChunker().Chunk("d", " \n\t "));
    }

    [Fact]
    public void Options_are_validated()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new FixedSizeChunker(new ChunkingOptions { MaxTokens = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RecursiveChunker(new ChunkingOptions { MaxTokens = 10, OverlapTokens = 10 }));
        Assert.Throws<ArgumentNullException>(() => new FixedSizeChunker(new ChunkingOptions { TokenCounter = null! }));
        Assert.Throws<InvalidOperationException>(() => new FixedSizeChunker(new ChunkingOptions { TokenCounter = _ => -1 }).Chunk("d", "x"));
    }

    [Fact]
    public void Word_token_counter_counts_words_and_punctuation()
    {
        Assert.Equal(7, ChunkingOptions.CountWordTokens("Hello, world! It's")); // Hello , world ! It ' s
        Assert.Equal(0, ChunkingOptions.CountWordTokens("   "));
    }
}
