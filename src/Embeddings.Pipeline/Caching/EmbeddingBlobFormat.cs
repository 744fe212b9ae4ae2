namespace Embeddings.Pipeline;

/// <summary>How a <see cref="SqliteEmbeddingCache"/> stores vectors.</summary>
public enum EmbeddingBlobFormat
{
    /// <summary>Little-endian float32: exact, 4 bytes per dimension.</summary>
    Float32 = 0,

    /// <summary>Little-endian IEEE half precision: 2 bytes per dimension, relative error about 5e-4 (cosine changes by less than 1e-6 for typical vectors).</summary>
    Float16 = 1,
}
