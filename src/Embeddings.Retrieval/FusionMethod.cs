namespace Embeddings;

/// <summary>How <see cref="HybridSearcher"/> merges the lexical and vector rankings.</summary>
public enum FusionMethod
{
    /// <summary>Reciprocal rank fusion (<see cref="ReciprocalRankFusion"/>): uses ranks only, needs no score calibration.</summary>
    ReciprocalRank = 0,

    /// <summary>Weighted sum of normalized scores (<see cref="WeightedScoreFusion"/>). The default.</summary>
    WeightedScore = 1,
}
