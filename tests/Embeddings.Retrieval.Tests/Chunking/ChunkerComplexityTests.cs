namespace Embeddings.Retrieval.Tests.Chunking;

/// <summary>
/// Chunking a long text without spaces is linear: measured by the characters the token counter is asked to count
/// (the work a chunker does), not by a clock. Timings are in benchmarks/RESULTS.md.
/// </summary>
public sealed class ChunkerComplexityTests
{
    private static string NoSpaces(int length)
    {
        var random = new Random(length);
        var chars = new char[length];
        const string alphabet = "abcdefghij,.;-";
        for (int i = 0; i < length; i++)
        {
            chars[i] = alphabet[random.Next(alphabet.Length)];
        }

        return new string(chars);
    }

    private static (long CountedCharacters, IReadOnlyList<TextChunk> Chunks) Run(Func<ChunkingOptions, ITextChunker> make, string text)
    {
        long counted = 0;
        var options = new ChunkingOptions
        {
            MaxTokens = 128,
            OverlapTokens = 16,
            TokenCounter = t =>
            {
                counted += t.Length;
                return ChunkingOptions.CountWordTokens(t);
            },
        };
        IReadOnlyList<TextChunk> chunks = make(options).Chunk("doc", text);
        return (counted, chunks);
    }

    public static TheoryData<string> Chunkers => new() { "fixed", "recursive" };

    private static ITextChunker Make(string name, ChunkingOptions options) =>
        name == "fixed" ? new FixedSizeChunker(options) : new RecursiveChunker(options);

    [Theory]
    [MemberData(nameof(Chunkers))]
    public void Work_grows_linearly_with_the_length_of_a_text_without_spaces(string name)
    {
        string small = NoSpaces(50_000);
        string large = NoSpaces(200_000);

        (long smallWork, IReadOnlyList<TextChunk> smallChunks) = Run(o => Make(name, o), small);
        (long largeWork, IReadOnlyList<TextChunk> largeChunks) = Run(o => Make(name, o), large);

        // Four times the text may cost four times the work, with some slack; a quadratic chunker costs sixteen.
        Assert.InRange((double)largeWork / smallWork, 3.0, 5.5);
        Assert.InRange(largeWork, large.Length, 40L * large.Length);

        foreach ((string text, IReadOnlyList<TextChunk> chunks) in new[] { (small, smallChunks), (large, largeChunks) })
        {
            // Every chunk fits, chunks follow the text in order, and every character lands in one.
            Assert.All(chunks, c => Assert.InRange(c.TokenCount, 1, 128));
            Assert.All(chunks, c => Assert.Equal(text.Substring(c.Start, c.Length), c.Content));
            Assert.Equal(0, chunks[0].Start);
            Assert.Equal(text.Length, chunks[^1].Start + chunks[^1].Length);
            for (int i = 1; i < chunks.Count; i++)
            {
                Assert.InRange(chunks[i].Start, chunks[i - 1].Start + 1, chunks[i - 1].Start + chunks[i - 1].Length);
            }
        }
    }
}
