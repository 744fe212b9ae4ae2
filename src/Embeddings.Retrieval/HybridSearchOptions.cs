namespace Embeddings;

/// <summary>Settings of a <see cref="HybridSearcher"/>.</summary>
/// <remarks>
/// The default fusion, min-max convex with BM25 weighted 0.6 and the vectors 0.4, was chosen on dev queries only
/// (SciFact's train qrels; the odd-position queries of the MS MARCO subset and Cranfield) as the candidate whose
/// worst margin over the better of its two parts was smallest, across the static default model and
/// all-MiniLM-L6-v2; benchmarks/RESULTS.md has the table, including the one set where it still loses.
/// </remarks>
public sealed class HybridSearchOptions
{
    /// <summary>Gets or sets how the two rankings are merged. Default: <see cref="FusionMethod.WeightedScore"/>.</summary>
    public FusionMethod Fusion { get; set; } = FusionMethod.WeightedScore;

    /// <summary>Gets or sets the rank constant k of reciprocal rank fusion. Default: 60.</summary>
    public int RankConstant { get; set; } = ReciprocalRankFusion.DefaultRankConstant;

    /// <summary>
    /// Gets or sets how many candidates each retriever contributes before fusion; the searcher asks each for at
    /// least the number of results requested. Default: 100.
    /// </summary>
    public int CandidateCount { get; set; } = 100;

    /// <summary>Gets or sets the weight of the BM25 ranking (a multiplier of its reciprocal ranks or normalized scores). Default: 0.6.</summary>
    public double LexicalWeight { get; set; } = 0.6;

    /// <summary>Gets or sets the weight of the vector ranking. Default: 0.4.</summary>
    public double VectorWeight { get; set; } = 0.4;

    /// <summary>Gets or sets the score normalization of weighted score fusion (ignored by rank fusion). Default: <see cref="ScoreNormalization.MinMax"/>.</summary>
    public ScoreNormalization Normalization { get; set; } = ScoreNormalization.MinMax;

    internal void Validate()
    {
        if (!Enum.IsDefined(Fusion))
        {
            throw new ArgumentOutOfRangeException(nameof(Fusion), Fusion, "Unknown fusion method.");
        }

        if (!Enum.IsDefined(Normalization))
        {
            throw new ArgumentOutOfRangeException(nameof(Normalization), Normalization, "Unknown score normalization.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(RankConstant, nameof(RankConstant));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(CandidateCount, nameof(CandidateCount));
        if (!double.IsFinite(LexicalWeight) || LexicalWeight < 0 || !double.IsFinite(VectorWeight) || VectorWeight < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(LexicalWeight), $"Weights must be finite and >= 0; got lexical {LexicalWeight}, vector {VectorWeight}.");
        }
    }
}
