using Embeddings;
using Microsoft.Extensions.AI;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds <see cref="MatryoshkaEmbeddingGenerator"/> to either pipeline builder: <c>AddEmbeddings</c>'s or Microsoft.Extensions.AI's.</summary>
public static class MatryoshkaEmbeddingGeneratorBuilderExtensions
{
    /// <summary>Truncates every vector to its first <paramref name="dimensions"/> values, re-normalized when the model normalizes (the rule of <see cref="MatryoshkaTruncation"/>).</summary>
    /// <param name="builder">The embeddings builder.</param>
    /// <param name="dimensions">The number of leading dimensions to keep.</param>
    /// <param name="allowUntrained">Whether to allow a size the model was not Matryoshka-trained for. Default: <see langword="false"/>.</param>
    /// <returns><paramref name="builder"/>.</returns>
    public static EmbeddingsBuilder UseMatryoshka(this EmbeddingsBuilder builder, int dimensions, bool allowUntrained = false)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimensions);
        return builder.Use((inner, _) => new MatryoshkaEmbeddingGenerator(inner, dimensions, allowUntrained));
    }

    /// <summary>Truncates every vector to its first <paramref name="dimensions"/> values, re-normalized when the model normalizes (the rule of <see cref="MatryoshkaTruncation"/>).</summary>
    /// <param name="builder">The pipeline builder.</param>
    /// <param name="dimensions">The number of leading dimensions to keep.</param>
    /// <param name="allowUntrained">Whether to allow a size the model was not Matryoshka-trained for. Default: <see langword="false"/>.</param>
    /// <returns><paramref name="builder"/>.</returns>
    public static EmbeddingGeneratorBuilder<string, Embedding<float>> UseMatryoshka(
        this EmbeddingGeneratorBuilder<string, Embedding<float>> builder,
        int dimensions,
        bool allowUntrained = false)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimensions);
        return builder.Use(inner => new MatryoshkaEmbeddingGenerator(inner, dimensions, allowUntrained));
    }
}
