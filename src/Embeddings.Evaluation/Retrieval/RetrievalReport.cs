namespace Embeddings.Evaluation;

/// <summary>
/// Mean retrieval metrics over the evaluated queries, as <see cref="RetrievalEvaluator"/> computes them.
/// </summary>
/// <remarks>
/// Averages are over <see cref="EvaluatedQueries"/>: the judged queries with at least one relevant document
/// (BEIR and pytrec_eval leave queries without relevant documents out). A judged query that has no ranking
/// counts with 0 for every metric (<see cref="QueriesWithoutRanking"/>); rankings of unjudged queries are ignored.
/// </remarks>
public sealed class RetrievalReport
{
    internal RetrievalReport(
        IReadOnlyList<int> cutoffs,
        IReadOnlyDictionary<int, double> ndcg,
        IReadOnlyDictionary<int, double> recall,
        IReadOnlyDictionary<int, double> precision,
        IReadOnlyDictionary<int, double> mrr,
        double map,
        int evaluated,
        int withoutRelevant,
        int withoutRanking,
        IReadOnlyList<QueryMetrics> perQuery)
    {
        Cutoffs = cutoffs;
        NdcgAt = ndcg;
        RecallAt = recall;
        PrecisionAt = precision;
        MrrAt = mrr;
        Map = map;
        EvaluatedQueries = evaluated;
        QueriesWithoutRelevant = withoutRelevant;
        QueriesWithoutRanking = withoutRanking;
        PerQuery = perQuery;
    }

    /// <summary>Gets the cutoffs the metrics were computed at, ascending.</summary>
    public IReadOnlyList<int> Cutoffs { get; }

    /// <summary>Gets mean nDCG@k per cutoff k.</summary>
    public IReadOnlyDictionary<int, double> NdcgAt { get; }

    /// <summary>Gets mean Recall@k per cutoff k.</summary>
    public IReadOnlyDictionary<int, double> RecallAt { get; }

    /// <summary>Gets mean Precision@k per cutoff k.</summary>
    public IReadOnlyDictionary<int, double> PrecisionAt { get; }

    /// <summary>Gets MRR@k (mean reciprocal rank) per cutoff k.</summary>
    public IReadOnlyDictionary<int, double> MrrAt { get; }

    /// <summary>Gets MAP: mean average precision over each whole ranking.</summary>
    public double Map { get; }

    /// <summary>Gets the number of queries averaged over.</summary>
    public int EvaluatedQueries { get; }

    /// <summary>Gets the number of judged queries left out because none of their judged documents is relevant.</summary>
    public int QueriesWithoutRelevant { get; }

    /// <summary>Gets the number of evaluated queries that had no ranking (they count with 0).</summary>
    public int QueriesWithoutRanking { get; }

    /// <summary>Gets the metrics of each evaluated query, in query-id order.</summary>
    public IReadOnlyList<QueryMetrics> PerQuery { get; }
}
