using Embeddings.Testing;
namespace Embeddings.Onnx.Tests;

/// <summary>Token ids and vectors against what transformers.js computed with the same model.</summary>
public sealed class ReferenceTests
{
    [SharedFact("models/bert-tiny-random", "reference/bert-tiny-random.transformersjs.json", "reference/texts.json")]
    public void Token_ids_equal_transformers_js_for_every_reference_text()
    {
        using OnnxEmbedder embedder = OnnxEmbedder.Load(TinyModel.Folder);
        Assert.Equal(TinyModel.Texts, TinyModel.Reference.Select(r => r.Text));
        foreach (ReferenceEntry entry in TinyModel.Reference)
        {
            Assert.True(entry.InputIds.SequenceEqual(embedder.Tokenize(entry.Text)), $"token ids differ for {entry.Text}");
        }
    }

    [SharedFact("models/bert-tiny-random", "reference/bert-tiny-random.transformersjs.json", "reference/texts.json")]
    public async Task Mean_pooled_normalized_vectors_match_transformers_js()
    {
        using OnnxEmbedder embedder = OnnxEmbedder.Load(TinyModel.Folder);
        Assert.Equal(PoolingStrategy.Mean, embedder.Pooling);
        Assert.True(embedder.Descriptor.Normalized);
        var result = await embedder.GenerateAsync(TinyModel.Reference.Select(r => r.Text));
        for (int i = 0; i < result.Count; i++)
        {
            float cosine = ScalarCosine(result[i].Vector.Span, TinyModel.Reference[i].MeanNormalized);
            Assert.True(cosine >= 0.99999f, $"cosine {cosine} for '{TinyModel.Reference[i].Text}'");
        }
    }

    [SharedFact("models/bert-tiny-random", "reference/bert-tiny-random.transformersjs.json", "reference/texts.json")]
    public async Task Cls_vectors_match_transformers_js_per_component()
    {
        using OnnxEmbedder embedder = OnnxEmbedder.Load(TinyModel.Folder, new OnnxEmbedderOptions { Pooling = PoolingStrategy.Cls, Normalize = false });
        var result = await embedder.GenerateAsync(TinyModel.Reference.Select(r => r.Text));
        for (int i = 0; i < result.Count; i++)
        {
            float[] expected = TinyModel.Reference[i].Cls;
            ReadOnlySpan<float> actual = result[i].Vector.Span;
            Assert.Equal(expected.Length, actual.Length);
            for (int d = 0; d < expected.Length; d++)
            {
                Assert.True(Math.Abs(actual[d] - expected[d]) <= 1e-4, $"component {d} of '{TinyModel.Reference[i].Text}': {actual[d]} vs {expected[d]}");
            }
        }
    }

    [SharedFact("models/bert-tiny-random", "reference/bert-tiny-random.transformersjs.json", "reference/texts.json")]
    public void Descriptor_comes_from_the_folder()
    {
        using OnnxEmbedder embedder = OnnxEmbedder.Load(TinyModel.Folder);
        Assert.Equal(128, embedder.Dimensions);
        Assert.Equal(256, embedder.MaxInputTokens);
        Assert.Equal("bert-tiny-random", embedder.Descriptor.ModelId);
        Assert.Equal("mean", embedder.Descriptor.Pooling);
        Assert.Equal("onnx", embedder.Descriptor.ProviderName);
        Assert.Equal(EmbeddingPrompts.None, embedder.Descriptor.Prompts);
    }

    private static float ScalarCosine(ReadOnlySpan<float> a, float[] b)
    {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < b.Length; i++)
        {
            dot += (double)a[i] * b[i];
            na += (double)a[i] * a[i];
            nb += (double)b[i] * b[i];
        }

        return (float)(dot / Math.Sqrt(na * nb));
    }
}
