namespace Embeddings;

/// <summary>
/// Two-stage exact retrieval: a coarse scan over compact codes (binary, int8, PQ or a Matryoshka prefix) keeps
/// <c>k × RescoreMultiplier</c> candidates, which are rescored with finer codes (float32, float16 or dequantized
/// int8) and cut to k.
/// </summary>
/// <remarks>
/// Both code buffers hold the same vectors in the same order: vector i's coarse code at
/// <c>i * coarse.BytesPerVector</c> and its fine code at <c>i * fine.BytesPerVector</c>. The retriever keeps
/// references to the buffers (no copy) and is safe for concurrent searches as long as nobody writes them.
/// </remarks>
public sealed class TwoStageRetriever
{
    private readonly ReadOnlyMemory<byte> _coarseCodes;
    private readonly ReadOnlyMemory<byte> _fineCodes;

    /// <summary>Creates the retriever over codes already encoded.</summary>
    /// <param name="coarse">The quantizer of the coarse codes.</param>
    /// <param name="coarseCodes">The coarse codes, <paramref name="count"/> of them back to back.</param>
    /// <param name="fine">The quantizer of the rescoring codes; same dimensions as <paramref name="coarse"/>.</param>
    /// <param name="fineCodes">The rescoring codes, <paramref name="count"/> of them back to back.</param>
    /// <param name="count">The number of vectors.</param>
    /// <param name="metric">The metric of the final scores.</param>
    /// <param name="coarseMetric">The metric of the coarse pass; <see langword="null"/> for <paramref name="metric"/>, or <see cref="DistanceMetric.Hamming"/> when the coarse codes are binary.</param>
    /// <exception cref="ArgumentException">The dimensions differ, a buffer is too short, or a metric does not fit its quantizer.</exception>
    public TwoStageRetriever(
        IVectorQuantizer coarse,
        ReadOnlyMemory<byte> coarseCodes,
        IVectorQuantizer fine,
        ReadOnlyMemory<byte> fineCodes,
        int count,
        DistanceMetric metric,
        DistanceMetric? coarseMetric = null)
    {
        ArgumentNullException.ThrowIfNull(coarse);
        ArgumentNullException.ThrowIfNull(fine);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        VectorMath.EnsureSameLength(coarse.Dimensions, fine.Dimensions);
        CheckLength(coarseCodes.Length, count, coarse.BytesPerVector, nameof(coarseCodes));
        CheckLength(fineCodes.Length, count, fine.BytesPerVector, nameof(fineCodes));
        Coarse = coarse;
        Fine = fine;
        Count = count;
        Metric = metric;
        CoarseMetric = coarseMetric ?? (coarse.Kind == QuantizationKind.Binary ? DistanceMetric.Hamming : metric);
        _coarseCodes = coarseCodes;
        _fineCodes = fineCodes;

        // Fail now, not at the first search, when a metric does not fit its quantizer.
        var probe = new float[coarse.Dimensions];
        probe[0] = 1f;
        _ = coarse.CreateScorer(probe, CoarseMetric);
        _ = fine.CreateScorer(probe, metric);
    }

    /// <summary>Gets the quantizer of the coarse pass.</summary>
    public IVectorQuantizer Coarse { get; }

    /// <summary>Gets the quantizer of the rescoring pass.</summary>
    public IVectorQuantizer Fine { get; }

    /// <summary>Gets the number of vectors.</summary>
    public int Count { get; }

    /// <summary>Gets the metric of the final scores.</summary>
    public DistanceMetric Metric { get; }

    /// <summary>Gets the metric of the coarse pass.</summary>
    public DistanceMetric CoarseMetric { get; }

    /// <summary>Gets the exact memory per vector of both stages together, in bytes.</summary>
    public int BytesPerVector => Coarse.BytesPerVector + Fine.BytesPerVector;

