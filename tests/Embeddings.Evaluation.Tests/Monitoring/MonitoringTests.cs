using Embeddings.Evaluation;

namespace Embeddings.Evaluation.Tests.Monitoring;

public sealed class MonitoringTests
{
    private static readonly RelevanceJudgments Canaries = new([("q1", "a", 1), ("q1", "b", 1), ("q2", "c", 1)]);

    [Fact]
    public void Canary_alerts_when_recall_drops_more_than_the_threshold_and_the_baseline_round_trips()
    {
        var good = new Dictionary<string, IReadOnlyList<string>> { ["q1"] = ["a", "b", "x"], ["q2"] = ["c", "y", "z"] };
        var worse = new Dictionary<string, IReadOnlyList<string>> { ["q1"] = ["a", "x", "y"], ["q2"] = ["c", "y", "z"] };
        CanaryBaseline baseline = CanaryCheck.CreateBaseline(good, Canaries, k: 3);
        Assert.Equal(1.0, baseline.RecallAtK, 12);
        Assert.Equal(2, baseline.QueryCount);

        string path = Path.Combine(Path.GetTempPath(), $"canary-{Guid.NewGuid():N}.json");
        try
        {
            baseline.Save(path);
            CanaryBaseline loaded = CanaryBaseline.Load(path);
            Assert.Equal(baseline, loaded);

            CanaryResult result = CanaryCheck.Check(loaded, worse, Canaries, alertThreshold: 0.2);
            Assert.Equal(0.75, result.CurrentRecall, 12);
            Assert.Equal(0.25, result.Drop, 12);
            Assert.True(result.IsAlert);
            Assert.StartsWith("ALERT", result.Message, StringComparison.Ordinal);
            Assert.False(CanaryCheck.Check(loaded, worse, Canaries, alertThreshold: 0.3).IsAlert);
            Assert.False(CanaryCheck.Check(loaded, 0.99).IsAlert);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Index_comparison_computes_overlap_jaccard_and_top1_agreement()
    {
        var current = new Dictionary<string, IReadOnlyList<string>> { ["q1"] = ["a", "b", "c"], ["q2"] = ["x", "y", "z"], ["q3"] = ["only-here"] };
        var candidate = new Dictionary<string, IReadOnlyList<string>> { ["q1"] = ["a", "c", "d"], ["q2"] = ["z", "w", "v"] };
        IndexComparisonResult result = IndexComparison.Compare(current, candidate, k: 3);
        Assert.Equal(2, result.QueryCount);
        Assert.Equal(((2.0 / 3) + (1.0 / 3)) / 2, result.MeanOverlapAtK, 12);
        Assert.Equal((0.5 + 0.2) / 2, result.MeanJaccardAtK, 12);
        Assert.Equal(0.5, result.Top1Agreement, 12);
    }

    [Fact]
    public void Score_distribution_statistics_match_hand_computed_values()
    {
        ScoreDistribution d = ScoreDistribution.From([4, 1, 3, 2]);
        Assert.Equal(2.5, d.Mean, 12);
        Assert.Equal(Math.Sqrt(1.25), d.StandardDeviation, 12);
        Assert.Equal(2.5, d.Median, 12);
        Assert.Equal(1.75, d.P25, 12);
        Assert.Equal(1, d.Min);
        Assert.Equal(4, d.Max);
    }

    [Fact]
    public void Drift_is_zero_for_the_same_sample_and_large_for_a_shifted_one()
    {
        double[] baseline = Enumerable.Range(0, 1000).Select(i => i / 1000.0).ToArray();
        double[] shifted = baseline.Select(v => v + 0.5).ToArray();
        ScoreDriftReport same = ScoreDrift.Compare(baseline, baseline);
        Assert.Equal(0, same.KolmogorovSmirnov, 12);
        Assert.Equal(0, same.PopulationStabilityIndex, 12);

        ScoreDriftReport moved = ScoreDrift.Compare(baseline, shifted);
        Assert.Equal(0.5, moved.MeanShift, 9);
        Assert.Equal(0.5, moved.KolmogorovSmirnov, 2);
        Assert.True(moved.PopulationStabilityIndex > 0.25);
    }

    [Fact]
    public void Kolmogorov_Smirnov_matches_a_hand_computed_value()
    {
        // F_x and F_y differ most just after 2: 2/3 of x vs 0 of y.
        Assert.Equal(2.0 / 3, ScoreDrift.KolmogorovSmirnov([1, 2, 5], [3, 4]), 12);
    }
}
