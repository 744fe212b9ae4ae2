namespace Embeddings.PgVector;

/// <summary>A checked record in the form it travels in: the key, the vector value and the metadata's JSON.</summary>
/// <param name="Key">The key.</param>
/// <param name="Vector">The value from <see cref="VectorValues.ToValue"/>.</param>
/// <param name="Metadata">The jsonb text, or <see langword="null"/>.</param>
internal readonly record struct PreparedRecord(string Key, object Vector, string? Metadata);
