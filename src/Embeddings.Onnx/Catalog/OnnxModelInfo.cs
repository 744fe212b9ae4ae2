namespace Embeddings.Onnx;

/// <summary>What the catalog knows about a published embedding model: enough to use it well without reading its model card.</summary>
public sealed record OnnxModelInfo
{
    /// <summary>Gets the Hugging Face repository id, for example <c>BAAI/bge-small-en-v1.5</c>.</summary>
    public required string ModelId { get; init; }

    /// <summary>Gets the vector length.</summary>
    public required int Dimensions { get; init; }

    /// <summary>Gets the pooling the model was trained with.</summary>
    public required PoolingStrategy Pooling { get; init; }

    /// <summary>Gets a value indicating whether the model's vectors are meant to be L2-normalized. Used when the folder has no modules.json.</summary>
    public required bool Normalized { get; init; }

    /// <summary>Gets the sequence length the model was trained for, [CLS] and [SEP] included.</summary>
    public required int MaxTokens { get; init; }

    /// <summary>Gets the prefixes the model expects in front of queries and documents. Defaults to <see cref="EmbeddingPrompts.None"/>.</summary>
    public EmbeddingPrompts Prompts { get; init; } = EmbeddingPrompts.None;

    /// <summary>Gets the dimension counts the model was trained to be truncated to, ascending (the full size included); empty when not Matryoshka-trained.</summary>
    public IReadOnlyList<int> MatryoshkaDimensions { get; init; } = [];

    /// <summary>Gets a note on the model's particulars (language, tokenizer, licence), or <see langword="null"/>.</summary>
    public string? Notes { get; init; }
}
