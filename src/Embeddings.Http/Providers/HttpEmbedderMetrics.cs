using System.Diagnostics.Metrics;

namespace Embeddings.Http;

/// <summary>The <c>Embeddings.Http</c> meter: <c>embeddings.inputs.truncated</c> counts inputs shortened to fit the model.</summary>
internal static class HttpEmbedderMetrics
{
    public const string MeterName = "Embeddings.Http";

    private static readonly Meter Meter = new(MeterName);

    public static readonly Counter<long> TruncatedInputs = Meter.CreateCounter<long>(
        "embeddings.inputs.truncated", unit: "{input}", description: "Inputs truncated to the model's input-token limit before embedding.");
}
