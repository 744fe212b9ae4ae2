namespace Embeddings;

/// <summary>
/// The text a model expects in front of queries and documents. Both are empty for symmetric models.
/// </summary>
/// <param name="QueryPrefix">Prepended to inputs of kind <see cref="EmbeddingInputKind.Query"/>; empty for none.</param>
/// <param name="DocumentPrefix">Prepended to inputs of kind <see cref="EmbeddingInputKind.Document"/>; empty for none.</param>
public sealed record EmbeddingPrompts(string QueryPrefix, string DocumentPrefix)
{
    /// <summary>No prefixes: the inputs are embedded as given.</summary>
    public static EmbeddingPrompts None { get; } = new(string.Empty, string.Empty);

    /// <summary>Gets the prefix for <paramref name="kind"/>; empty for <see cref="EmbeddingInputKind.Unspecified"/>.</summary>
    /// <param name="kind">The role of the input.</param>
    /// <returns>The prefix, possibly empty.</returns>
    public string For(EmbeddingInputKind kind) => kind switch
    {
        EmbeddingInputKind.Query => QueryPrefix,
        EmbeddingInputKind.Document => DocumentPrefix,
        EmbeddingInputKind.Unspecified => string.Empty,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown input kind."),
    };

    /// <summary>Applies the prefix for <paramref name="kind"/> to <paramref name="text"/>.</summary>
    /// <param name="text">The input text.</param>
    /// <param name="kind">The role of the input.</param>
    /// <returns>The text with the prefix in front, or the text itself when there is no prefix.</returns>
    public string Apply(string text, EmbeddingInputKind kind)
    {
        ArgumentNullException.ThrowIfNull(text);
        string prefix = For(kind);
        return prefix.Length == 0 ? text : string.Concat(prefix, text);
    }
}
