using Embeddings.Static;

namespace Embeddings.Testing.Static;

/// <summary>The shared GloVe model, loaded once per test run.</summary>
public static class GloVe
{
    private static readonly Lazy<StaticEmbeddingModel> LazyModel = new(() => StaticEmbeddingModel.Load(Path));

    public static string Path => SharedData.Path("models", "glove-6B-100d-top100k", "vectors.bin");

    public static StaticEmbeddingModel Model => LazyModel.Value;
}
