using Embeddings.Testing;
namespace Embeddings.Onnx.Tests.Catalog;

public sealed class OnnxModelCatalogTests
{
    [SharedTheory("models/bert-tiny-random", "reference/bert-tiny-random.transformersjs.json", "reference/texts.json")]
    [InlineData("BAAI/bge-small-en-v1.5", 384, PoolingStrategy.Cls)]
    [InlineData("baai/BGE-LARGE-EN-V1.5", 1024, PoolingStrategy.Cls)]
    [InlineData("all-MiniLM-L6-v2", 384, PoolingStrategy.Mean)]
    [InlineData("intfloat/e5-base-v2", 768, PoolingStrategy.Mean)]
    [InlineData("nomic-embed-text-v1.5", 768, PoolingStrategy.Mean)]
    [InlineData("mixedbread-ai/mxbai-embed-large-v1", 1024, PoolingStrategy.Cls)]
    public void Finds_models_by_id_or_name(string model, int dimensions, PoolingStrategy pooling)
    {
        OnnxModelInfo? info = OnnxModelCatalog.Find(model);
        Assert.NotNull(info);
        Assert.Equal(dimensions, info.Dimensions);
        Assert.Equal(pooling, info.Pooling);
    }

    [SharedFact("models/bert-tiny-random", "reference/bert-tiny-random.transformersjs.json", "reference/texts.json")]
    public void Unknown_models_are_not_found()
    {
        Assert.Null(OnnxModelCatalog.Find("someone/unknown-model"));
        Assert.Null(OnnxModelCatalog.Find("other-org/bge-small-en-v1.5"));
        Assert.Null(OnnxModelCatalog.Find(null));
    }

    [SharedFact("models/bert-tiny-random", "reference/bert-tiny-random.transformersjs.json", "reference/texts.json")]
    public void Prefixes_and_matryoshka_sizes_follow_the_model_cards()
    {
        Assert.Equal(new EmbeddingPrompts("query: ", "passage: "), OnnxModelCatalog.Find("intfloat/multilingual-e5-large")!.Prompts);
        Assert.Equal(new EmbeddingPrompts("search_query: ", "search_document: "), OnnxModelCatalog.Find("nomic-ai/nomic-embed-text-v1.5")!.Prompts);
        Assert.Equal("Represent this sentence for searching relevant passages: ", OnnxModelCatalog.Find("BAAI/bge-base-en-v1.5")!.Prompts.QueryPrefix);
        Assert.Equal([64, 128, 256, 512, 768], OnnxModelCatalog.Find("nomic-ai/nomic-embed-text-v1.5")!.MatryoshkaDimensions);
        Assert.Empty(OnnxModelCatalog.Find("thenlper/gte-base")!.MatryoshkaDimensions);
    }

    [SharedFact("models/bert-tiny-random", "reference/bert-tiny-random.transformersjs.json", "reference/texts.json")]
    public void Every_entry_is_consistent()
    {
        Assert.Equal(OnnxModelCatalog.All.Count, OnnxModelCatalog.All.Select(m => m.ModelId).Distinct(StringComparer.OrdinalIgnoreCase).Count());
        foreach (OnnxModelInfo info in OnnxModelCatalog.All)
        {
            Assert.True(HuggingFaceDownloader.IsRepositoryId(info.ModelId), info.ModelId);
            Assert.InRange(info.MaxTokens, 128, 8192);
            if (info.MatryoshkaDimensions.Count > 0)
            {
                Assert.Equal(info.Dimensions, info.MatryoshkaDimensions[^1]);
                Assert.Equal(info.MatryoshkaDimensions.Order(), info.MatryoshkaDimensions);
            }
        }
    }

    [SharedFact("models/bert-tiny-random", "reference/bert-tiny-random.transformersjs.json", "reference/texts.json")]
    public void A_catalog_id_over_a_local_folder_supplies_prompts_and_checks_dimensions()
    {
        var ex = Assert.Throws<InvalidDataException>(() => OnnxEmbedder.Load(TinyModel.Folder, new OnnxEmbedderOptions { ModelId = "BAAI/bge-small-en-v1.5" }));
        Assert.Contains("384", ex.Message, StringComparison.Ordinal);
        Assert.Contains("128", ex.Message, StringComparison.Ordinal);
    }
}
