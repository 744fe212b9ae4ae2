using Embeddings;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds <see cref="QuantizingEmbeddingGenerator"/> to a pipeline registered with <c>AddEmbeddings</c>.</summary>
public static class QuantizationEmbeddingsBuilderExtensions
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
}
