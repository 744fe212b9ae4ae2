namespace Embeddings.Pipeline;

/// <summary>What went wrong with an embedding request.</summary>
public enum EmbeddingFailureKind
{
    /// <summary>429 Too Many Requests: retried, honouring <c>Retry-After</c>.</summary>
    RateLimited = 0,

    /// <summary>A 5xx status: retried.</summary>
    ServerError = 1,

    /// <summary>The per-attempt timeout elapsed, the client timed out, or the server answered 408: retried.</summary>
    Timeout = 2,

    /// <summary>No response arrived (refused, reset, DNS, TLS, connection closed early): retried.</summary>
    ConnectionFailure = 3,

    /// <summary>A 4xx status other than 408 and 429 (400, 401, 403, 404, 413, 422, ...): never retried.</summary>
    ClientError = 4,

    /// <summary>A success status with a body that is not a valid embedding response (malformed JSON, wrong vector length): never retried.</summary>
    InvalidResponse = 5,
}
