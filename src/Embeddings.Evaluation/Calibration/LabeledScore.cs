namespace Embeddings.Evaluation;

/// <summary>A similarity score and whether the pair it was computed for is truly a match.</summary>
/// <param name="Score">The similarity score (higher means more similar).</param>
/// <param name="IsMatch">The label: <see langword="true"/> for a positive (matching) pair.</param>
public readonly record struct LabeledScore(double Score, bool IsMatch);
