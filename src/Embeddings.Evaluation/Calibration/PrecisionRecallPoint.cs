namespace Embeddings.Evaluation;

/// <summary>One point of a precision-recall curve: what predicting "match" for every score at or above <see cref="Threshold"/> gives.</summary>
/// <param name="Threshold">The threshold (a score that occurs in the data).</param>
/// <param name="Precision">True positives over predicted positives.</param>
/// <param name="Recall">True positives over all positives.</param>
/// <param name="FScore">The F-beta score for the calibration's beta.</param>
/// <param name="TruePositives">Positives at or above the threshold.</param>
/// <param name="FalsePositives">Negatives at or above the threshold.</param>
public sealed record PrecisionRecallPoint(double Threshold, double Precision, double Recall, double FScore, int TruePositives, int FalsePositives);
