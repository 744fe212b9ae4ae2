namespace Embeddings;

/// <summary>
/// Everything known about an embedder's output: what makes its vectors comparable, how long inputs may be,
/// which prefixes it expects and which Matryoshka sizes it was trained for. Providers fill it in from model
/// metadata; pipeline decorators that change the output (Matryoshka truncation) publish an adjusted copy.
/// </summary>
public sealed record EmbedderDescriptor
{
    /// <summary>Gets the model identifier, for example <c>BAAI/bge-small-en-v1.5</c>.</summary>
    public required string ModelId { get; init; }

    /// <summary>Gets the model revision, or <see langword="null"/> when unknown.</summary>
    public string? Revision { get; init; }

    /// <summary>Gets the length of the vectors produced.</summary>
    public required int Dimensions { get; init; }

    /// <summary>Gets the pooling applied, in lower case (<c>cls</c>, <c>mean</c>, ...), or <see langword="null"/> when the provider does not say.</summary>
    public string? Pooling { get; init; }

    /// <summary>Gets a value indicating whether vectors are L2-normalized. Defaults to <see langword="false"/>.</summary>
    public bool Normalized { get; init; }

    /// <summary>Gets the maximum number of tokens one input may have, or <see langword="null"/> when unknown or unbounded.</summary>
    public int? MaxInputTokens { get; init; }

    /// <summary>Gets the prefixes for queries and documents. Defaults to <see cref="EmbeddingPrompts.None"/>.</summary>
    public EmbeddingPrompts Prompts { get; init; } = EmbeddingPrompts.None;

    /// <summary>
    /// Gets the dimension counts the model was trained to be truncated to (Matryoshka representation learning),
    /// in ascending order. Empty (the default) means the model was not MRL-trained.
    /// </summary>
    public IReadOnlyList<int> MatryoshkaDimensions { get; init; } = [];

    /// <summary>Gets the name of the provider (for example <c>onnx</c>, <c>openai</c>, <c>static</c>), or <see langword="null"/>.</summary>
    public string? ProviderName { get; init; }

    /// <summary>Gets the fingerprint derived from the model, revision, pooling, normalization and dimensions.</summary>
    public EmbedderFingerprint Fingerprint => new(ModelId, Revision, Pooling, Normalized, Dimensions);
}
