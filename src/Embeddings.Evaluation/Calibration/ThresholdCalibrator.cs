namespace Embeddings.Evaluation;

/// <summary>
/// Chooses a similarity threshold from labeled pairs: builds the precision-recall curve over every distinct score
/// and picks the threshold with the best F-beta (on a tie, the highest threshold, which predicts fewer matches).
/// </summary>
public static class ThresholdCalibrator
{
    /// <summary>Calibrates a threshold.</summary>
    /// <param name="scores">Scores of labeled pairs; at least one positive; no NaN.</param>
    /// <param name="beta">The F-beta weight. Default: 1 (F1).</param>
    /// <returns>The chosen threshold and the curve.</returns>
    /// <exception cref="ArgumentException">There are no positives, or a score is NaN.</exception>
    public static ThresholdCalibration Calibrate(IEnumerable<LabeledScore> scores, double beta = 1)
    {
        ArgumentNullException.ThrowIfNull(scores);
        if (!double.IsFinite(beta) || beta <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(beta), beta, "beta must be a positive finite number.");
        }

        LabeledScore[] sorted = scores.ToArray();
        foreach (LabeledScore s in sorted)
        {
            if (double.IsNaN(s.Score))
            {
                throw new ArgumentException("A score is NaN.", nameof(scores));
            }
        }

        int positives = sorted.Count(s => s.IsMatch);
        if (positives == 0)
        {
            throw new ArgumentException("Calibration needs at least one positive (matching) pair.", nameof(scores));
        }

        Array.Sort(sorted, (a, b) => b.Score.CompareTo(a.Score));
        double beta2 = beta * beta;
        var curve = new List<PrecisionRecallPoint>();
        int truePositives = 0, falsePositives = 0;
        PrecisionRecallPoint? best = null;
        for (int i = 0; i < sorted.Length; i++)
        {
            if (sorted[i].IsMatch)
            {
                truePositives++;
            }
            else
            {
                falsePositives++;
            }

            // Only a threshold at the last of equal scores is achievable: "score >= t" takes all of them.
            if (i + 1 < sorted.Length && sorted[i + 1].Score == sorted[i].Score)
            {
                continue;
            }

            double precision = (double)truePositives / (truePositives + falsePositives);
            double recall = (double)truePositives / positives;
            double f = precision + recall == 0 ? 0 : (1 + beta2) * precision * recall / ((beta2 * precision) + recall);
            var point = new PrecisionRecallPoint(sorted[i].Score, precision, recall, f, truePositives, falsePositives);
            curve.Add(point);
            if (best is null || f > best.FScore)
            {
                best = point;
            }
        }

        return new ThresholdCalibration(best!.Threshold, best.Precision, best.Recall, best.FScore, beta, curve);
    }
}