    /// <summary>Encodes <paramref name="vectors"/> both ways and returns a retriever over the new codes.</summary>
    /// <param name="coarse">The coarse quantizer.</param>
    /// <param name="fine">The rescoring quantizer.</param>
    /// <param name="vectors">The vectors, back to back, <c>coarse.Dimensions</c> values each.</param>
    /// <param name="metric">The metric of the final scores.</param>
    /// <param name="coarseMetric">The metric of the coarse pass; see the constructor.</param>
    /// <returns>The retriever.</returns>
    public static TwoStageRetriever Build(IVectorQuantizer coarse, IVectorQuantizer fine, ReadOnlySpan<float> vectors, DistanceMetric metric, DistanceMetric? coarseMetric = null)
    {
        ArgumentNullException.ThrowIfNull(coarse);
        ArgumentNullException.ThrowIfNull(fine);
        int d = coarse.Dimensions;
        if (vectors.Length % d != 0)
        {
            throw new ArgumentException($"{vectors.Length} values are not a whole number of {d}-dimensional vectors.", nameof(vectors));
        }

        int count = vectors.Length / d;
        var coarseCodes = new byte[(long)count * coarse.BytesPerVector];
        var fineCodes = new byte[(long)count * fine.BytesPerVector];
        for (int i = 0; i < count; i++)
        {
            ReadOnlySpan<float> vector = vectors.Slice(i * d, d);
            coarse.Encode(vector, coarseCodes.AsSpan(i * coarse.BytesPerVector, coarse.BytesPerVector));
            fine.Encode(vector, fineCodes.AsSpan(i * fine.BytesPerVector, fine.BytesPerVector));
        }

        return new TwoStageRetriever(coarse, coarseCodes, fine, fineCodes, count, metric, coarseMetric);
    }

    /// <summary>Returns the <paramref name="k"/> best vectors, best first, by rescored score.</summary>
    /// <param name="query">The float query, <c>Coarse.Dimensions</c> long.</param>
    /// <param name="k">How many results at most; positive.</param>
    /// <param name="rescoreMultiplier">How many coarse candidates per result to rescore; at least 1. Default: 4.</param>
    /// <returns>Up to <paramref name="k"/> hits with their rescored scores, descending.</returns>
    public QuantizedSearchHit[] Search(ReadOnlySpan<float> query, int k, int rescoreMultiplier = 4)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rescoreMultiplier);
        int candidates = (int)Math.Min(Count, (long)k * rescoreMultiplier);
        var candidateScores = new float[candidates];
        var candidateIndices = new int[candidates];
        int size = Math.Min(k, Count);
        var scores = new float[size];
        var indices = new int[size];
        int found = Search(query, candidateScores, candidateIndices, scores, indices);
        return QuantizedSearch.ToHits(scores, indices, found);
    }

    /// <summary>Allocation-free search with caller-owned buffers (beyond the two per-query scorers).</summary>
    /// <param name="query">The float query.</param>
    /// <param name="candidateScores">Scratch for the coarse pass; its length is the number of candidates (k × multiplier).</param>
    /// <param name="candidateIndices">Scratch for the coarse pass; as long as <paramref name="candidateScores"/>.</param>
    /// <param name="scores">Receives the final scores, descending; its length is k.</param>
    /// <param name="indices">Receives the final vector positions; as long as <paramref name="scores"/>.</param>
    /// <returns>How many results were written.</returns>
    public int Search(ReadOnlySpan<float> query, Span<float> candidateScores, Span<int> candidateIndices, Span<float> scores, Span<int> indices)
    {
        VectorMath.EnsureSameLength(candidateScores.Length, candidateIndices.Length);
        VectorMath.EnsureSameLength(scores.Length, indices.Length);
        QuantizedQueryScorer coarseScorer = Coarse.CreateScorer(query, CoarseMetric);
        int candidates = QuantizedSearch.Scan(coarseScorer, _coarseCodes.Span, Count, candidateScores, candidateIndices);

        QuantizedQueryScorer fineScorer = Fine.CreateScorer(query, Metric);
        ReadOnlySpan<byte> fineCodes = _fineCodes.Span;
        int size = Fine.BytesPerVector;
        var top = new TopKCollector(scores, indices);
        for (int i = 0; i < candidates; i++)
        {
            int index = candidateIndices[i];
            top.Add(fineScorer.Score(fineCodes.Slice(index * size, size)), index);
        }

        return top.SortDescending();
    }

    private static void CheckLength(int length, int count, int bytesPerVector, string name)
    {
        long needed = (long)count * bytesPerVector;
        if (length < needed)
        {
            throw new ArgumentException($"{count} codes of {bytesPerVector} bytes need {needed} bytes; the buffer holds {length}.", name);
        }
    }
}
