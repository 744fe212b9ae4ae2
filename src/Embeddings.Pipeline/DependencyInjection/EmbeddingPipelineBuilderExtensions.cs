using Embeddings;
using Embeddings.Pipeline;
using Microsoft.Extensions.AI;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the production stack (retry, memory and SQLite caches) to either pipeline builder: <c>AddEmbeddings</c>'s or Microsoft.Extensions.AI's.</summary>
public static class EmbeddingPipelineBuilderExtensions
{
    /// <summary>
    /// Adds the production stack: retry (with per-attempt timeout), the memory cache and optionally the SQLite cache, in the
    /// order <see cref="EmbeddingPipelineOptions.RetryOutsideCache"/> picks.
    /// </summary>
    /// <param name="builder">The pipeline builder.</param>
    /// <param name="configure">Adjusts the stack.</param>
    /// <returns><paramref name="builder"/>.</returns>
    public static EmbeddingsBuilder UseEmbeddingPipeline(this EmbeddingsBuilder builder, Action<EmbeddingPipelineOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        EmbeddingPipelineOptions options = EmbeddingPipelineFactory.Configure(new EmbeddingPipelineOptions(), configure);
        return builder.Use((inner, services) => EmbeddingPipelineFactory.Compose(inner, services, options));
    }

    /// <summary>
    /// Adds the production stack: retry (with per-attempt timeout), the memory cache and optionally the SQLite cache, in the
    /// order <see cref="EmbeddingPipelineOptions.RetryOutsideCache"/> picks.
    /// </summary>
    /// <param name="builder">The pipeline builder.</param>
    /// <param name="configure">Adjusts the stack.</param>
    /// <returns><paramref name="builder"/>.</returns>
    public static EmbeddingGeneratorBuilder<string, Embedding<float>> UseEmbeddingPipeline(
        this EmbeddingGeneratorBuilder<string, Embedding<float>> builder,
        Action<EmbeddingPipelineOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        EmbeddingPipelineOptions options = EmbeddingPipelineFactory.Configure(new EmbeddingPipelineOptions(), configure);
        return builder.Use((inner, services) => EmbeddingPipelineFactory.Compose(inner, services, options));
    }
}
