using Microsoft.Extensions.AI;

namespace Embeddings;

/// <summary>Adds <see cref="MatryoshkaEmbeddingGenerator"/> to a Microsoft.Extensions.AI pipeline.</summary>
public static class MatryoshkaEmbeddingGeneratorBuilderExtensions
{
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
