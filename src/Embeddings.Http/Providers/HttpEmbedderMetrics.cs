using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;

namespace Embeddings.Http;

/// <summary>
/// The <c>Embeddings.Http</c> meter: <c>embeddings.inputs.truncated</c> counts inputs shortened to fit the model.
/// The meter comes from <see cref="HttpEmbedderOptions.MeterFactory"/> when one is set (one per factory), else it is process-wide.
/// </summary>
internal static class HttpEmbedderMetrics
{
    public const string MeterName = "Embeddings.Http";

    public const string TruncatedInputsCounterName = "embeddings.inputs.truncated";

    private static readonly Lazy<Counter<long>> Shared = new(() => CreateTruncatedInputs(new Meter(MeterName)));
    private static readonly ConditionalWeakTable<IMeterFactory, Counter<long>> PerFactory = new();

    /// <summary>Gets the truncated-inputs counter on the meter of <paramref name="factory"/>, or on the process-wide meter when it is <see langword="null"/>.</summary>
    public static Counter<long> TruncatedInputs(IMeterFactory? factory) =>
        factory is null ? Shared.Value : PerFactory.GetValue(factory, static f => CreateTruncatedInputs(f.Create(MeterName)));

    private static Counter<long> CreateTruncatedInputs(Meter meter) =>
        meter.CreateCounter<long>(TruncatedInputsCounterName, unit: "{input}", description: "Inputs truncated to the model's input-token limit before embedding.");
}
