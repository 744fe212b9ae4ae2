namespace Embeddings;

/// <summary>
/// Thrown when vectors from one embedder meet a store (index, cache, collection) built with another:
/// their scores would be meaningless, so the operation is refused.
/// </summary>
public sealed class EmbedderMismatchException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="expected">The fingerprint the store was built with.</param>
    /// <param name="actual">The fingerprint of the vectors that arrived.</param>
    /// <param name="what">What holds <paramref name="expected"/>, for the message.</param>
    public EmbedderMismatchException(EmbedderFingerprint expected, EmbedderFingerprint actual, string what)
        : base($"Embedder mismatch: {what} was built with '{expected}', but the vectors come from '{actual}'. Re-embed with the original model or build a new {what}.")
    {
        Expected = expected;
        Actual = actual;
    }

    /// <summary>Gets the fingerprint the store was built with.</summary>
    public EmbedderFingerprint Expected { get; }

    /// <summary>Gets the fingerprint of the vectors that arrived.</summary>
    public EmbedderFingerprint Actual { get; }
}
