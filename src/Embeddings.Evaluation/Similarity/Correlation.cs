namespace Embeddings.Evaluation;

/// <summary>Correlation coefficients for semantic-similarity evaluation (STS).</summary>
public static class Correlation
{
    /// <summary>Pearson's product-moment correlation of two equally long series.</summary>
    /// <param name="x">The first series; at least two values, none NaN.</param>
    /// <param name="y">The second series, as long as <paramref name="x"/>.</param>
    /// <returns>r in [-1, 1]; 0 when either series is constant (its variance is zero).</returns>
    public static double Pearson(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        CheckPair(x, y);
        double meanX = 0, meanY = 0;
        for (int i = 0; i < x.Length; i++)
        {
            meanX += x[i];
            meanY += y[i];
        }

        meanX /= x.Length;
        meanY /= y.Length;
        double covariance = 0, varianceX = 0, varianceY = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double dx = x[i] - meanX;
            double dy = y[i] - meanY;
            covariance += dx * dy;
            varianceX += dx * dx;
            varianceY += dy * dy;
        }

        if (varianceX == 0 || varianceY == 0)
        {
            return 0;
        }

        return Math.Clamp(covariance / Math.Sqrt(varianceX * varianceY), -1, 1);
    }

    /// <summary>Spearman's rank correlation: Pearson's r of the ranks, with tied values given their average rank.</summary>
    /// <param name="x">The first series; at least two values, none NaN.</param>
    /// <param name="y">The second series, as long as <paramref name="x"/>.</param>
    /// <returns>ρ in [-1, 1]; 0 when either series is constant.</returns>
    public static double Spearman(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        CheckPair(x, y);
        return Pearson(AverageRanks(x), AverageRanks(y));
    }

    /// <summary>Ranks values from 1 (smallest) upwards; tied values all get the mean of the ranks they span.</summary>
    /// <param name="values">The values; none NaN.</param>
    /// <returns>The rank of each value, in input order.</returns>
    public static double[] AverageRanks(ReadOnlySpan<double> values)
    {
        int[] order = new int[values.Length];
        for (int i = 0; i < order.Length; i++)
        {
            if (double.IsNaN(values[i]))
            {
                throw new ArgumentException($"Value {i} is NaN.", nameof(values));
            }

            order[i] = i;
        }

        double[] copy = values.ToArray();
        Array.Sort(order, (a, b) => copy[a].CompareTo(copy[b]));
        double[] ranks = new double[values.Length];
        int start = 0;
        while (start < order.Length)
        {
            int end = start;
            while (end + 1 < order.Length && copy[order[end + 1]] == copy[order[start]])
            {
                end++;
            }

            double rank = ((start + end) / 2.0) + 1;
            for (int i = start; i <= end; i++)
            {
                ranks[order[i]] = rank;
            }

            start = end + 1;
        }

        return ranks;
    }

    private static void CheckPair(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        if (x.Length != y.Length)
        {
            throw new ArgumentException($"The series differ in length: {x.Length} and {y.Length}.", nameof(y));
        }

        if (x.Length < 2)
        {
            throw new ArgumentException($"A correlation needs at least two pairs; got {x.Length}.", nameof(x));
        }

        for (int i = 0; i < x.Length; i++)
        {
            if (double.IsNaN(x[i]) || double.IsNaN(y[i]))
            {
                throw new ArgumentException($"Pair {i} holds NaN.", double.IsNaN(x[i]) ? nameof(x) : nameof(y));
            }
        }
    }
}
