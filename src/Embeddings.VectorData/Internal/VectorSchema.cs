using Microsoft.Extensions.VectorData;

namespace Embeddings.VectorData.Internal;

/// <summary>What a collection's vector property asks of the index: dimensions, our metric, the MEVD score convention and the index kind.</summary>
internal sealed record VectorSchema(int Dimensions, string DistanceFunction, DistanceMetric Metric, string IndexKind)
{
    public static VectorSchema From(string propertyName, int dimensions, string? distanceFunction, string? indexKind)
    {
        if (dimensions <= 0)
        {
            throw new ArgumentException($"Vector property '{propertyName}' needs positive Dimensions; got {dimensions}.", nameof(dimensions));
        }

        string function = distanceFunction ?? Microsoft.Extensions.VectorData.DistanceFunction.CosineSimilarity;
        DistanceMetric metric = function switch
        {
            Microsoft.Extensions.VectorData.DistanceFunction.CosineSimilarity or Microsoft.Extensions.VectorData.DistanceFunction.CosineDistance => DistanceMetric.Cosine,
            Microsoft.Extensions.VectorData.DistanceFunction.DotProductSimilarity or Microsoft.Extensions.VectorData.DistanceFunction.NegativeDotProductSimilarity => DistanceMetric.DotProduct,
            Microsoft.Extensions.VectorData.DistanceFunction.EuclideanDistance => DistanceMetric.Euclidean,
            Microsoft.Extensions.VectorData.DistanceFunction.EuclideanSquaredDistance => DistanceMetric.EuclideanSquared,
            Microsoft.Extensions.VectorData.DistanceFunction.ManhattanDistance => DistanceMetric.Manhattan,
            _ => throw new NotSupportedException(
                $"Distance function '{function}' of vector property '{propertyName}' is not supported; use CosineSimilarity, CosineDistance, DotProductSimilarity, NegativeDotProductSimilarity, EuclideanDistance, EuclideanSquaredDistance or ManhattanDistance."),
        };

        string kind = indexKind switch
        {
            null or "" or EmbeddingsIndexKind.Flat => EmbeddingsIndexKind.Flat,
            EmbeddingsIndexKind.Hnsw => EmbeddingsIndexKind.Hnsw,
            EmbeddingsIndexKind.IvfFlat => EmbeddingsIndexKind.IvfFlat,
            EmbeddingsIndexKind.FlatFloat16 or EmbeddingsIndexKind.QuantizedFlat => EmbeddingsIndexKind.FlatFloat16,
            EmbeddingsIndexKind.FlatBinary => EmbeddingsIndexKind.FlatBinary,
            _ => throw new NotSupportedException(
                $"Index kind '{indexKind}' of vector property '{propertyName}' is not supported; use Flat, Hnsw, IvfFlat (pgvector), FlatFloat16/QuantizedFlat or FlatBinary."),
        };

        return new VectorSchema(dimensions, function, metric, kind);
    }

    /// <summary>Gets whether a higher MEVD score is better (similarities) or worse (distances).</summary>
    public bool HigherIsBetter => DistanceFunction is Microsoft.Extensions.VectorData.DistanceFunction.CosineSimilarity or Microsoft.Extensions.VectorData.DistanceFunction.DotProductSimilarity;

    /// <summary>Converts our score (higher is more similar, see <see cref="Embeddings.DistanceMetric"/>) to the MEVD value of <see cref="DistanceFunction"/>.</summary>
    public double ToMevdScore(float score) => DistanceFunction switch
    {
        Microsoft.Extensions.VectorData.DistanceFunction.CosineSimilarity or Microsoft.Extensions.VectorData.DistanceFunction.DotProductSimilarity => score,
        Microsoft.Extensions.VectorData.DistanceFunction.CosineDistance => 1.0 - score,
        _ => -(double)score, // negative dot product and the distances: our score is minus the distance
    };

    /// <summary>Whether a result with MEVD score <paramref name="score"/> passes <paramref name="threshold"/>.</summary>
    public bool Passes(double score, double? threshold) =>
        threshold is not double t || (HigherIsBetter ? score >= t : score <= t);
}
