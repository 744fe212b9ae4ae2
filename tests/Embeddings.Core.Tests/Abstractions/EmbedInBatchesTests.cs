using Embeddings.Testing;
using Microsoft.Extensions.AI;

namespace Embeddings.Core.Tests.Abstractions;

public sealed class EmbedInBatchesTests
{
    private sealed class InlineProgress : IProgress<int>
    {
        public List<int> Reports { get; } = [];

        public void Report(int value) => Reports.Add(value);
    }

    [Fact]
    public async Task Embeds_in_calls_of_the_batch_size_in_order_with_the_prefix_once_and_reports_progress()
    {
        using DeterministicEmbedder embedder = DeterministicEmbedder.Create(16, prompts: new EmbeddingPrompts("query: ", "passage: "));
        string[] texts = Enumerable.Range(0, 10).Select(i => $"text {i}").ToArray();
        var progress = new InlineProgress();

        ReadOnlyMemory<float>[] vectors = await embedder.EmbedInBatchesAsync(texts, EmbeddingInputKind.Document, batchSize: 4, progress);

        Assert.Equal(3, embedder.Calls);
        Assert.Equal([4, 8, 10], progress.Reports);
        for (int i = 0; i < texts.Length; i++)
        {
            Assert.Equal(DeterministicEmbedder.VectorFor($"passage: text {i}", 16, normalized: true), vectors[i].ToArray());
        }
    }

    [Fact]
    public async Task Bad_arguments_a_short_answer_and_cancellation_are_errors()
    {
        using DeterministicEmbedder embedder = DeterministicEmbedder.Create(8);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => embedder.EmbedInBatchesAsync(["a"], EmbeddingInputKind.Query, batchSize: 0));
        await Assert.ThrowsAsync<ArgumentNullException>(() => embedder.EmbedInBatchesAsync(null!, EmbeddingInputKind.Query));

        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => embedder.EmbedInBatchesAsync(["a", "b"], EmbeddingInputKind.Query, cancellationToken: cancelled.Token));
        Assert.Equal(0, embedder.Calls);

        using var dropping = new AsEmbedderTests.PlainGenerator(new EmbeddingGeneratorMetadata("plain", null, "m", 4), vectorLength: 4) { DropLast = true };
        InvalidOperationException error = await Assert.ThrowsAsync<InvalidOperationException>(() => dropping.EmbedInBatchesAsync(["a", "b", "c"], EmbeddingInputKind.Document, batchSize: 2));
        Assert.Contains("1 vectors for the 2 texts starting at position 0", error.Message, StringComparison.Ordinal);
    }
}
