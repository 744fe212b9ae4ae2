namespace Embeddings.Evaluation;

/// <summary>
/// Canary queries for a live retrieval pipeline: measure recall@k on a fixed set of queries with known relevant
/// documents, compare with a stored <see cref="CanaryBaseline"/>, and alert when it falls by more than a threshold
/// (a model, index or quantization change that silently hurts quality).
/// </summary>
public static class CanaryCheck
{
    /// <summary>The default alert threshold: a drop of more than 0.02 in recall@k.</summary>
    public const double DefaultAlertThreshold = 0.02;

    /// <summary>Measures mean recall@k of canary rankings, over the queries with relevant documents.</summary>
    /// <param name="rankings">Per canary query id, the retrieved document ids, best first.</param>
    /// <param name="judgments">The canary queries' relevant documents.</param>
    /// <param name="k">The cutoff.</param>
    /// <returns>The mean recall@k and the number of queries it averages.</returns>
    public static (double RecallAtK, int QueryCount) MeasureRecall(IReadOnlyDictionary<string, IReadOnlyList<string>> rankings, RelevanceJudgments judgments, int k)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        RetrievalReport report = RetrievalEvaluator.Evaluate(rankings, judgments, [k]);
        if (report.EvaluatedQueries == 0)
        {
            throw new ArgumentException("The canary judgments hold no query with a relevant document.", nameof(judgments));
        }

        return (report.RecallAt[k], report.EvaluatedQueries);
    }

    /// <summary>Creates a baseline from the rankings of a known-good pipeline.</summary>
    /// <param name="rankings">Per canary query id, the retrieved document ids, best first.</param>
    /// <param name="judgments">The canary queries' relevant documents.</param>
    /// <param name="k">The cutoff.</param>
    /// <param name="fingerprint">The embedder fingerprint, for the record; or <see langword="null"/>.</param>
    /// <param name="timeProvider">The clock; <see langword="null"/> for the system clock.</param>
    /// <returns>The baseline; save it with <see cref="CanaryBaseline.Save"/>.</returns>
    public static CanaryBaseline CreateBaseline(IReadOnlyDictionary<string, IReadOnlyList<string>> rankings, RelevanceJudgments judgments, int k, EmbedderFingerprint? fingerprint = null, TimeProvider? timeProvider = null)
    {
        (double recall, int count) = MeasureRecall(rankings, judgments, k);
        return new CanaryBaseline(k, recall, count, fingerprint?.ToString(), (timeProvider ?? TimeProvider.System).GetUtcNow());
    }

    /// <summary>Compares a measured recall@k with the baseline.</summary>
    /// <param name="baseline">The stored baseline.</param>
    /// <param name="currentRecallAtK">Recall@k measured now at the baseline's k.</param>
    /// <param name="alertThreshold">The largest drop that does not alert. Default: <see cref="DefaultAlertThreshold"/>.</param>
    /// <returns>The result; <see cref="CanaryResult.IsAlert"/> says whether to alert.</returns>
    public static CanaryResult Check(CanaryBaseline baseline, double currentRecallAtK, double alertThreshold = DefaultAlertThreshold)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        if (double.IsNaN(currentRecallAtK) || currentRecallAtK is < 0 or > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(currentRecallAtK), currentRecallAtK, "Recall must be in [0, 1].");
        }

        if (double.IsNaN(alertThreshold) || alertThreshold < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(alertThreshold), alertThreshold, "The alert threshold must be zero or positive.");
        }

        return new CanaryResult(baseline.K, baseline.RecallAtK, currentRecallAtK, alertThreshold);
    }

    /// <summary>Measures recall@k of the current rankings and compares it with the baseline.</summary>
    /// <param name="baseline">The stored baseline.</param>
    /// <param name="rankings">Per canary query id, the retrieved document ids now, best first.</param>
    /// <param name="judgments">The canary queries' relevant documents.</param>
    /// <param name="alertThreshold">The largest drop that does not alert. Default: <see cref="DefaultAlertThreshold"/>.</param>
    /// <returns>The result.</returns>
    public static CanaryResult Check(CanaryBaseline baseline, IReadOnlyDictionary<string, IReadOnlyList<string>> rankings, RelevanceJudgments judgments, double alertThreshold = DefaultAlertThreshold)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        return Check(baseline, MeasureRecall(rankings, judgments, baseline.K).RecallAtK, alertThreshold);
    }
}
