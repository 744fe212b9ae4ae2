namespace Embeddings.Onnx;

/// <summary>What <see cref="OnnxEmbedder"/> does with an input longer than the model's token limit.</summary>
public enum OverlongInputPolicy
{
    /// <summary>
    /// Keep the first tokens (and the closing [SEP]), as sentence-transformers does, and say so: the embedding's
    /// <see cref="Microsoft.Extensions.AI.Embedding.AdditionalProperties"/> get <see cref="OnnxEmbedder.TruncatedPropertyKey"/>
    /// and <see cref="OnnxEmbedder.InputTokenCountPropertyKey"/>, the result gets <see cref="OnnxEmbedder.TruncatedInputsPropertyKey"/>,
    /// and the <c>embeddings.onnx.truncated_inputs</c> counter of the <c>Embeddings.Onnx</c> meter goes up.
    /// </summary>
    Truncate = 0,

    /// <summary>Throw an <see cref="ArgumentException"/> naming the input's index and token count; nothing is embedded.</summary>
    Throw = 1,
}
