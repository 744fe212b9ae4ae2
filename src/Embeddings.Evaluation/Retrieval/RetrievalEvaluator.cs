namespace Embeddings.Evaluation;

/// <summary>Averages <see cref="RetrievalMetrics"/> over a set of queries (a "run" scored against qrels).</summary>
public static class RetrievalEvaluator
{
    /// <summary>The default cutoffs: 1, 3, 5, 10, 100 and 1000, as BEIR reports.</summary>
    public static IReadOnlyList<int> DefaultCutoffs { get; } = [1, 3, 5, 10, 100, 1000];

    /// <summary>Scores rankings against judgments.</summary>
    /// <param name="rankings">Per query id, the retrieved document ids, best first, without duplicates.</param>
    /// <param name="judgments">The relevance judgments.</param>
    /// <param name="cutoffs">The cutoffs k; <see langword="null"/> for <see cref="DefaultCutoffs"/>.</param>
    /// <returns>The report; see <see cref="RetrievalReport"/> for which queries are averaged over.</returns>
    /// <exception cref="ArgumentException">A cutoff is not positive, or a ranking holds a document twice.</exception>
    public static RetrievalReport Evaluate(
        IReadOnlyDictionary<string, IReadOnlyList<string>> rankings,
        RelevanceJudgments judgments,
        IEnumerable<int>? cutoffs = null)
    {
        ArgumentNullException.ThrowIfNull(rankings);
        ArgumentNullException.ThrowIfNull(judgments);
        int[] ks = (cutoffs ?? DefaultCutoffs).Distinct().Order().ToArray();
        if (ks.Length == 0)
        {
            throw new ArgumentException("At least one cutoff is required.", nameof(cutoffs));
        }

        foreach (int k in ks)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k, nameof(cutoffs));
        }

        var perQuery = new List<QueryMetrics>();
        int withoutRelevant = 0;
        int withoutRanking = 0;
        foreach (string queryId in judgments.QueryIds.Order(StringComparer.Ordinal))
        {
            IReadOnlyDictionary<string, int> judged = judgments.ForQuery(queryId);
            if (judgments.RelevantCount(queryId) == 0)
            {
                withoutRelevant++;
                continue;
            }

            if (!rankings.TryGetValue(queryId, out IReadOnlyList<string>? ranking) || ranking is null)
            {
                withoutRanking++;
                ranking = [];
            }

            var ndcg = new Dictionary<int, double>(ks.Length);
            var recall = new Dictionary<int, double>(ks.Length);
            var precision = new Dictionary<int, double>(ks.Length);
            var rr = new Dictionary<int, double>(ks.Length);
            foreach (int k in ks)
            {
                ndcg[k] = RetrievalMetrics.NdcgAtK(ranking, judged, k);
                recall[k] = RetrievalMetrics.RecallAtK(ranking, judged, k);
                precision[k] = RetrievalMetrics.PrecisionAtK(ranking, judged, k);
                rr[k] = RetrievalMetrics.ReciprocalRankAtK(ranking, judged, k);
            }

            perQuery.Add(new QueryMetrics(queryId, ndcg, recall, precision, rr, RetrievalMetrics.AveragePrecision(ranking, judged)));
        }

        Dictionary<int, double> Mean(Func<QueryMetrics, IReadOnlyDictionary<int, double>> select) =>
            ks.ToDictionary(k => k, k => perQuery.Count == 0 ? 0 : perQuery.Average(q => select(q)[k]));

        return new RetrievalReport(
            ks,
            Mean(q => q.NdcgAt),
            Mean(q => q.RecallAt),
            Mean(q => q.PrecisionAt),
            Mean(q => q.ReciprocalRankAt),
            perQuery.Count == 0 ? 0 : perQuery.Average(q => q.AveragePrecision),
            perQuery.Count,
            withoutRelevant,
            withoutRanking,
            perQuery);
    }
}
