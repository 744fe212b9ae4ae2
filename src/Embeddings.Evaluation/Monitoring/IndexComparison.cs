namespace Embeddings.Evaluation;

/// <summary>
/// Compares the results of two retrieval pipelines on the same queries, for model or index migrations (dual
/// indexing): overlap@k, Jaccard@k and top-1 agreement. No relevance judgments are needed.
/// </summary>
public static class IndexComparison
{
    /// <summary>Compares two sets of rankings.</summary>
    /// <param name="current">Per query id, the current pipeline's document ids, best first.</param>
    /// <param name="candidate">Per query id, the candidate pipeline's document ids, best first.</param>
    /// <param name="k">The cutoff.</param>
    /// <returns>The agreement figures over the queries present in both.</returns>
    /// <exception cref="ArgumentException">No query is present in both.</exception>
    public static IndexComparisonResult Compare(
        IReadOnlyDictionary<string, IReadOnlyList<string>> current,
        IReadOnlyDictionary<string, IReadOnlyList<string>> candidate,
        int k)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(candidate);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        var perQuery = new Dictionary<string, double>(StringComparer.Ordinal);
        double jaccardSum = 0;
        int top1 = 0;
        foreach (var (queryId, a) in current.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (!candidate.TryGetValue(queryId, out IReadOnlyList<string>? b) || a is null || b is null)
            {
                continue;
            }

            var setA = new HashSet<string>(a.Take(k), StringComparer.Ordinal);
            var setB = new HashSet<string>(b.Take(k), StringComparer.Ordinal);
            int intersection = setA.Count(setB.Contains);
            int union = setA.Count + setB.Count - intersection;
            perQuery[queryId] = (double)intersection / k;
            jaccardSum += union == 0 ? 1 : (double)intersection / union;
            if (a.Count > 0 && b.Count > 0 && string.Equals(a[0], b[0], StringComparison.Ordinal))
            {
                top1++;
            }
        }

        if (perQuery.Count == 0)
        {
            throw new ArgumentException("No query has rankings from both pipelines.", nameof(candidate));
        }

        return new IndexComparisonResult(k, perQuery.Count, perQuery.Values.Average(), jaccardSum / perQuery.Count, (double)top1 / perQuery.Count, perQuery);
    }
}
