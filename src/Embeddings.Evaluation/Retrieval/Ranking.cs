namespace Embeddings.Evaluation;

/// <summary>
/// Turns scores into rankings with a deterministic tie-break: higher score first, and among equal scores the
/// document id that sorts later in ordinal order first, as trec_eval (and so pytrec_eval and BEIR) orders them.
/// </summary>
public static class Ranking
{
    /// <summary>Returns the ids of the <paramref name="k"/> best-scored documents, best first.</summary>
    /// <param name="documentIds">The document ids; one per score.</param>
    /// <param name="scores">The scores (higher is better); NaN is not allowed.</param>
    /// <param name="k">How many to return (fewer when there are fewer documents).</param>
    /// <returns>The top ids.</returns>
    public static string[] TopK(IReadOnlyList<string> documentIds, ReadOnlySpan<float> scores, int k)
    {
        ArgumentNullException.ThrowIfNull(documentIds);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        if (documentIds.Count != scores.Length)
        {
            throw new ArgumentException($"There are {documentIds.Count} document ids but {scores.Length} scores.", nameof(scores));
        }

        int take = Math.Min(k, scores.Length);
        if (take == 0)
        {
            return [];
        }

        // A bounded min-heap whose root is the worst kept document: O(n log k).
        var heap = new PriorityQueue<int, (float Score, string Id)>(take + 1, WorstFirst.Instance);
        for (int i = 0; i < scores.Length; i++)
        {
            float score = scores[i];
            if (float.IsNaN(score))
            {
                throw new ArgumentException($"The score of document '{documentIds[i]}' is NaN.", nameof(scores));
            }

            if (heap.Count < take)
            {
                heap.Enqueue(i, (score, documentIds[i]));
            }
            else
            {
                heap.TryPeek(out _, out var worst);
                if (Compare((score, documentIds[i]), worst) < 0)
                {
                    heap.DequeueEnqueue(i, (score, documentIds[i]));
                }
            }
        }

        var result = new string[heap.Count];
        for (int position = result.Length - 1; position >= 0; position--)
        {
            result[position] = documentIds[heap.Dequeue()];
        }

        return result;
    }

    /// <summary>Ranks scored documents, best first, with the same tie-break as <see cref="TopK"/>.</summary>
    /// <param name="scored">The documents and their scores.</param>
    /// <param name="k">How many to return; <see langword="null"/> (the default) for all.</param>
    /// <returns>The ranked ids.</returns>
    public static string[] Rank(IEnumerable<KeyValuePair<string, float>> scored, int? k = null)
    {
        ArgumentNullException.ThrowIfNull(scored);
        var ids = new List<string>();
        var scores = new List<float>();
        foreach (var (id, score) in scored)
        {
            ids.Add(id);
            scores.Add(score);
        }

        return TopK(ids, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(scores), k ?? Math.Max(1, ids.Count));
    }

    /// <summary>Compares two scored documents in ranking order: negative when <paramref name="a"/> ranks first.</summary>
    /// <param name="a">One scored document.</param>
    /// <param name="b">The other.</param>
    /// <returns>Negative, zero or positive.</returns>
    public static int Compare((float Score, string Id) a, (float Score, string Id) b)
    {
        int byScore = b.Score.CompareTo(a.Score);
        return byScore != 0 ? byScore : string.CompareOrdinal(b.Id, a.Id);
    }

    private sealed class WorstFirst : IComparer<(float Score, string Id)>
    {
        public static readonly WorstFirst Instance = new();

        public int Compare((float Score, string Id) x, (float Score, string Id) y) => Ranking.Compare(y, x);
    }
}
