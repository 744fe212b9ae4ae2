using System.Globalization;
using System.Net;

namespace Embeddings.Pipeline;

/// <summary>
/// An embedding request failed for good: a failure that is never retried (400, 401, 403, 404, an invalid response),
/// or a transient one that outlasted every retry. Says which, with the HTTP status and the number of attempts made.
/// </summary>
public sealed class EmbeddingRequestException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="failure">What went wrong on the last attempt.</param>
    /// <param name="statusCode">The last HTTP status, or <see langword="null"/> when no response arrived.</param>
    /// <param name="attempts">How many attempts were made (1 when nothing was retried).</param>
    /// <param name="innerException">The last attempt's exception.</param>
    public EmbeddingRequestException(EmbeddingFailureKind failure, HttpStatusCode? statusCode, int attempts, Exception innerException)
        : base(Format(failure, statusCode, attempts, innerException), innerException)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(attempts);
        Failure = failure;
        StatusCode = statusCode;
        Attempts = attempts;
    }

    /// <summary>Gets what went wrong on the last attempt.</summary>
    public EmbeddingFailureKind Failure { get; }

    /// <summary>Gets the last HTTP status, or <see langword="null"/> when no response arrived (timeout, connection failure).</summary>
    public HttpStatusCode? StatusCode { get; }

    /// <summary>Gets how many attempts were made.</summary>
    public int Attempts { get; }

    /// <summary>Gets a value indicating whether the failure was transient (so retries were exhausted) rather than permanent.</summary>
    public bool IsTransient => EmbeddingFailures.IsTransient(Failure);

    private static string Format(EmbeddingFailureKind failure, HttpStatusCode? statusCode, int attempts, Exception inner)
    {
        ArgumentNullException.ThrowIfNull(inner);
        string status = statusCode is HttpStatusCode code ? string.Create(CultureInfo.InvariantCulture, $" (HTTP {(int)code})") : string.Empty;
        string verdict = EmbeddingFailures.IsTransient(failure)
            ? string.Create(CultureInfo.InvariantCulture, $"still failing after {attempts} attempt{(attempts == 1 ? string.Empty : "s")}")
            : "not retried: trying again would fail the same way";
        return $"Embedding request failed: {failure}{status}, {verdict}. {inner.Message}";
    }
}
