namespace Embeddings;

/// <summary>What the fusion methods share: argument checks, candidate bookkeeping and the final ordering.</summary>
internal static class FusionInputs
{
    public static void Check(IReadOnlyList<IReadOnlyList<VectorSearchResult>> rankings, IReadOnlyList<double>? weights)
    {
        ArgumentNullException.ThrowIfNull(rankings);
        for (int i = 0; i < rankings.Count; i++)
        {
            if (rankings[i] is null)
            {
                throw new ArgumentException($"Ranking {i} is null.", nameof(rankings));
            }
        }

        if (weights is null)
        {
            return;
        }

        if (weights.Count != rankings.Count)
        {
            throw new ArgumentException($"There are {weights.Count} weights for {rankings.Count} rankings; give one weight per ranking.", nameof(weights));
        }

        for (int i = 0; i < weights.Count; i++)
        {
            if (!double.IsFinite(weights[i]) || weights[i] < 0)
            {
                throw new ArgumentException($"Weight {i} is {weights[i]}; weights must be finite and >= 0.", nameof(weights));
            }
        }
    }

    public static Candidate GetOrAdd(Dictionary<string, Candidate> candidates, VectorSearchResult result)
    {
        if (!candidates.TryGetValue(result.Key, out Candidate? candidate))
        {
            candidate = new Candidate(result.Key, result.Metadata, candidates.Count);
            candidates.Add(result.Key, candidate);
        }

        return candidate;
    }

    public static VectorSearchResult[] Top(Dictionary<string, Candidate> candidates, int k)
    {
        Candidate[] ordered = [.. candidates.Values];
        Array.Sort(ordered, static (x, y) =>
        {
            int byScore = y.Score.CompareTo(x.Score);
            if (byScore != 0)
            {
                return byScore;
            }

            int byRank = x.BestRank.CompareTo(y.BestRank);
            return byRank != 0 ? byRank : x.FirstSeen.CompareTo(y.FirstSeen);
        });

        int count = Math.Min(k, ordered.Length);
        var results = new VectorSearchResult[count];
        for (int i = 0; i < count; i++)
        {
            results[i] = new VectorSearchResult(ordered[i].Key, (float)ordered[i].Score, ordered[i].Metadata);
        }

        return results;
    }

    public sealed class Candidate(string key, IReadOnlyDictionary<string, object?>? metadata, int firstSeen)
    {
        public string Key { get; } = key;

        public IReadOnlyDictionary<string, object?>? Metadata { get; } = metadata;

        public int FirstSeen { get; } = firstSeen;

        public double Score { get; set; }

        public int BestRank { get; set; } = int.MaxValue;
    }
}
