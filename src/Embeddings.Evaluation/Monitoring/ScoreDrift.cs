namespace Embeddings.Evaluation;

/// <summary>Compares two samples of similarity scores for drift.</summary>
public static class ScoreDrift
{
    /// <summary>Compares a current sample of scores with a baseline sample.</summary>
    /// <param name="baseline">The baseline scores; at least one, none NaN.</param>
    /// <param name="current">The current scores; at least one, none NaN.</param>
    /// <param name="bins">The number of quantile bins of the baseline for the PSI. Default: 10.</param>
    /// <returns>The drift report.</returns>
    public static ScoreDriftReport Compare(ReadOnlySpan<double> baseline, ReadOnlySpan<double> current, int bins = 10)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bins, 2);
        ScoreDistribution a = ScoreDistribution.From(baseline);
        ScoreDistribution b = ScoreDistribution.From(current);
        double[] x = baseline.ToArray();
        double[] y = current.ToArray();
        Array.Sort(x);
        Array.Sort(y);
        return new ScoreDriftReport(a, b, b.Mean - a.Mean, KolmogorovSmirnov(x, y), PopulationStabilityIndex(x, y, bins));
    }

    /// <summary>The two-sample Kolmogorov-Smirnov statistic of two sorted samples.</summary>
    /// <param name="x">The first sample, ascending.</param>
    /// <param name="y">The second sample, ascending.</param>
    /// <returns>sup |F_x(t) - F_y(t)|.</returns>
    public static double KolmogorovSmirnov(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        if (x.IsEmpty || y.IsEmpty)
        {
            throw new ArgumentException("Both samples need at least one value.");
        }

        int i = 0, j = 0;
        double statistic = 0;
        while (i < x.Length && j < y.Length)
        {
            double t = Math.Min(x[i], y[j]);
            while (i < x.Length && x[i] <= t)
            {
                i++;
            }

            while (j < y.Length && y[j] <= t)
            {
                j++;
            }

            statistic = Math.Max(statistic, Math.Abs(((double)i / x.Length) - ((double)j / y.Length)));
        }

        return statistic;
    }

    private static double PopulationStabilityIndex(double[] baseline, double[] current, int bins)
    {
        // Bin edges at the baseline's quantiles, so each bin holds about 1/bins of the baseline.
        double[] edges = new double[bins - 1];
        for (int e = 0; e < edges.Length; e++)
        {
            edges[e] = ScoreDistribution.Percentile(baseline, 100.0 * (e + 1) / bins);
        }

        double[] p = Histogram(baseline, edges);
        double[] q = Histogram(current, edges);
        const double Floor = 1e-4; // keeps empty bins from making the index infinite
        double psi = 0;
        for (int k = 0; k < bins; k++)
        {
            double pk = Math.Max(p[k], Floor), qk = Math.Max(q[k], Floor);
            psi += (qk - pk) * Math.Log(qk / pk);
        }

        return psi;
    }

    private static double[] Histogram(double[] values, double[] edges)
    {
        double[] counts = new double[edges.Length + 1];
        foreach (double v in values)
        {
            int bin = Array.BinarySearch(edges, v);
            bin = bin >= 0 ? bin : ~bin;
            counts[bin]++;
        }

        for (int k = 0; k < counts.Length; k++)
        {
            counts[k] /= values.Length;
        }

        return counts;
    }
}
