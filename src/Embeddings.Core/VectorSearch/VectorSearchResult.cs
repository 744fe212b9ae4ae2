namespace Embeddings;

/// <summary>One search hit.</summary>
/// <param name="Key">The record's key.</param>
/// <param name="Score">The similarity under the index's metric; higher is more similar (see <see cref="DistanceMetric"/>).</param>
/// <param name="Metadata">The record's metadata, or <see langword="null"/>.</param>
public sealed record VectorSearchResult(string Key, float Score, IReadOnlyDictionary<string, object?>? Metadata = null);
