using Embeddings.Testing;
namespace Embeddings.Onnx.Tests.Model;

/// <summary>What the files of a model folder change.</summary>
public sealed class ModelFolderTests
{
    [SharedFact("models/bert-tiny-random", "reference/bert-tiny-random.transformersjs.json", "reference/texts.json")]
    public void Without_vocab_txt_the_vocabulary_comes_from_tokenizer_json()
    {
        using TempFolder copy = TinyModel.CopyToTemp();
        File.Delete(Path.Combine(copy.Path, "vocab.txt"));
        using OnnxEmbedder embedder = OnnxEmbedder.Load(copy.Path);
        foreach (ReferenceEntry entry in TinyModel.Reference)
        {
            Assert.True(entry.InputIds.SequenceEqual(embedder.Tokenize(entry.Text)), $"token ids differ for {entry.Text}");
        }
    }

    [SharedFact("models/bert-tiny-random", "reference/bert-tiny-random.transformersjs.json", "reference/texts.json")]
    public void Without_a_tokenizer_the_error_names_both_files()
    {
        using TempFolder copy = TinyModel.CopyToTemp();
        File.Delete(Path.Combine(copy.Path, "vocab.txt"));
        File.Delete(Path.Combine(copy.Path, "tokenizer.json"));
        var ex = Assert.Throws<FileNotFoundException>(() => OnnxEmbedder.Load(copy.Path));
        Assert.Contains(Path.Combine(copy.Path, "vocab.txt"), ex.Message, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(copy.Path, "tokenizer.json"), ex.Message, StringComparison.Ordinal);
    }

    [SharedFact("models/bert-tiny-random", "reference/bert-tiny-random.transformersjs.json", "reference/texts.json")]
    public void Prompts_come_from_config_sentence_transformers_json()
    {
        using TempFolder copy = TinyModel.CopyToTemp();
        File.WriteAllText(
            Path.Combine(copy.Path, "config_sentence_transformers.json"),
            """{"prompts": {"query": "query: ", "document": "passage: "}, "default_prompt_name": null}""");
        using OnnxEmbedder embedder = OnnxEmbedder.Load(copy.Path);
        Assert.Equal(new EmbeddingPrompts("query: ", "passage: "), embedder.Descriptor.Prompts);
    }

    [SharedFact("models/bert-tiny-random", "reference/bert-tiny-random.transformersjs.json", "reference/texts.json")]
    public async Task Without_a_normalize_module_vectors_keep_their_length()
    {
        using TempFolder copy = TinyModel.CopyToTemp();
        File.WriteAllText(
            Path.Combine(copy.Path, "modules.json"),
            """[{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"}, {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"}]""");
        File.WriteAllText(
            Path.Combine(copy.Path, "1_Pooling", "config.json"),
            """{"word_embedding_dimension": 128, "pooling_mode_cls_token": true, "pooling_mode_mean_tokens": false}""");
        using OnnxEmbedder embedder = OnnxEmbedder.Load(copy.Path);
        Assert.False(embedder.Descriptor.Normalized);
        Assert.Equal(PoolingStrategy.Cls, embedder.Pooling);
        var result = await embedder.GenerateAsync([TinyModel.Reference[0].Text]);
        Assert.Equal(TinyModel.Reference[0].Cls, result[0].Vector.ToArray(), (a, b) => Math.Abs(a - b) <= 1e-4f);
    }

    [SharedFact("models/bert-tiny-random", "reference/bert-tiny-random.transformersjs.json", "reference/texts.json")]
    public void Concatenated_pooling_modes_are_refused_with_the_file_named()
    {
        using TempFolder copy = TinyModel.CopyToTemp();
        string pooling = Path.Combine(copy.Path, "1_Pooling", "config.json");
        File.WriteAllText(pooling, """{"pooling_mode_cls_token": true, "pooling_mode_mean_tokens": true}""");
        var ex = Assert.Throws<InvalidDataException>(() => OnnxEmbedder.Load(copy.Path));
        Assert.Contains(pooling, ex.Message, StringComparison.Ordinal);
        using OnnxEmbedder chosen = OnnxEmbedder.Load(copy.Path, new OnnxEmbedderOptions { Pooling = PoolingStrategy.Mean });
        Assert.Equal(PoolingStrategy.Mean, chosen.Pooling);
    }
}
