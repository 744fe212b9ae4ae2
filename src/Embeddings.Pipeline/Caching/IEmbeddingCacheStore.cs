namespace Embeddings.Pipeline;

/// <summary>Where <see cref="SingleFlightCachingEmbeddingGenerator"/> keeps vectors. Implementations are thread-safe.</summary>
public interface IEmbeddingCacheStore
{
    /// <summary>Gets a short name for counters and logs (<c>memory</c>, <c>sqlite</c>).</summary>
    string Name { get; }

    /// <summary>Looks up vectors. Vectors returned must not be modified by the caller.</summary>
    /// <param name="keys">The keys.</param>
    /// <param name="results">Receives the vector of each key found, <see langword="null"/> elsewhere; as long as <paramref name="keys"/>.</param>
    void GetMany(IReadOnlyList<EmbeddingCacheKey> keys, float[]?[] results);

    /// <summary>Stores vectors, replacing any under the same keys, and evicts to stay within the store's bound.</summary>
    /// <param name="keys">The keys.</param>
    /// <param name="vectors">The vectors, one per key; the store may keep the arrays, which callers then must not modify.</param>
    void SetMany(IReadOnlyList<EmbeddingCacheKey> keys, IReadOnlyList<float[]> vectors);
}
