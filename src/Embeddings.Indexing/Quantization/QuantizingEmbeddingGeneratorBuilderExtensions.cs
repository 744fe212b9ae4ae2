using Embeddings;
using Microsoft.Extensions.AI;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds <see cref="QuantizingEmbeddingGenerator"/> to either pipeline builder: <c>AddEmbeddings</c>'s or Microsoft.Extensions.AI's.</summary>
public static class QuantizingEmbeddingGeneratorBuilderExtensions
{
    /// <summary>Passes every document vector through <paramref name="quantizer"/> and back, so downstream sees what a quantized index stores.</summary>
    /// <param name="builder">The embeddings builder.</param>
    /// <param name="quantizer">The quantizer.</param>
    /// <param name="quantizeQueries">Whether queries are quantized too. Default: <see langword="false"/> (asymmetric scoring).</param>
    /// <returns><paramref name="builder"/>.</returns>
    public static EmbeddingsBuilder UseQuantization(this EmbeddingsBuilder builder, IVectorQuantizer quantizer, bool quantizeQueries = false)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(quantizer);
        return builder.Use((inner, _) => new QuantizingEmbeddingGenerator(inner, quantizer, quantizeQueries));
    }

    /// <summary>Passes every document vector through <paramref name="quantizer"/> and back, so downstream sees what a quantized index stores.</summary>
    /// <param name="builder">The pipeline builder.</param>
    /// <param name="quantizer">The quantizer.</param>
    /// <param name="quantizeQueries">Whether queries are quantized too. Default: <see langword="false"/> (asymmetric scoring).</param>
    /// <returns><paramref name="builder"/>.</returns>
    public static EmbeddingGeneratorBuilder<string, Embedding<float>> UseQuantization(
        this EmbeddingGeneratorBuilder<string, Embedding<float>> builder,
        IVectorQuantizer quantizer,
        bool quantizeQueries = false)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(quantizer);
        return builder.Use(inner => new QuantizingEmbeddingGenerator(inner, quantizer, quantizeQueries));
    }
}
