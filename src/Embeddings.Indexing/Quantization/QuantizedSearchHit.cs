namespace Embeddings;

/// <summary>One result of a scan over stored codes: the position of the vector in the code buffer and its score (higher is more similar).</summary>
/// <param name="Index">The vector's position: its code starts at <c>Index * BytesPerVector</c>.</param>
/// <param name="Score">The score under the scorer's metric.</param>
public readonly record struct QuantizedSearchHit(int Index, float Score);
