using System.ComponentModel;
using Polly;

namespace Embeddings.PgVector;

/// <summary>
/// How transient server failures are retried (a Polly.Core retry pipeline): connection resets and other I/O
/// failures, serialization failures (40001), deadlocks (40P01), too many connections (53300), server shutdown
/// (57P01..57P03) and connection failures (class 08). Each retry repeats a whole transaction, which is safe
/// because every write is an idempotent upsert or delete. The settings carry the names of Polly v8's
/// <c>RetryStrategyOptions</c>, so a configuration section reads the same for both.
/// </summary>
public sealed class PgVectorRetryOptions
{
    /// <summary>Gets or sets how many times a failed operation is retried; 0 turns retries off. Default: 3.</summary>
    public int MaxRetryAttempts { get; set; } = 3;

    /// <summary>Gets or sets the delay before the first retry; <see cref="BackoffType"/> says how later ones grow. Default: 200 ms.</summary>
    public TimeSpan Delay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Gets or sets how the delay grows from one retry to the next. Default: <see cref="DelayBackoffType.Exponential"/>.</summary>
    public DelayBackoffType BackoffType { get; set; } = DelayBackoffType.Exponential;

    /// <summary>Gets or sets the longest delay between two attempts. Default: 5 s.</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Gets or sets a value indicating whether delays are jittered, so clients that failed together do not retry together. Default: <see langword="true"/>.</summary>
    public bool UseJitter { get; set; } = true;

    /// <summary>Gets or sets the delay before the first retry. Renamed <see cref="Delay"/>, Polly's name; this forwards to it.</summary>
    [Obsolete("Use Delay, the name Polly's RetryStrategyOptions gives it.")]
    [EditorBrowsable(EditorBrowsableState.Never)]
    public TimeSpan BaseDelay
    {
        get => Delay;
        set => Delay = value;
    }
}
