namespace Embeddings;

/// <summary>Exact (exhaustive) k-nearest-neighbour scans over codes stored back to back.</summary>
public static class QuantizedSearch
{
    private const int Block = 256;

    /// <summary>Scores every code and keeps the <paramref name="k"/> best, best first (equal scores: lower index first).</summary>
    /// <param name="scorer">The prepared query.</param>
    /// <param name="codes">The codes, <c>count * scorer.BytesPerVector</c> bytes or more.</param>
    /// <param name="count">How many codes to scan.</param>
    /// <param name="k">How many results at most; positive.</param>
    /// <returns>Up to <paramref name="k"/> hits ordered by descending score.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative or <paramref name="k"/> is not positive.</exception>
    public static QuantizedSearchHit[] Scan(QuantizedQueryScorer scorer, ReadOnlySpan<byte> codes, int count, int k)
    {
        ArgumentNullException.ThrowIfNull(scorer);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        int size = Math.Min(k, count);
        var scores = new float[size];
        var indices = new int[size];
        int found = Scan(scorer, codes, count, scores, indices);
        return ToHits(scores, indices, found);
    }

    /// <summary>Allocation-free scan: keeps the <c>scores.Length</c> best codes, best first.</summary>
    /// <param name="scorer">The prepared query.</param>
    /// <param name="codes">The codes, <c>count * scorer.BytesPerVector</c> bytes or more.</param>
    /// <param name="count">How many codes to scan.</param>
    /// <param name="scores">Receives the best scores, descending; its length is k.</param>
    /// <param name="indices">Receives the matching code positions; as long as <paramref name="scores"/>.</param>
    /// <returns>How many results were written: min(k, count).</returns>
    /// <exception cref="ArgumentException">The buffers are too short or differ in length.</exception>
    public static int Scan(QuantizedQueryScorer scorer, ReadOnlySpan<byte> codes, int count, Span<float> scores, Span<int> indices)
    {
        ArgumentNullException.ThrowIfNull(scorer);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        VectorMath.EnsureSameLength(scores.Length, indices.Length);
        int size = scorer.BytesPerVector;
        if ((long)count * size > codes.Length)
        {
            throw new ArgumentException($"{count} codes of {size} bytes need {(long)count * size} bytes; the buffer holds {codes.Length}.", nameof(codes));
        }

        var top = new TopKCollector(scores, indices);
        Span<float> block = stackalloc float[Block];
        for (int start = 0; start < count; start += Block)
        {
            int n = Math.Min(Block, count - start);
            scorer.ScoreMany(codes.Slice(start * size, n * size), block[..n]);
            float threshold = top.Threshold;
            for (int i = 0; i < n; i++)
            {
                if (block[i] > threshold)
                {
                    top.Add(block[i], start + i);
                    threshold = top.Threshold;
                }
            }
        }

        return top.SortDescending();
    }

    /// <summary>Pairs the first <paramref name="found"/> scores and indices that a buffer-filling search wrote into hits.</summary>
    internal static QuantizedSearchHit[] ToHits(ReadOnlySpan<float> scores, ReadOnlySpan<int> indices, int found)
    {
        var hits = new QuantizedSearchHit[found];
        for (int i = 0; i < found; i++)
        {
            hits[i] = new QuantizedSearchHit(indices[i], scores[i]);
        }

        return hits;
    }
}
