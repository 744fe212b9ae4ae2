using Embeddings.Static;
using Embeddings.Testing;

namespace Embeddings.Retrieval.Tests;

/// <summary>The shared GloVe model, loaded once for the retrieval tests (loading it takes about a second).</summary>
internal static class SharedGlove
{
    private static readonly Lazy<StaticEmbedder> Lazy = new(() => StaticEmbedder.Load(SharedData.Path("models", "glove-6B-100d-top100k", "vectors.bin")));

    /// <summary>Gets the embedder with plain mean pooling.</summary>
    public static StaticEmbedder Mean => Lazy.Value;

    /// <summary>Gets the embedder with SIF weighting (same model, not reloaded).</summary>
    public static StaticEmbedder Sif => Lazy.Value.With(o => o.Weighting = WordWeighting.Sif);
}
