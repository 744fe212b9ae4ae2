using System.Diagnostics.Metrics;

namespace Embeddings.Pipeline;

/// <summary>
/// The <c>Embeddings.Pipeline</c> meter: <c>embeddings.cache.hits</c>, <c>embeddings.cache.misses</c> (tagged
/// <c>cache</c> = <c>memory</c>/<c>sqlite</c>/...), <c>embeddings.retries</c> (tagged <c>failure</c>) and
/// <c>embeddings.cache.rebuilds</c> (a corrupt persistent cache was discarded). Truncated inputs are counted by the
/// providers (<c>embeddings.inputs.truncated</c> on the <c>Embeddings.Http</c> meter).
/// </summary>
public sealed class EmbeddingPipelineMetrics
{
    /// <summary>The meter name: <c>Embeddings.Pipeline</c>.</summary>
    public const string MeterName = "Embeddings.Pipeline";

    private readonly Counter<long> _hits;
    private readonly Counter<long> _misses;
    private readonly Counter<long> _retries;
    private readonly Counter<long> _rebuilds;

    /// <summary>Creates the instruments on a meter from <paramref name="meterFactory"/>, or on a process-wide meter when it is <see langword="null"/>.</summary>
    /// <param name="meterFactory">The factory (from <c>services.AddMetrics()</c>), or <see langword="null"/>.</param>
    public EmbeddingPipelineMetrics(IMeterFactory? meterFactory = null)
    {
        Meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _hits = Meter.CreateCounter<long>("embeddings.cache.hits", "{input}", "Inputs whose vector came from a cache.");
        _misses = Meter.CreateCounter<long>("embeddings.cache.misses", "{input}", "Inputs not found in a cache.");
        _retries = Meter.CreateCounter<long>("embeddings.retries", "{retry}", "Embedding requests retried after a transient failure.");
        _rebuilds = Meter.CreateCounter<long>("embeddings.cache.rebuilds", "{rebuild}", "Persistent caches found corrupt and rebuilt empty.");
    }

    /// <summary>Gets the instance shared by decorators that are given none.</summary>
    public static EmbeddingPipelineMetrics Shared { get; } = new();

    /// <summary>Gets the meter the instruments live on.</summary>
    public Meter Meter { get; }

    internal void CacheLookups(string cache, int hits, int misses)
    {
        var tag = new KeyValuePair<string, object?>("cache", cache);
        if (hits > 0)
        {
            _hits.Add(hits, tag);
        }

        if (misses > 0)
        {
            _misses.Add(misses, tag);
        }
    }

    internal void Retry(EmbeddingFailureKind failure) => _retries.Add(1, new KeyValuePair<string, object?>("failure", failure.ToString()));

    internal void Rebuild(string cache) => _rebuilds.Add(1, new KeyValuePair<string, object?>("cache", cache));
}
