using Embeddings;
using Embeddings.Pipeline;
using Microsoft.Extensions.AI;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds <see cref="RetryingEmbeddingGenerator"/> to either pipeline builder: <c>AddEmbeddings</c>'s or Microsoft.Extensions.AI's.</summary>
public static class RetryingEmbeddingGeneratorBuilderExtensions
{
    /// <summary>Adds retry with backoff and jitter and a per-attempt timeout. The container's <see cref="TimeProvider"/> is used when registered.</summary>
    /// <param name="builder">The pipeline builder.</param>
    /// <param name="configure">Adjusts the defaults (3 retries, 1 s doubling to 30 s, 30 s per attempt).</param>
    /// <returns><paramref name="builder"/>.</returns>
    public static EmbeddingsBuilder UseRetry(this EmbeddingsBuilder builder, Action<EmbeddingRetryOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        EmbeddingRetryOptions options = EmbeddingPipelineFactory.Configure(new EmbeddingRetryOptions(), configure);
        return builder.Use((inner, services) => EmbeddingPipelineFactory.CreateRetry(inner, services, options));
    }

    /// <summary>Adds retry with backoff and jitter and a per-attempt timeout. The container's <see cref="TimeProvider"/> is used when registered.</summary>
    /// <param name="builder">The pipeline builder.</param>
    /// <param name="configure">Adjusts the defaults (3 retries, 1 s doubling to 30 s, 30 s per attempt).</param>
    /// <returns><paramref name="builder"/>.</returns>
    public static EmbeddingGeneratorBuilder<string, Embedding<float>> UseRetry(
        this EmbeddingGeneratorBuilder<string, Embedding<float>> builder,
        Action<EmbeddingRetryOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((inner, services) => EmbeddingPipelineFactory.CreateRetry(inner, services, EmbeddingPipelineFactory.Configure(new EmbeddingRetryOptions(), configure)));
    }
}
