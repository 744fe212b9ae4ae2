namespace Embeddings.Evaluation;

/// <summary>How well predicted similarities follow gold scores.</summary>
/// <param name="Spearman">Spearman's rank correlation (average ranks for ties): the usual STS figure.</param>
/// <param name="Pearson">Pearson's correlation.</param>
/// <param name="PairCount">The number of pairs.</param>
public sealed record SimilarityReport(double Spearman, double Pearson, int PairCount);
