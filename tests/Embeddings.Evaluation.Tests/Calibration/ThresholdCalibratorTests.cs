using Embeddings.Evaluation;

namespace Embeddings.Evaluation.Tests.Calibration;

public sealed class ThresholdCalibratorTests
{
    private static readonly LabeledScore[] Pairs =
    [
        new(0.9, true), new(0.8, false), new(0.7, true), new(0.6, true), new(0.5, false), new(0.4, false),
    ];

    [Fact]
    public void Best_F1_threshold_and_curve_match_hand_computed_values()
    {
        ThresholdCalibration result = ThresholdCalibrator.Calibrate(Pairs);

        // At 0.6: 3 true positives, 1 false positive: P = 3/4, R = 1, F1 = 6/7.
        Assert.Equal(0.6, result.Threshold);
        Assert.Equal(0.75, result.Precision, 12);
        Assert.Equal(1, result.Recall, 12);
        Assert.Equal(6.0 / 7, result.FScore, 12);
        Assert.Equal([0.9, 0.8, 0.7, 0.6, 0.5, 0.4], result.Curve.Select(p => p.Threshold));
        Assert.Equal(0.5, result.Curve[0].FScore, 12);
        Assert.Equal(2.0 / 3, result.Curve[2].Precision, 12);
    }

    [Fact]
    public void Beta_below_one_favours_precision()
    {
        // F0.5 at 0.9: P = 1, R = 1/3 -> 1.25 * (1/3) / (0.25 + 1/3) = 0.714; at 0.6: 1.25 * 0.75 / (0.1875 + 1) = 0.789.
        ThresholdCalibration result = ThresholdCalibrator.Calibrate(Pairs, beta: 0.5);
        Assert.Equal(0.6, result.Threshold);
        Assert.Equal(1.25 * 0.75 / (0.1875 + 1), result.FScore, 12);
        Assert.Equal(1.25 * (1.0 / 3) / (0.25 + (1.0 / 3)), result.Curve[0].FScore, 12);
    }

    [Fact]
    public void Tied_scores_form_a_single_point_because_a_threshold_takes_all_of_them()
    {
        ThresholdCalibration result = ThresholdCalibrator.Calibrate([new(0.8, true), new(0.8, false), new(0.3, true)]);
        Assert.Equal([0.8, 0.3], result.Curve.Select(p => p.Threshold));
        Assert.Equal(1, result.Curve[0].TruePositives);
        Assert.Equal(1, result.Curve[0].FalsePositives);
    }

    [Fact]
    public void Without_positives_calibration_is_refused()
    {
        Assert.Contains("positive", Assert.Throws<ArgumentException>(() => ThresholdCalibrator.Calibrate([new(0.5, false)])).Message, StringComparison.Ordinal);
    }
}
