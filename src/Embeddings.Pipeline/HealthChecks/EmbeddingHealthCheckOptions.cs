namespace Embeddings.Pipeline;

/// <summary>Settings of an <see cref="EmbeddingHealthCheck"/>.</summary>
public sealed class EmbeddingHealthCheckOptions
{
    /// <summary>Gets or sets the text embedded as a probe. Default: <c>embedding health probe</c>.</summary>
    public string ProbeText { get; set; } = "embedding health probe";

    /// <summary>Gets or sets how long the probe may take before the check reports unhealthy. Default: 10 seconds.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Gets or sets a value indicating whether the probe skips the caches, so it reaches the provider. Default: <see langword="true"/>.</summary>
    public bool BypassCache { get; set; } = true;

    /// <summary>Gets or sets the clock the timeout runs on. Default: <see langword="null"/>, meaning <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider? TimeProvider { get; set; }
}
