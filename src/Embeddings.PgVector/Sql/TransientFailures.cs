using System.Net.Sockets;
using Npgsql;
using Polly;
using Polly.Retry;

namespace Embeddings.PgVector;

/// <summary>Which failures are worth another attempt, and the Polly.Core pipeline that makes it.</summary>
internal static class TransientFailures
{
    /// <summary>Tells whether <paramref name="exception"/> is a failure another attempt may not meet.</summary>
    /// <param name="exception">The failure.</param>
    /// <returns>Whether to retry.</returns>
    public static bool IsTransient(Exception exception) => exception switch
    {
        PostgresException pg => pg.SqlState is PostgresErrorCodes.SerializationFailure
            or PostgresErrorCodes.DeadlockDetected
            or PostgresErrorCodes.TooManyConnections
            or PostgresErrorCodes.AdminShutdown
            or PostgresErrorCodes.CrashShutdown
            or PostgresErrorCodes.CannotConnectNow
            or PostgresErrorCodes.LockNotAvailable
            || pg.SqlState.StartsWith("08", StringComparison.Ordinal),
        NpgsqlException npgsql => npgsql.IsTransient,
        SocketException or IOException or TimeoutException => true,
        _ => false,
    };

    /// <summary>Builds the retry pipeline.</summary>
    /// <param name="options">The retry settings.</param>
    /// <returns>The pipeline; an empty one when retries are off.</returns>
    public static ResiliencePipeline Build(PgVectorRetryOptions options)
    {
        if (options.MaxRetryAttempts == 0)
        {
            return ResiliencePipeline.Empty;
        }

        return new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = options.MaxRetryAttempts,
                Delay = options.Delay,
                MaxDelay = options.MaxDelay,
                BackoffType = options.BackoffType,
                UseJitter = options.UseJitter,
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is { } ex && IsTransient(ex)),
            })
            .Build();
    }

    /// <summary>Gets the SQL state of the failure or of the first inner failure that has one.</summary>
    /// <param name="exception">The failure.</param>
    /// <returns>The SQL state, or <see langword="null"/>.</returns>
    public static string? SqlStateOf(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            if (e is System.Data.Common.DbException { SqlState: { } state })
            {
                return state;
            }
        }

        return null;
    }
}
