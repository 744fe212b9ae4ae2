namespace Embeddings;

/// <summary>
/// How <see cref="WeightedScoreFusion"/> puts the scores of different retrievers (BM25 scores are unbounded,
/// cosine lies in [-1, 1]) on one scale before weighting them. Each ranked list is normalized on its own,
/// over the results it returned.
/// </summary>
public enum ScoreNormalization
{
    /// <summary>
    /// Min-max: <c>(s - min) / (max - min)</c>, so the list's best result gets 1 and its worst 0; a list whose
    /// scores are all equal gets 1 throughout. The default: it keeps the shape of the score distribution and needs no tuning.
    /// </summary>
    MinMax = 0,

    /// <summary>
    /// Standard score: <c>(s - mean) / standard deviation</c> over the list (population deviation); a list whose
    /// scores are all equal gets 0 throughout. Less sensitive than min-max to a single outlying top score.
    /// </summary>
    ZScore = 1,

    /// <summary>Raw scores, unchanged: only meaningful when the retrievers already share a scale.</summary>
    None = 2,
}
