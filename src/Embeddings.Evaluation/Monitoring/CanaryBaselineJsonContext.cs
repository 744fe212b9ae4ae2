using System.Text.Json.Serialization;

namespace Embeddings.Evaluation;

/// <summary>Source-generated JSON for <see cref="CanaryBaseline"/>, so saving and loading need no reflection (trimming, native AOT).</summary>
[JsonSourceGenerationOptions(WriteIndented = true)]
[JsonSerializable(typeof(CanaryBaseline))]
internal sealed partial class CanaryBaselineJsonContext : JsonSerializerContext;
