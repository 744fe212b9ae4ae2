using Embeddings.Cli.Output;
using Microsoft.Extensions.AI;

namespace Embeddings.Cli.Hosting;

/// <summary>Embeds texts in batches, moving a progress bar after each batch.</summary>
internal static class BatchEmbedding
{
    public static async Task<ReadOnlyMemory<float>[]> EmbedAsync(
        IEmbedder embedder,
        IReadOnlyList<string> texts,
        EmbeddingInputKind kind,
        int batchSize,
        IProgressBar progress,
        CancellationToken cancellationToken)
    {
        var vectors = new ReadOnlyMemory<float>[texts.Count];
        EmbeddingGenerationOptions options = new EmbeddingGenerationOptions().WithInputKind(kind);
        for (int start = 0; start < texts.Count; start += batchSize)
        {
            int count = Math.Min(batchSize, texts.Count - start);
            var batch = new string[count];
            for (int i = 0; i < count; i++)
            {
                batch[i] = texts[start + i];
            }

            GeneratedEmbeddings<Embedding<float>> embeddings = await embedder.GenerateAsync(batch, options, cancellationToken).ConfigureAwait(false);
            if (embeddings.Count != count)
            {
                throw new InvalidOperationException($"The model returned {embeddings.Count} vectors for {count} texts.");
            }

            for (int i = 0; i < count; i++)
            {
                vectors[start + i] = embeddings[i].Vector;
            }

            progress.Report(start + count, texts.Count);
        }

        return vectors;
    }
}
