namespace Embeddings;

/// <summary>
/// Weighted score fusion (convex combination): merges ranked lists by <c>score(d) = Σ_i w_i · norm_i(s_i(d))</c>,
/// where each list's scores are first normalized on their own (<see cref="ScoreNormalization"/>, min-max by default).
/// </summary>
/// <remarks>
/// A document missing from a list was ranked below that list's cut-off, so it gets the lowest normalized score
/// the list has rather than nothing: that keeps a document found by one retriever only from being favoured or
/// punished by the other's normalization. Under min-max that floor is always 0, even for a list whose scores are
/// all equal (a single BM25 hit, say, which normalizes to 1): otherwise every document the list missed would
/// score as if it had been found. With weights 0.5/0.5 and min-max this is the
/// usual <c>α · lexical + (1 - α) · vector</c> hybrid.
/// </remarks>
public static class WeightedScoreFusion
{
    /// <summary>Fuses ranked lists into one.</summary>
    /// <param name="rankings">The lists, each best first, with their retrievers' scores; a key appearing twice in one list counts at its higher score.</param>
    /// <param name="k">How many fused results to return at most; positive.</param>
    /// <param name="weights">One non-negative, finite weight per list, or <see langword="null"/> for 1 each.</param>
    /// <param name="normalization">How each list's scores are normalized. Default: <see cref="ScoreNormalization.MinMax"/>.</param>
    /// <returns>
    /// Up to <paramref name="k"/> results by descending fused score; ties go to the key whose best rank is
    /// better, then to the key seen first. Metadata comes from the first list that holds the key.
    /// </returns>
    /// <exception cref="ArgumentException">A list is null or holds a NaN score, or the weights do not match the lists.</exception>
    public static IReadOnlyList<VectorSearchResult> Fuse(
        IReadOnlyList<IReadOnlyList<VectorSearchResult>> rankings,
        int k,
        IReadOnlyList<double>? weights = null,
        ScoreNormalization normalization = ScoreNormalization.MinMax)
    {
        FusionInputs.Check(rankings, weights);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        if (!Enum.IsDefined(normalization))
        {
            throw new ArgumentOutOfRangeException(nameof(normalization), normalization, "Unknown score normalization.");
        }

        Dictionary<string, FusionInputs.Candidate> candidates = new(StringComparer.Ordinal);
        double[] floors = new double[rankings.Count];
        List<Dictionary<string, double>> normalizedLists = new(rankings.Count);
        for (int list = 0; list < rankings.Count; list++)
        {
            IReadOnlyList<VectorSearchResult> ranking = rankings[list];
            Dictionary<string, double> normalized = Normalize(ranking, list, normalization, out floors[list]);
            normalizedLists.Add(normalized);
            for (int i = 0; i < ranking.Count; i++)
            {
                FusionInputs.Candidate candidate = FusionInputs.GetOrAdd(candidates, ranking[i]);
                candidate.BestRank = Math.Min(candidate.BestRank, i);
            }
        }

        foreach (KeyValuePair<string, FusionInputs.Candidate> pair in candidates)
        {
            double score = 0;
            for (int list = 0; list < normalizedLists.Count; list++)
            {
                double value = normalizedLists[list].TryGetValue(pair.Key, out double found) ? found : floors[list];
                score += (weights?[list] ?? 1.0) * value;
            }

            pair.Value.Score = score;
        }

        return FusionInputs.Top(candidates, k);
    }

    /// <summary>Normalizes raw scores the way <see cref="Fuse"/> does; exposed for inspection and tests.</summary>
    /// <param name="scores">The raw scores of one list.</param>
    /// <param name="normalization">The normalization.</param>
    /// <returns>The normalized scores, in the same order.</returns>
    /// <exception cref="ArgumentException">A score is NaN or infinite.</exception>
    public static double[] NormalizeScores(IReadOnlyList<double> scores, ScoreNormalization normalization)
    {
        ArgumentNullException.ThrowIfNull(scores);
        double[] result = new double[scores.Count];
        if (result.Length == 0)
        {
            return result;
        }

        double min = double.PositiveInfinity, max = double.NegativeInfinity, sum = 0;
        for (int i = 0; i < result.Length; i++)
        {
            double s = scores[i];
            if (!double.IsFinite(s))
            {
                throw new ArgumentException($"Score {i} is {s}; fusion needs finite scores.", nameof(scores));
            }

            min = Math.Min(min, s);
            max = Math.Max(max, s);
            sum += s;
        }

        switch (normalization)
        {
            case ScoreNormalization.MinMax:
                for (int i = 0; i < result.Length; i++)
                {
                    result[i] = max > min ? (scores[i] - min) / (max - min) : 1.0;
                }

                break;
            case ScoreNormalization.ZScore:
                double mean = sum / result.Length;
                double variance = 0;
                for (int i = 0; i < result.Length; i++)
                {
                    variance += (scores[i] - mean) * (scores[i] - mean);
                }

                double deviation = Math.Sqrt(variance / result.Length);
                for (int i = 0; i < result.Length; i++)
                {
                    result[i] = deviation > 0 ? (scores[i] - mean) / deviation : 0.0;
                }

                break;
            case ScoreNormalization.None:
                for (int i = 0; i < result.Length; i++)
                {
                    result[i] = scores[i];
                }

                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(normalization), normalization, "Unknown score normalization.");
        }

        return result;
    }

    private static Dictionary<string, double> Normalize(IReadOnlyList<VectorSearchResult> ranking, int list, ScoreNormalization normalization, out double floor)
    {
        double[] raw = new double[ranking.Count];
        for (int i = 0; i < raw.Length; i++)
        {
            VectorSearchResult result = ranking[i] ?? throw new ArgumentException($"Ranking {list} holds a null result at position {i}.", "rankings");
            raw[i] = result.Score;
        }

        double[] normalized;
        try
        {
            normalized = NormalizeScores(raw, normalization);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"Ranking {list}: {e.Message}", "rankings", e);
        }

        Dictionary<string, double> byKey = new(StringComparer.Ordinal);
        floor = normalized.Length == 0 || normalization == ScoreNormalization.MinMax ? 0 : double.PositiveInfinity;
        for (int i = 0; i < normalized.Length; i++)
        {
            floor = Math.Min(floor, normalized[i]);
            string key = ranking[i].Key;
            byKey[key] = byKey.TryGetValue(key, out double existing) ? Math.Max(existing, normalized[i]) : normalized[i];
        }

        return byKey;
    }
}
