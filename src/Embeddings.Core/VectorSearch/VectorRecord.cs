namespace Embeddings;

/// <summary>A vector stored under a key, with optional metadata for filtering.</summary>
/// <param name="Key">The unique key; not null or empty.</param>
/// <param name="Vector">The vector.</param>
/// <param name="Metadata">
/// Optional metadata. Values are <see cref="string"/>, <see cref="long"/>, <see cref="double"/> or
/// <see cref="bool"/> (other integer and floating types are widened), so every backend can store and filter them.
/// </param>
public sealed record VectorRecord(string Key, ReadOnlyMemory<float> Vector, IReadOnlyDictionary<string, object?>? Metadata = null);
