namespace Embeddings.Evaluation;

/// <summary>
/// Per-query retrieval metrics with trec_eval's conventions: a document is relevant when its grade is at least
/// <see cref="RelevanceLevel"/>; unjudged documents count as non-relevant; nDCG uses linear gain (the grade) with
/// a log2(rank + 1) discount and its ideal DCG comes from all of the query's judged relevant documents, retrieved
/// or not.
/// </summary>
/// <remarks>
/// The ranking is taken as given (best first); ties must already be broken (see <see cref="Ranking"/>). A
/// ranking may hold fewer than <c>k</c> documents; the missing ranks count as non-relevant. Every function
/// returns 0 for a query without relevant documents; <see cref="RetrievalEvaluator"/> leaves such queries out
/// of its averages.
/// </remarks>
public static class RetrievalMetrics
{
    /// <summary>The lowest grade that counts as relevant: 1, as trec_eval's default.</summary>
    public const int RelevanceLevel = 1;

    /// <summary>Normalized discounted cumulative gain at <paramref name="k"/> (trec_eval's <c>ndcg_cut.k</c>).</summary>
    /// <param name="ranking">Document ids, best first, without duplicates.</param>
    /// <param name="judgments">The query's judged documents and grades.</param>
    /// <param name="k">The cutoff.</param>
    /// <returns>nDCG@k in [0, 1].</returns>
    public static double NdcgAtK(IReadOnlyList<string> ranking, IReadOnlyDictionary<string, int> judgments, int k)
    {
        Check(ranking, judgments, k);
        double dcg = 0;
        int depth = Math.Min(k, ranking.Count);
        for (int i = 0; i < depth; i++)
        {
            if (judgments.TryGetValue(ranking[i], out int grade) && grade > 0)
            {
                dcg += grade / Math.Log2(i + 2);
            }
        }

        double ideal = IdealDcg(judgments, k);
        return ideal > 0 ? dcg / ideal : 0;
    }

    /// <summary>The ideal DCG at <paramref name="k"/>: the best DCG any ranking of the judged documents reaches.</summary>
    /// <param name="judgments">The query's judged documents and grades.</param>
    /// <param name="k">The cutoff.</param>
    /// <returns>The ideal DCG; 0 when no document has a positive grade.</returns>
    public static double IdealDcg(IReadOnlyDictionary<string, int> judgments, int k)
    {
        ArgumentNullException.ThrowIfNull(judgments);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        var grades = new List<int>(judgments.Count);
        foreach (int grade in judgments.Values)
        {
            if (grade > 0)
            {
                grades.Add(grade);
            }
        }

        grades.Sort((a, b) => b.CompareTo(a));
        double ideal = 0;
        for (int i = 0; i < Math.Min(k, grades.Count); i++)
        {
            ideal += grades[i] / Math.Log2(i + 2);
        }

        return ideal;
    }

    /// <summary>Recall at <paramref name="k"/>: relevant documents in the top <paramref name="k"/> over all relevant documents.</summary>
    /// <param name="ranking">Document ids, best first, without duplicates.</param>
    /// <param name="judgments">The query's judged documents and grades.</param>
    /// <param name="k">The cutoff.</param>
    /// <returns>Recall@k in [0, 1].</returns>
    public static double RecallAtK(IReadOnlyList<string> ranking, IReadOnlyDictionary<string, int> judgments, int k)
    {
        Check(ranking, judgments, k);
        int relevant = CountRelevant(judgments);
        return relevant == 0 ? 0 : (double)RelevantInTop(ranking, judgments, k) / relevant;
    }

    /// <summary>Precision at <paramref name="k"/>: relevant documents in the top <paramref name="k"/> over <paramref name="k"/> (trec_eval's <c>P.k</c>, which divides by k even when fewer documents were retrieved).</summary>
    /// <param name="ranking">Document ids, best first, without duplicates.</param>
    /// <param name="judgments">The query's judged documents and grades.</param>
    /// <param name="k">The cutoff.</param>
    /// <returns>P@k in [0, 1].</returns>
    public static double PrecisionAtK(IReadOnlyList<string> ranking, IReadOnlyDictionary<string, int> judgments, int k)
    {
        Check(ranking, judgments, k);
        return CountRelevant(judgments) == 0 ? 0 : (double)RelevantInTop(ranking, judgments, k) / k;
    }

