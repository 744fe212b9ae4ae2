namespace Embeddings.Http;

/// <summary>How an OpenAI-compatible endpoint is asked to encode vectors (<c>encoding_format</c>). Responses in either encoding are read whatever was asked.</summary>
public enum HttpEmbeddingEncoding
{
    /// <summary>JSON arrays of numbers: what every OpenAI-compatible server supports.</summary>
    Float = 0,

    /// <summary>Base64 of little-endian float32: about a quarter of the bytes of <see cref="Float"/> and no decimal parsing.</summary>
    Base64 = 1,
}
