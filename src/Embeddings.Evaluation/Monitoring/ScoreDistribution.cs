namespace Embeddings.Evaluation;

/// <summary>
/// Summary statistics of a set of similarity scores (for example every query's top-1 score over a day), to watch
/// for drift: a new model, changed content or a broken pipeline moves the distribution.
/// </summary>
/// <param name="Count">The number of scores.</param>
/// <param name="Mean">The mean.</param>
/// <param name="StandardDeviation">The population standard deviation.</param>
/// <param name="Min">The smallest score.</param>
/// <param name="Max">The largest score.</param>
/// <param name="P5">The 5th percentile (linear interpolation between order statistics).</param>
/// <param name="P25">The 25th percentile.</param>
/// <param name="Median">The median.</param>
/// <param name="P75">The 75th percentile.</param>
/// <param name="P95">The 95th percentile.</param>
public sealed record ScoreDistribution(int Count, double Mean, double StandardDeviation, double Min, double Max, double P5, double P25, double Median, double P75, double P95)
{
    /// <summary>Computes the statistics.</summary>
    /// <param name="scores">The scores; at least one, none NaN.</param>
    /// <returns>The statistics.</returns>
    public static ScoreDistribution From(ReadOnlySpan<double> scores)
    {
        if (scores.IsEmpty)
        {
            throw new ArgumentException("At least one score is required.", nameof(scores));
        }

        double[] sorted = scores.ToArray();
        foreach (double s in sorted)
        {
            if (double.IsNaN(s))
            {
                throw new ArgumentException("A score is NaN.", nameof(scores));
            }
        }

        Array.Sort(sorted);
        double mean = sorted.Average();
        double variance = sorted.Sum(s => (s - mean) * (s - mean)) / sorted.Length;
        return new ScoreDistribution(
            sorted.Length, mean, Math.Sqrt(variance), sorted[0], sorted[^1],
            Percentile(sorted, 5), Percentile(sorted, 25), Percentile(sorted, 50), Percentile(sorted, 75), Percentile(sorted, 95));
    }

    /// <summary>The p-th percentile of sorted values, interpolating linearly between order statistics (NumPy's default).</summary>
    /// <param name="sorted">Values in ascending order; at least one.</param>
    /// <param name="percent">The percentile, 0 to 100.</param>
    /// <returns>The percentile.</returns>
    public static double Percentile(ReadOnlySpan<double> sorted, double percent)
    {
        if (sorted.IsEmpty)
        {
            throw new ArgumentException("At least one value is required.", nameof(sorted));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(percent, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(percent, 100);
        double position = percent / 100 * (sorted.Length - 1);
        int lower = (int)Math.Floor(position);
        int upper = Math.Min(lower + 1, sorted.Length - 1);
        return sorted[lower] + ((position - lower) * (sorted[upper] - sorted[lower]));
    }
}