    /// <summary>Reciprocal rank at <paramref name="k"/>: 1 / the rank of the first relevant document, or 0 when none is in the top <paramref name="k"/>.</summary>
    /// <param name="ranking">Document ids, best first, without duplicates.</param>
    /// <param name="judgments">The query's judged documents and grades.</param>
    /// <param name="k">The cutoff.</param>
    /// <returns>RR@k in [0, 1]; its mean over queries is MRR@k.</returns>
    public static double ReciprocalRankAtK(IReadOnlyList<string> ranking, IReadOnlyDictionary<string, int> judgments, int k)
    {
        Check(ranking, judgments, k);
        int depth = Math.Min(k, ranking.Count);
        for (int i = 0; i < depth; i++)
        {
            if (IsRelevant(judgments, ranking[i]))
            {
                return 1.0 / (i + 1);
            }
        }

        return 0;
    }

    /// <summary>
    /// Average precision (trec_eval's <c>map</c>, or <c>map_cut.k</c> with a cutoff): the mean, over all of the
    /// query's relevant documents, of the precision at the rank of each one retrieved; unretrieved ones add 0.
    /// </summary>
    /// <param name="ranking">Document ids, best first, without duplicates.</param>
    /// <param name="judgments">The query's judged documents and grades.</param>
    /// <param name="k">The cutoff; <see langword="null"/> (the default) for the whole ranking.</param>
    /// <returns>AP in [0, 1]; its mean over queries is MAP.</returns>
    public static double AveragePrecision(IReadOnlyList<string> ranking, IReadOnlyDictionary<string, int> judgments, int? k = null)
    {
        Check(ranking, judgments, k ?? int.MaxValue);
        int relevant = CountRelevant(judgments);
        if (relevant == 0)
        {
            return 0;
        }

        int depth = Math.Min(k ?? int.MaxValue, ranking.Count);
        int found = 0;
        double sum = 0;
        for (int i = 0; i < depth; i++)
        {
            if (IsRelevant(judgments, ranking[i]))
            {
                found++;
                sum += (double)found / (i + 1);
            }
        }

        return sum / relevant;
    }

    /// <summary>Counts the relevant documents (grade at least <see cref="RelevanceLevel"/>) among the judgments.</summary>
    /// <param name="judgments">The query's judged documents and grades.</param>
    /// <returns>The count.</returns>
    public static int CountRelevant(IReadOnlyDictionary<string, int> judgments)
    {
        ArgumentNullException.ThrowIfNull(judgments);
        int count = 0;
        foreach (int grade in judgments.Values)
        {
            if (grade >= RelevanceLevel)
            {
                count++;
            }
        }

        return count;
    }

    private static int RelevantInTop(IReadOnlyList<string> ranking, IReadOnlyDictionary<string, int> judgments, int k)
    {
        int depth = Math.Min(k, ranking.Count);
        int count = 0;
        for (int i = 0; i < depth; i++)
        {
            if (IsRelevant(judgments, ranking[i]))
            {
                count++;
            }
        }

        return count;
    }

    private static bool IsRelevant(IReadOnlyDictionary<string, int> judgments, string documentId) =>
        judgments.TryGetValue(documentId, out int grade) && grade >= RelevanceLevel;

    private static void Check(IReadOnlyList<string> ranking, IReadOnlyDictionary<string, int> judgments, int k)
    {
        ArgumentNullException.ThrowIfNull(ranking);
        ArgumentNullException.ThrowIfNull(judgments);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        int depth = Math.Min(k, ranking.Count);
        var seen = new HashSet<string>(depth, StringComparer.Ordinal);
        for (int i = 0; i < depth; i++)
        {
            string id = ranking[i] ?? throw new ArgumentException($"The ranking holds a null document id at rank {i + 1}.", nameof(ranking));
            if (!seen.Add(id))
            {
                throw new ArgumentException($"The ranking holds document '{id}' twice (again at rank {i + 1}); a ranking lists each document once.", nameof(ranking));
            }
        }
    }
}
