namespace Embeddings.Evaluation;

/// <summary>How far a current score distribution has moved from a baseline one.</summary>
/// <param name="Baseline">The baseline statistics.</param>
/// <param name="Current">The current statistics.</param>
/// <param name="MeanShift">Current mean minus baseline mean.</param>
/// <param name="KolmogorovSmirnov">The two-sample Kolmogorov-Smirnov statistic: the largest gap between the two empirical CDFs, in [0, 1].</param>
/// <param name="PopulationStabilityIndex">The population stability index over the baseline's decile bins (rule of thumb: below 0.1 stable, above 0.25 a major shift).</param>
public sealed record ScoreDriftReport(ScoreDistribution Baseline, ScoreDistribution Current, double MeanShift, double KolmogorovSmirnov, double PopulationStabilityIndex);
