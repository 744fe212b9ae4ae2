namespace Embeddings.Pipeline;

/// <summary>Settings of <see cref="RetryingEmbeddingGenerator"/>: exponential backoff with jitter and a per-attempt timeout.</summary>
public sealed class EmbeddingRetryOptions
{
    /// <summary>Gets or sets how many times a transient failure is retried (so at most this plus one attempts). Default: 3. Zero disables retries (the timeout still applies).</summary>
    public int MaxRetryAttempts { get; set; } = 3;

    /// <summary>Gets or sets the delay before the first retry; each later one doubles it. Default: 1 second.</summary>
    public TimeSpan Delay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets or sets the longest delay between attempts, whether from backoff or from <c>Retry-After</c>. Default: 30 seconds.</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Gets or sets a value indicating whether backoff delays are jittered (Polly's decorrelated jitter around the doubling
    /// curve), so many clients failing together do not retry in lockstep. Default: <see langword="true"/>.
    /// </summary>
    public bool UseJitter { get; set; } = true;

    /// <summary>Gets or sets a value indicating whether a server's <c>Retry-After</c> (seconds or HTTP-date) replaces the backoff delay. Default: <see langword="true"/>.</summary>
    public bool HonorRetryAfter { get; set; } = true;

    /// <summary>
    /// Gets or sets how long one attempt may take before it is abandoned (and retried as a <see cref="EmbeddingFailureKind.Timeout"/>),
    /// so a dead endpoint can never hang a caller. Default: 30 seconds. <see cref="Timeout.InfiniteTimeSpan"/> disables it.
    /// </summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Gets or sets the clock for delays, timeouts and <c>Retry-After</c> dates. Default: <see langword="null"/>, meaning the
    /// <see cref="System.TimeProvider"/> registered in the container when built through a builder, else <see cref="TimeProvider.System"/>.
    /// </summary>
    public TimeProvider? TimeProvider { get; set; }

    /// <summary>Gets or sets the counters retries are recorded on. Default: <see langword="null"/>, meaning <see cref="EmbeddingPipelineMetrics.Shared"/>.</summary>
    public EmbeddingPipelineMetrics? Metrics { get; set; }

    /// <summary>Gets or sets a source of uniform random numbers in [0, 1) for jitter (tests pin it). Default: <see langword="null"/>, Polly's own.</summary>
    public Func<double>? Randomizer { get; set; }

    /// <summary>Gets or sets a callback run before each retry's delay, with the retry number (1-based), the delay and the failure. Default: <see langword="null"/>.</summary>
    public Action<int, TimeSpan, EmbeddingFailureKind>? OnRetry { get; set; }

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(MaxRetryAttempts, nameof(MaxRetryAttempts));
        ArgumentOutOfRangeException.ThrowIfLessThan(Delay, TimeSpan.Zero, nameof(Delay));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxDelay, Delay, nameof(MaxDelay));
        if (AttemptTimeout != Timeout.InfiniteTimeSpan)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(AttemptTimeout, TimeSpan.Zero, nameof(AttemptTimeout));
        }
    }
}
