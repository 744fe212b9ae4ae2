using System.Globalization;

namespace Embeddings.Evaluation;

/// <summary>The outcome of a <see cref="CanaryCheck"/>.</summary>
/// <param name="K">The cutoff k.</param>
/// <param name="BaselineRecall">The baseline's recall@k.</param>
/// <param name="CurrentRecall">The recall@k measured now.</param>
/// <param name="AlertThreshold">The largest drop (baseline minus current) that does not alert.</param>
public sealed record CanaryResult(int K, double BaselineRecall, double CurrentRecall, double AlertThreshold)
{
    /// <summary>Gets how much recall fell: baseline minus current (negative when it rose).</summary>
    public double Drop => BaselineRecall - CurrentRecall;

    /// <summary>Gets a value indicating whether the drop exceeds the alert threshold.</summary>
    public bool IsAlert => Drop > AlertThreshold;

    /// <summary>Gets a one-line summary for logs and alerts.</summary>
    public string Message => string.Create(
        CultureInfo.InvariantCulture,
        $"{(IsAlert ? "ALERT" : "ok")}: recall@{K} {CurrentRecall:F4} vs baseline {BaselineRecall:F4} (drop {Drop:F4}, alert above {AlertThreshold:F4})");
}
