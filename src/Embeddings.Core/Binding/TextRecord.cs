namespace Embeddings;

/// <summary>A text to embed and store in an <see cref="EmbeddingIndex"/> under a key.</summary>
/// <param name="Key">The record's key; not null or empty. Adding a key that exists replaces its record.</param>
/// <param name="Text">The text to embed as a document; not null (the empty string is allowed).</param>
/// <param name="Metadata">Metadata stored beside the vector and matched by <see cref="MetadataFilter"/>; optional.</param>
public sealed record TextRecord(string Key, string Text, IReadOnlyDictionary<string, object?>? Metadata = null);
