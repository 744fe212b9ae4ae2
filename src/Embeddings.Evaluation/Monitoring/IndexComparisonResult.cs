namespace Embeddings.Evaluation;

/// <summary>How much two retrieval pipelines (an old and a new index or model) agree, averaged over queries.</summary>
/// <param name="K">The cutoff k.</param>
/// <param name="QueryCount">The number of queries compared (those both pipelines answered).</param>
/// <param name="MeanOverlapAtK">Mean |A ∩ B| / k over queries, A and B the two top-k lists.</param>
/// <param name="MeanJaccardAtK">Mean |A ∩ B| / |A ∪ B| over queries (1 when both lists are empty).</param>
/// <param name="Top1Agreement">The fraction of queries whose first results are the same document.</param>
/// <param name="PerQueryOverlap">Per query id, |A ∩ B| / k.</param>
public sealed record IndexComparisonResult(int K, int QueryCount, double MeanOverlapAtK, double MeanJaccardAtK, double Top1Agreement, IReadOnlyDictionary<string, double> PerQueryOverlap);
