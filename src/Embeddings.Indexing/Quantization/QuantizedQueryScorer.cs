namespace Embeddings;

/// <summary>
/// A query prepared against one <see cref="IVectorQuantizer"/>: scores codes directly, higher is more similar,
/// following the <see cref="DistanceMetric"/> convention.
/// </summary>
/// <remarks>Holds per-query scratch state, so one instance must not be used from two threads at once.</remarks>
public abstract class QuantizedQueryScorer
{
    /// <summary>Initializes the scorer.</summary>
    /// <param name="metric">The metric it scores by.</param>
    /// <param name="bytesPerVector">The size of one code.</param>
    protected QuantizedQueryScorer(DistanceMetric metric, int bytesPerVector)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bytesPerVector);
        Metric = metric;
        BytesPerVector = bytesPerVector;
    }

    /// <summary>Gets the metric the scores follow.</summary>
    public DistanceMetric Metric { get; }

    /// <summary>Gets the size of one code in bytes.</summary>
    public int BytesPerVector { get; }

    /// <summary>Scores one code.</summary>
    /// <param name="code">The code, at least <see cref="BytesPerVector"/> long.</param>
    /// <returns>The score; higher is more similar.</returns>
    public abstract float Score(ReadOnlySpan<byte> code);

    /// <summary>Scores codes stored back to back: code i lies at <c>i * BytesPerVector</c>.</summary>
    /// <param name="codes">The codes, at least <c>scores.Length * BytesPerVector</c> bytes.</param>
    /// <param name="scores">Receives one score per code.</param>
    /// <exception cref="ArgumentException"><paramref name="codes"/> is too short.</exception>
    public void ScoreMany(ReadOnlySpan<byte> codes, Span<float> scores)
    {
        long needed = (long)scores.Length * BytesPerVector;
        if (codes.Length < needed)
        {
            throw new ArgumentException($"{scores.Length} codes of {BytesPerVector} bytes need {needed} bytes; the buffer holds {codes.Length}.", nameof(codes));
        }

        ScoreManyCore(codes, scores);
    }

    /// <summary>Scores codes stored back to back; lengths are already checked. The default calls <see cref="Score"/> per code.</summary>
    /// <param name="codes">The codes.</param>
    /// <param name="scores">Receives one score per code.</param>
    protected virtual void ScoreManyCore(ReadOnlySpan<byte> codes, Span<float> scores)
    {
        int size = BytesPerVector;
        for (int i = 0; i < scores.Length; i++)
        {
            scores[i] = Score(codes.Slice(i * size, size));
        }
    }
}
