using Embeddings.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Embeddings.Onnx.Tests.DependencyInjection;

public sealed class OnnxEmbeddingsBuilderExtensionsTests
{
    [SharedFact("models/bert-tiny-random", "reference/bert-tiny-random.transformersjs.json", "reference/texts.json")]
    public async Task UseOnnxModel_registers_an_embedder_for_a_model_folder()
    {
        var services = new ServiceCollection();
        services.AddEmbeddings(e => e.UseOnnxModel(TinyModel.Folder, o => o.BatchSize = 4));
        await using ServiceProvider provider = services.BuildServiceProvider();

        var embedder = provider.GetRequiredService<IEmbedder>();
        var generator = provider.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();
        Assert.Equal(128, embedder.Dimensions);
        Assert.Equal("bert-tiny-random", embedder.Fingerprint.ModelId);
        var result = await generator.GenerateAsync(["The cat sat on the mat."]);
        float cosine = VectorMath.Cosine(result[0].Vector.Span, TinyModel.Reference[0].MeanNormalized);
        Assert.True(cosine >= 0.99999f, $"cosine {cosine}");
    }

    [SharedFact("models/bert-tiny-random", "reference/bert-tiny-random.transformersjs.json", "reference/texts.json")]
    public void UseOnnxModel_checks_its_options_when_called()
    {
        var services = new ServiceCollection();
        Assert.Throws<ArgumentOutOfRangeException>(() => services.AddEmbeddings(e => e.UseOnnxModel(TinyModel.Folder, o => o.BatchSize = -1)));
    }

    [SharedFact("models/bert-tiny-random", "reference/bert-tiny-random.transformersjs.json", "reference/texts.json")]
    public async Task Prompts_from_options_are_applied_to_queries()
    {
        using OnnxEmbedder plain = OnnxEmbedder.Load(TinyModel.Folder);
        using OnnxEmbedder prompted = OnnxEmbedder.Load(TinyModel.Folder, new OnnxEmbedderOptions { Prompts = new EmbeddingPrompts("query: ", "passage: ") });
        var viaPrompt = await prompted.GenerateAsync(["cats"], new EmbeddingGenerationOptions().WithInputKind(EmbeddingInputKind.Query));
        var manual = await plain.GenerateAsync(["query: cats"]);
        Assert.Equal(manual[0].Vector.ToArray(), viaPrompt[0].Vector.ToArray());
    }
}
