using System.Globalization;
using System.IO;
using System.Net;
using System.Net.Sockets;
using Polly.Timeout;

namespace Embeddings.Pipeline;

/// <summary>Classifies embedding failures for retry decisions and reads <c>Retry-After</c>.</summary>
/// <remarks>
/// Providers report HTTP statuses through <see cref="HttpRequestException.StatusCode"/>, and the raw <c>Retry-After</c>
/// header in <see cref="Exception.Data"/> under <see cref="RetryAfterDataKey"/> (Embeddings.Http does both), so this
/// package needs no reference to any provider.
/// </remarks>
public static class EmbeddingFailures
{
    /// <summary>The <see cref="Exception.Data"/> key holding a raw <c>Retry-After</c> header: <c>Retry-After</c>.</summary>
    public const string RetryAfterDataKey = "Retry-After";

    /// <summary>Says which failure <paramref name="exception"/> is, or <see langword="null"/> when it is not a request failure (a bug, bad input, cancellation by the caller).</summary>
    /// <param name="exception">The exception thrown by the inner pipeline.</param>
    /// <param name="callerToken">The caller's token: a cancellation it requested is never a failure.</param>
    /// <returns>The failure kind, or <see langword="null"/>.</returns>
    public static EmbeddingFailureKind? Classify(Exception exception, CancellationToken callerToken = default)
    {
        ArgumentNullException.ThrowIfNull(exception);
        switch (exception)
        {
            case TimeoutRejectedException or TimeoutException:
                return EmbeddingFailureKind.Timeout;
            case OperationCanceledException when callerToken.IsCancellationRequested:
                return null;
            case OperationCanceledException { InnerException: TimeoutException }:
                return EmbeddingFailureKind.Timeout;
            case HttpRequestException http:
                return http.StatusCode switch
                {
                    null => EmbeddingFailureKind.ConnectionFailure,
                    HttpStatusCode.TooManyRequests => EmbeddingFailureKind.RateLimited,
                    HttpStatusCode.RequestTimeout => EmbeddingFailureKind.Timeout,
                    HttpStatusCode status when (int)status >= 500 => EmbeddingFailureKind.ServerError,
                    HttpStatusCode status when (int)status is >= 200 and < 300 => EmbeddingFailureKind.InvalidResponse,
                    _ => EmbeddingFailureKind.ClientError,
                };
            case SocketException or IOException:
                return EmbeddingFailureKind.ConnectionFailure;
            default:
                return null;
        }
    }

    /// <summary>Gets a value indicating whether a failure of this kind may succeed when tried again.</summary>
    /// <param name="kind">The failure kind.</param>
    /// <returns><see langword="true"/> for rate limits, server errors, timeouts and connection failures.</returns>
    public static bool IsTransient(EmbeddingFailureKind kind) =>
        kind is EmbeddingFailureKind.RateLimited or EmbeddingFailureKind.ServerError or EmbeddingFailureKind.Timeout or EmbeddingFailureKind.ConnectionFailure;

    /// <summary>Reads the delay a server asked for with <c>Retry-After</c> (delta seconds or an HTTP-date), or <see langword="null"/>.</summary>
    /// <param name="exception">The failure.</param>
    /// <param name="timeProvider">The clock an HTTP-date is measured against.</param>
    /// <returns>The delay (zero for a date in the past), or <see langword="null"/> when none was sent or it does not parse.</returns>
    public static TimeSpan? GetRetryAfter(Exception exception, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(exception);
        ArgumentNullException.ThrowIfNull(timeProvider);
        if (exception.Data[RetryAfterDataKey] is not string text || text.Length == 0)
        {
            return null;
        }

        text = text.Trim();
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long seconds))
        {
            return TimeSpan.FromSeconds(Math.Min(seconds, (long)TimeSpan.MaxValue.TotalSeconds - 1));
        }

        if (DateTimeOffset.TryParseExact(text, "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset date)
            || DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out date))
        {
            TimeSpan delay = date - timeProvider.GetUtcNow();
            return delay > TimeSpan.Zero ? delay : TimeSpan.Zero;
        }

        return null;
    }
}
