namespace Embeddings;

/// <summary>
/// Reciprocal rank fusion (Cormack, Clarke and Büttcher 2009): merges ranked lists by
/// <c>score(d) = Σ_i w_i / (k + rank_i(d))</c>, with ranks counted from 1 and lists that do not hold d
/// contributing nothing. It looks at ranks only, so lists with incomparable scores (BM25 and cosine) fuse
/// without calibration.
/// </summary>
public static class ReciprocalRankFusion
{
    /// <summary>The rank constant of the original paper, 60: it damps the weight of the very top ranks.</summary>
    public const int DefaultRankConstant = 60;

    /// <summary>Fuses ranked lists into one.</summary>
    /// <param name="rankings">The lists, each best first; a key appearing twice in one list counts at its best rank.</param>
    /// <param name="k">How many fused results to return at most; positive.</param>
    /// <param name="weights">One non-negative weight per list, or <see langword="null"/> for 1 each.</param>
    /// <param name="rankConstant">The rank constant (the paper's k, not the number of results); zero or positive. Default: 60.</param>
    /// <returns>
    /// Up to <paramref name="k"/> results by descending fused score; ties go to the key whose best rank is
    /// better, then to the key seen first (in list order). Metadata comes from the first list that holds the key.
    /// </returns>
    /// <exception cref="ArgumentException">A list is null, or the weights do not match the lists in number or are negative or not finite.</exception>
    public static IReadOnlyList<VectorSearchResult> Fuse(
        IReadOnlyList<IReadOnlyList<VectorSearchResult>> rankings,
        int k,
        IReadOnlyList<double>? weights = null,
        int rankConstant = DefaultRankConstant)
    {
        FusionInputs.Check(rankings, weights);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        ArgumentOutOfRangeException.ThrowIfNegative(rankConstant);

        Dictionary<string, FusionInputs.Candidate> candidates = new(StringComparer.Ordinal);
        for (int list = 0; list < rankings.Count; list++)
        {
            double weight = weights?[list] ?? 1.0;
            HashSet<string> seen = new(StringComparer.Ordinal);
            IReadOnlyList<VectorSearchResult> ranking = rankings[list];
            for (int i = 0; i < ranking.Count; i++)
            {
                VectorSearchResult result = ranking[i] ?? throw new ArgumentException($"Ranking {list} holds a null result at position {i}.", nameof(rankings));
                if (!seen.Add(result.Key))
                {
                    continue;
                }

                FusionInputs.Candidate candidate = FusionInputs.GetOrAdd(candidates, result);
                candidate.Score += weight / (rankConstant + i + 1);
                candidate.BestRank = Math.Min(candidate.BestRank, i);
            }
        }

        return FusionInputs.Top(candidates, k);
    }
}
