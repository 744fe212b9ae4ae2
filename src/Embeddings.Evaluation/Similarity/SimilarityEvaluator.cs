using Microsoft.Extensions.AI;

namespace Embeddings.Evaluation;

/// <summary>Evaluates an embedder on sentence pairs: cosine similarity of the two embeddings against the gold score.</summary>
public static class SimilarityEvaluator
{
    /// <summary>Embeds both sentences of every pair and correlates their cosine similarity with the gold scores.</summary>
    /// <param name="generator">The embedding generator (inputs are embedded without a query or document role).</param>
    /// <param name="pairs">The pairs; at least two.</param>
    /// <param name="batchSize">How many sentences go into one embedding call. Default: 256.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>The correlations. A pair where either embedding is a zero vector gets cosine 0.</returns>
    public static async Task<SimilarityReport> EvaluateAsync(
        IEmbeddingGenerator<string, Embedding<float>> generator,
        IReadOnlyList<SentencePair> pairs,
        int batchSize = 256,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(generator);
        ArgumentNullException.ThrowIfNull(pairs);
        var texts = new string[pairs.Count * 2];
        for (int i = 0; i < pairs.Count; i++)
        {
            texts[2 * i] = pairs[i].Sentence1;
            texts[(2 * i) + 1] = pairs[i].Sentence2;
        }

        float[][] vectors = await ExactRetrieval.EmbedNormalizedAsync(generator, texts, EmbeddingInputKind.Unspecified, batchSize, cancellationToken).ConfigureAwait(false);
        double[] predicted = new double[pairs.Count];
        for (int i = 0; i < pairs.Count; i++)
        {
            predicted[i] = VectorMath.Dot(vectors[2 * i], vectors[(2 * i) + 1]);
        }

        return Evaluate(pairs, predicted);
    }

    /// <summary>Correlates predicted similarities with the pairs' gold scores.</summary>
    /// <param name="pairs">The pairs; at least two.</param>
    /// <param name="predicted">One predicted similarity per pair.</param>
    /// <returns>The correlations.</returns>
    public static SimilarityReport Evaluate(IReadOnlyList<SentencePair> pairs, ReadOnlySpan<double> predicted)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        double[] gold = pairs.Select(p => p.Score).ToArray();
        return new SimilarityReport(Correlation.Spearman(gold, predicted), Correlation.Pearson(gold, predicted), gold.Length);
    }
}
