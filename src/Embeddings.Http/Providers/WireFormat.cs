using System.Text.Json.Serialization;

namespace Embeddings.Http;

/// <summary>The body of an OpenAI-compatible <c>/embeddings</c> request.</summary>
internal sealed class OpenAIEmbeddingRequest
{
    [JsonPropertyName("input")]
    public required IReadOnlyList<string> Input { get; init; }

    [JsonPropertyName("model")]
    public string? Model { get; init; }

    [JsonPropertyName("dimensions")]
    public int? Dimensions { get; init; }

    [JsonPropertyName("encoding_format")]
    public string? EncodingFormat { get; init; }
}

/// <summary>The body of a TEI native <c>/embed</c> request.</summary>
internal sealed class TeiEmbedRequest
{
    [JsonPropertyName("inputs")]
    public required IReadOnlyList<string> Inputs { get; init; }

    [JsonPropertyName("normalize")]
    public bool Normalize { get; init; }

    [JsonPropertyName("truncate")]
    public bool Truncate { get; init; }
}

/// <summary>Source-generated serializers for the request bodies (no reflection, trimming-safe).</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(OpenAIEmbeddingRequest))]
[JsonSerializable(typeof(TeiEmbedRequest))]
internal sealed partial class HttpEmbeddingJsonContext : JsonSerializerContext
{
}
