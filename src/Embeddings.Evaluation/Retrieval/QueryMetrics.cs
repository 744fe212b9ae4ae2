namespace Embeddings.Evaluation;

/// <summary>The metrics of one evaluated query.</summary>
/// <param name="QueryId">The query id.</param>
/// <param name="NdcgAt">nDCG@k per cutoff k.</param>
/// <param name="RecallAt">Recall@k per cutoff k.</param>
/// <param name="PrecisionAt">Precision@k per cutoff k.</param>
/// <param name="ReciprocalRankAt">Reciprocal rank at k per cutoff k.</param>
/// <param name="AveragePrecision">Average precision over the whole ranking.</param>
public sealed record QueryMetrics(
    string QueryId,
    IReadOnlyDictionary<int, double> NdcgAt,
    IReadOnlyDictionary<int, double> RecallAt,
    IReadOnlyDictionary<int, double> PrecisionAt,
    IReadOnlyDictionary<int, double> ReciprocalRankAt,
    double AveragePrecision);
