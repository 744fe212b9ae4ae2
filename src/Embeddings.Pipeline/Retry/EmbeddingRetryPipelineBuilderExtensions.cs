using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Embeddings.Pipeline;

/// <summary>Adds the embedding retry and per-attempt timeout strategies to a Polly pipeline.</summary>
public static class EmbeddingRetryPipelineBuilderExtensions
{
    /// <summary>
    /// Adds a retry strategy (transient failures per <see cref="EmbeddingFailures.IsTransient"/>, exponential backoff with
    /// jitter, <c>Retry-After</c> honoured) and inside it a per-attempt timeout. Set the builder's time provider to
    /// <see cref="EmbeddingRetryOptions.TimeProvider"/> so delays and timeouts use the same clock.
    /// </summary>
    /// <param name="builder">The Polly pipeline builder.</param>
    /// <param name="options">The settings.</param>
    /// <returns><paramref name="builder"/>.</returns>
    public static ResiliencePipelineBuilder AddEmbeddingRetry(this ResiliencePipelineBuilder builder, EmbeddingRetryOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        EmbeddingPipelineMetrics metrics = options.Metrics ?? EmbeddingPipelineMetrics.Shared;
        TimeProvider clock = options.TimeProvider ?? builder.TimeProvider ?? TimeProvider.System;

        if (options.MaxRetryAttempts > 0)
        {
            var retry = new RetryStrategyOptions
            {
                Name = "EmbeddingRetry",
                MaxRetryAttempts = options.MaxRetryAttempts,
                Delay = options.Delay,
                MaxDelay = options.MaxDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = options.UseJitter,
                ShouldHandle = args => ValueTask.FromResult(
                    args.Outcome.Exception is Exception ex
                    && EmbeddingFailures.Classify(ex, args.Context.CancellationToken) is EmbeddingFailureKind kind
                    && EmbeddingFailures.IsTransient(kind)),
                DelayGenerator = args =>
                {
                    if (!options.HonorRetryAfter || args.Outcome.Exception is not Exception ex || EmbeddingFailures.GetRetryAfter(ex, clock) is not TimeSpan asked)
                    {
                        return ValueTask.FromResult<TimeSpan?>(null);
                    }

                    return ValueTask.FromResult<TimeSpan?>(asked > options.MaxDelay ? options.MaxDelay : asked);
                },
                OnRetry = args =>
                {
                    EmbeddingFailureKind kind = args.Outcome.Exception is Exception ex && EmbeddingFailures.Classify(ex) is EmbeddingFailureKind k
                        ? k
                        : EmbeddingFailureKind.ServerError;
                    metrics.Retry(kind);
                    options.OnRetry?.Invoke(args.AttemptNumber + 1, args.RetryDelay, kind);
                    return default;
                },
            };
            if (options.Randomizer is not null)
            {
                retry.Randomizer = options.Randomizer;
            }

            builder.AddRetry(retry);
        }

        if (options.AttemptTimeout != Timeout.InfiniteTimeSpan)
        {
            builder.AddTimeout(new TimeoutStrategyOptions { Name = "EmbeddingAttemptTimeout", Timeout = options.AttemptTimeout });
        }

        return builder;
    }
}
