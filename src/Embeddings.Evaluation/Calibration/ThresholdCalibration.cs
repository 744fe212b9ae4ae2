namespace Embeddings.Evaluation;

/// <summary>The threshold <see cref="ThresholdCalibrator"/> chose, and the curve it chose from.</summary>
/// <param name="Threshold">The best threshold: predict a match when score ≥ threshold.</param>
/// <param name="Precision">The precision at the threshold.</param>
/// <param name="Recall">The recall at the threshold.</param>
/// <param name="FScore">The F-beta score at the threshold (the maximum over the curve).</param>
/// <param name="Beta">The beta used (1 weighs precision and recall equally; 2 favours recall; 0.5 precision).</param>
/// <param name="Curve">The whole precision-recall curve, from the highest threshold to the lowest.</param>
public sealed record ThresholdCalibration(double Threshold, double Precision, double Recall, double FScore, double Beta, IReadOnlyList<PrecisionRecallPoint> Curve);
