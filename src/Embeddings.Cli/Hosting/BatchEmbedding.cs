using Embeddings.Cli.Output;

namespace Embeddings.Cli.Hosting;

/// <summary>Embeds texts in batches, moving a progress bar after each batch.</summary>
internal static class BatchEmbedding
{
    public static Task<ReadOnlyMemory<float>[]> EmbedAsync(
        IEmbedder embedder,
        IReadOnlyList<string> texts,
        EmbeddingInputKind kind,
        int batchSize,
        IProgressBar progress,
        CancellationToken cancellationToken) =>
        embedder.EmbedInBatchesAsync(texts, kind, batchSize, new BarProgress(progress, texts.Count), cancellationToken);

    // Progress<T> would post to the thread pool and could move the bar out of order; this reports inline.
    private sealed class BarProgress(IProgressBar bar, int total) : IProgress<int>
    {
        public void Report(int value) => bar.Report(value, total);
    }
}
