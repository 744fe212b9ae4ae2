using Microsoft.Extensions.AI;

namespace Embeddings;

/// <summary>Turns a float embedding generator into a generator of Microsoft.Extensions.AI's compact embedding types.</summary>
public static class QuantizedEmbeddingGeneratorExtensions
{
    /// <summary>Returns a generator of int8 embeddings (the codes of <paramref name="quantizer"/>).</summary>
    /// <param name="generator">The float generator.</param>
    /// <param name="quantizer">The calibrated int8 quantizer.</param>
    /// <returns>The int8 generator; disposing it disposes <paramref name="generator"/>.</returns>
    public static IEmbeddingGenerator<string, Embedding<sbyte>> AsInt8Generator(this IEmbeddingGenerator<string, Embedding<float>> generator, ScalarInt8Quantizer quantizer)
    {
        ArgumentNullException.ThrowIfNull(quantizer);
        return new QuantizedEmbeddingGenerator<Embedding<sbyte>>(generator, quantizer, quantizer.ToEmbedding);
    }

    /// <summary>Returns a generator of half-precision embeddings.</summary>
    /// <param name="generator">The float generator.</param>
    /// <param name="dimensions">The vector length.</param>
    /// <returns>The half-precision generator; disposing it disposes <paramref name="generator"/>.</returns>
    public static IEmbeddingGenerator<string, Embedding<Half>> AsFloat16Generator(this IEmbeddingGenerator<string, Embedding<float>> generator, int dimensions)
    {
        var quantizer = new Float16Quantizer(dimensions);
        return new QuantizedEmbeddingGenerator<Embedding<Half>>(generator, quantizer, quantizer.ToEmbedding);
    }

    /// <summary>Returns a generator of binary embeddings (bit i set when value i is above zero).</summary>
    /// <param name="generator">The float generator.</param>
    /// <param name="dimensions">The vector length.</param>
    /// <returns>The binary generator; disposing it disposes <paramref name="generator"/>.</returns>
    public static IEmbeddingGenerator<string, BinaryEmbedding> AsBinaryGenerator(this IEmbeddingGenerator<string, Embedding<float>> generator, int dimensions)
    {
        var quantizer = new BinaryQuantizer(dimensions);
        return new QuantizedEmbeddingGenerator<BinaryEmbedding>(generator, quantizer, quantizer.ToEmbedding);
    }
}
