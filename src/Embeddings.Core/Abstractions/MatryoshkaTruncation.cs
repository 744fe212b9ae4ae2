using System.Numerics.Tensors;
using Microsoft.Extensions.AI;

namespace Embeddings;

/// <summary>
/// Matryoshka truncation: keep the first d dimensions and re-normalize when the model normalizes. The pipeline
/// order is pool, truncate, normalize, quantize.
/// </summary>
/// <remarks>
/// This class owns the normalization rule of truncation, and every way to truncate uses it
/// (<see cref="EmbeddingGenerationOptions.Dimensions"/> on an <see cref="EmbedderBase"/>, the <c>UseMatryoshka</c>
/// decorator, and <c>EmbeddingsOptions.Dimensions</c>), so they all give the same vectors: a model that normalizes
/// gives unit-length prefixes, a model that does not keeps its raw prefix (as sentence-transformers'
/// <c>truncate_dim</c> does), and a generator that does not describe itself is judged by its vectors.
/// 
/// It sits with the abstractions because <see cref="EmbedderBase"/> honours <see cref="EmbeddingGenerationOptions.Dimensions"/>
/// with it; the <c>UseMatryoshka</c> decorator builds on it too, so the dependency runs one way.
/// </remarks>
public static class MatryoshkaTruncation
{
    /// <summary>
    /// Checks a request for <paramref name="dimensions"/> against what the model supports.
    /// </summary>
    /// <param name="descriptor">The embedder's descriptor.</param>
    /// <param name="dimensions">The requested dimensions, or <see langword="null"/> for the full size.</param>
    /// <param name="allowUntrained">Whether truncating to a size the model was not trained for is allowed.</param>
    /// <returns>The target size when truncation is needed; <see langword="null"/> when the full vector is wanted.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The size is not positive, exceeds the model's, or was not trained and <paramref name="allowUntrained"/> is false.</exception>
    public static int? ValidateRequest(EmbedderDescriptor descriptor, int? dimensions, bool allowUntrained)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        if (dimensions is not int d || d == descriptor.Dimensions)
        {
            return null;
        }

        if (d <= 0 || d > descriptor.Dimensions)
        {
            throw new ArgumentOutOfRangeException(
                nameof(dimensions), d, $"Cannot truncate {descriptor.ModelId} to {d} dimensions: it has {descriptor.Dimensions}.");
        }

        if (!allowUntrained && !descriptor.MatryoshkaDimensions.Contains(d))
        {
            string trained = descriptor.MatryoshkaDimensions.Count == 0
                ? "it was not trained for Matryoshka truncation"
                : $"its trained Matryoshka sizes are {string.Join(", ", descriptor.MatryoshkaDimensions)}";
            throw new ArgumentOutOfRangeException(
                nameof(dimensions), d, $"Cannot truncate {descriptor.ModelId} to {d} dimensions: {trained}. Opt in with allowUntrained to truncate anyway.");
        }

        return d;
    }

    /// <summary>Writes the first <paramref name="dimensions"/> values of <paramref name="source"/> to <paramref name="destination"/>, re-normalized if asked.</summary>
    /// <param name="source">The full vector.</param>
    /// <param name="dimensions">How many leading dimensions to keep; 1 to the source length.</param>
    /// <param name="destination">Receives the truncated vector; at least <paramref name="dimensions"/> long.</param>
    /// <param name="normalize">Whether to scale the truncated vector to unit length.</param>
    public static void Truncate(ReadOnlySpan<float> source, int dimensions, Span<float> destination, bool normalize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimensions);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(dimensions, source.Length);
        if (destination.Length < dimensions)
        {
            throw new ArgumentException($"The destination has {destination.Length} elements; {dimensions} are needed.", nameof(destination));
        }

        ReadOnlySpan<float> prefix = source[..dimensions];
        if (normalize)
        {
            VectorMath.Normalize(prefix, destination);
        }
        else
        {
            prefix.CopyTo(destination);
        }
    }

    /// <summary>Returns a truncated copy of <paramref name="embedding"/>, keeping its model id, time and properties.</summary>
    /// <param name="embedding">The full embedding.</param>
    /// <param name="dimensions">How many leading dimensions to keep.</param>
    /// <param name="normalize">Whether to scale the truncated vector to unit length.</param>
    /// <returns>A new embedding.</returns>
    public static Embedding<float> Truncate(Embedding<float> embedding, int dimensions, bool normalize)
    {
        ArgumentNullException.ThrowIfNull(embedding);
        var vector = new float[dimensions];
        Truncate(embedding.Vector.Span, dimensions, vector, normalize);
        return new Embedding<float>(vector)
        {
            ModelId = embedding.ModelId,
            CreatedAt = embedding.CreatedAt,
            AdditionalProperties = embedding.AdditionalProperties,
        };
    }

    /// <summary>Decides whether a truncated prefix is re-normalized: when the model's descriptor says it normalizes, or, without a descriptor, when the full vector has unit length.</summary>
    /// <param name="descriptor">The model's descriptor, or <see langword="null"/> when the generator does not describe itself.</param>
    /// <param name="fullVector">The vector before truncation.</param>
    /// <returns><see langword="true"/> when the prefix is scaled back to unit length.</returns>
    public static bool KeepsUnitLength(EmbedderDescriptor? descriptor, ReadOnlySpan<float> fullVector) =>
        descriptor?.Normalized ?? MathF.Abs(TensorPrimitives.Norm(fullVector) - 1f) <= 1e-3f;

    /// <summary>Returns <paramref name="descriptor"/> as it reads after truncation to <paramref name="dimensions"/>.</summary>
    /// <param name="descriptor">The full-size descriptor.</param>
    /// <param name="dimensions">The truncated size.</param>
    /// <param name="normalized">Whether the truncated vectors are normalized.</param>
    /// <returns>The adjusted descriptor.</returns>
    public static EmbedderDescriptor Describe(EmbedderDescriptor descriptor, int dimensions, bool normalized)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        return descriptor with
        {
            Dimensions = dimensions,
            Normalized = normalized,
            MatryoshkaDimensions = descriptor.MatryoshkaDimensions.Where(d => d <= dimensions).ToArray(),
        };
    }

    /// <summary>Returns the L2 norm of the first <paramref name="dimensions"/> values (a diagnostic for how much energy a prefix keeps).</summary>
    /// <param name="vector">The vector.</param>
    /// <param name="dimensions">The prefix length.</param>
    /// <returns>The prefix norm.</returns>
    public static float PrefixNorm(ReadOnlySpan<float> vector, int dimensions) => TensorPrimitives.Norm(vector[..dimensions]);
}
