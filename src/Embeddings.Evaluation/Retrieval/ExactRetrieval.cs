using Microsoft.Extensions.AI;

namespace Embeddings.Evaluation;

/// <summary>
/// Exact (brute-force) dense retrieval for evaluation: embeds a corpus and queries, L2-normalizes them and
/// ranks every document by cosine similarity (dot products of unit vectors), ties broken as <see cref="Ranking"/> does.
/// </summary>
public static class ExactRetrieval
{
    /// <summary>Embeds the dataset's corpus (<see cref="BeirDocument.FullText"/>) and judged queries and ranks the top <paramref name="k"/> documents per query.</summary>
    /// <param name="generator">The embedding generator; queries are embedded as queries and documents as documents.</param>
    /// <param name="dataset">The dataset.</param>
    /// <param name="k">How many documents to keep per query. Default: 100.</param>
    /// <param name="batchSize">How many texts go into one embedding call. Default: 256.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>Per query id, the ranked document ids.</returns>
    public static async Task<IReadOnlyDictionary<string, IReadOnlyList<string>>> SearchAsync(
        IEmbeddingGenerator<string, Embedding<float>> generator,
        BeirDataset dataset,
        int k = 100,
        int batchSize = 256,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(generator);
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);

        float[][] documents = await EmbedNormalizedAsync(generator, dataset.Corpus.Select(d => d.FullText).ToArray(), EmbeddingInputKind.Document, batchSize, cancellationToken).ConfigureAwait(false);
        float[][] queries = await EmbedNormalizedAsync(generator, dataset.Queries.Select(q => q.Text).ToArray(), EmbeddingInputKind.Query, batchSize, cancellationToken).ConfigureAwait(false);
        string[] ids = dataset.Corpus.Select(d => d.Id).ToArray();

        var result = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        float[] scores = new float[documents.Length];
        for (int q = 0; q < queries.Length; q++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            for (int d = 0; d < documents.Length; d++)
            {
                scores[d] = VectorMath.Dot(queries[q], documents[d]);
            }

            result[dataset.Queries[q].Id] = Ranking.TopK(ids, scores, k);
        }

        return result;
    }

    /// <summary>Embeds texts in batches and L2-normalizes each vector (a zero vector stays zero).</summary>
    /// <param name="generator">The embedding generator.</param>
    /// <param name="texts">The texts.</param>
    /// <param name="kind">Whether the texts are queries or documents.</param>
    /// <param name="batchSize">How many texts go into one call.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>One unit vector (or zero vector) per text.</returns>
    public static async Task<float[][]> EmbedNormalizedAsync(
        IEmbeddingGenerator<string, Embedding<float>> generator,
        IReadOnlyList<string> texts,
        EmbeddingInputKind kind,
        int batchSize = 256,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(generator);
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        ReadOnlyMemory<float>[] embedded = await generator.EmbedInBatchesAsync(texts, kind, batchSize, progress: null, cancellationToken).ConfigureAwait(false);
        var vectors = new float[texts.Count][];
        for (int i = 0; i < vectors.Length; i++)
        {
            float[] vector = embedded[i].ToArray();
            VectorMath.Normalize(vector);
            vectors[i] = vector;
        }

        return vectors;
    }
}
