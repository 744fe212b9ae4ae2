using Microsoft.Extensions.AI;

namespace Embeddings;

/// <summary>
/// An embedding generator that also says what its vectors are: an
/// <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> of strings to float vectors, so every
/// Microsoft.Extensions.AI consumer and middleware works with it, plus the dimensions, the model fingerprint,
/// the input-token limit and query/document prefixes.
/// </summary>
/// <remarks>
/// The role of an input (query or document) travels in <see cref="EmbeddingGenerationOptions"/>; see
/// <see cref="EmbeddingGenerationOptionsExtensions.WithInputKind"/> and
/// <see cref="EmbedderExtensions.EmbedQueryAsync"/>. Implementations are thread-safe.
/// </remarks>
public interface IEmbedder : IEmbeddingGenerator<string, Embedding<float>>
{
    /// <summary>Gets what is known about this embedder's output.</summary>
    EmbedderDescriptor Descriptor { get; }

    /// <summary>Gets the length of the vectors produced.</summary>
    int Dimensions { get; }

    /// <summary>Gets what makes this embedder's vectors comparable with others.</summary>
    EmbedderFingerprint Fingerprint { get; }

    /// <summary>Gets the maximum number of tokens one input may have, or <see langword="null"/> when unknown.</summary>
    int? MaxInputTokens { get; }
}
