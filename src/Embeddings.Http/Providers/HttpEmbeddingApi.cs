namespace Embeddings.Http;

/// <summary>The wire format an <see cref="HttpEmbedder"/> speaks.</summary>
public enum HttpEmbeddingApi
{
    /// <summary>
    /// OpenAI's <c>POST {endpoint}/embeddings</c> (OpenAI, Text Embeddings Inference's <c>/v1</c> route, Ollama's
    /// <c>/v1</c> route, LiteLLM, vLLM): bearer token, <c>model</c>, <c>dimensions</c>, <c>encoding_format</c>.
    /// </summary>
    OpenAI = 0,

    /// <summary>
    /// Azure OpenAI: <c>POST {endpoint}/openai/deployments/{model}/embeddings?api-version=...</c> with an
    /// <c>api-key</c> header; the body is OpenAI's.
    /// </summary>
    AzureOpenAI = 1,

    /// <summary>
    /// Text Embeddings Inference's native <c>POST {endpoint}/embed</c>: <c>{"inputs": [...], "normalize": ..., "truncate": ...}</c>
    /// answered by a JSON array of float arrays.
    /// </summary>
    TeiNative = 2,
}
