using System.Net;

namespace Embeddings.Http;

/// <summary>
/// An embedding endpoint answered with an error status, or with a body that is not a valid embedding response
/// (malformed JSON, missing or duplicate indexes, a vector of the wrong length). <see cref="HttpRequestException.StatusCode"/>
/// says which status arrived; <see cref="HttpRequestException.HttpRequestError"/> is
/// <see cref="HttpRequestError.InvalidResponse"/> for a bad body.
/// </summary>
/// <remarks>
/// The raw <c>Retry-After</c> header, when the server sent one, is also stored in <see cref="Exception.Data"/> under
/// <see cref="RetryAfterDataKey"/>, so retry middleware that does not reference this package can honour it.
/// </remarks>
public sealed class EmbeddingHttpException : HttpRequestException
{
    /// <summary>The <see cref="Exception.Data"/> key of the raw <c>Retry-After</c> header value: <c>Retry-After</c>.</summary>
    public const string RetryAfterDataKey = "Retry-After";

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="endpoint">The address called.</param>
    /// <param name="statusCode">The response status.</param>
    /// <param name="error">The kind of failure.</param>
    /// <param name="responseBody">The start of the response body, for diagnosis, or <see langword="null"/>.</param>
    /// <param name="retryAfter">The raw <c>Retry-After</c> header, or <see langword="null"/>.</param>
    /// <param name="innerException">The cause, or <see langword="null"/>.</param>
    public EmbeddingHttpException(
        string message,
        Uri endpoint,
        HttpStatusCode statusCode,
        HttpRequestError error = HttpRequestError.Unknown,
        string? responseBody = null,
        string? retryAfter = null,
        Exception? innerException = null)
        : base(error, message, innerException, statusCode)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        Endpoint = endpoint;
        ResponseBody = responseBody;
        RetryAfter = retryAfter;
        if (retryAfter is not null)
        {
            Data[RetryAfterDataKey] = retryAfter;
        }
    }

    /// <summary>Gets the address that was called.</summary>
    public Uri Endpoint { get; }

    /// <summary>Gets the start of the response body (at most 1,000 characters), or <see langword="null"/>.</summary>
    public string? ResponseBody { get; }

    /// <summary>Gets the raw <c>Retry-After</c> header (delta seconds or an HTTP-date), or <see langword="null"/>.</summary>
    public string? RetryAfter { get; }
}
