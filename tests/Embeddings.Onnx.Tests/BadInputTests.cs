using Embeddings.Testing;
using Microsoft.ML.OnnxRuntime;

namespace Embeddings.Onnx.Tests;

/// <summary>Bad model folders and bad inputs fail with messages that say what and where.</summary>
public sealed class BadInputTests
{
    [SharedFact("models/bert-tiny-random", "reference/bert-tiny-random.transformersjs.json", "reference/texts.json")]
    public void A_missing_model_file_names_the_path()
    {
        using TempFolder copy = TinyModel.CopyToTemp();
        File.Delete(Path.Combine(copy.Path, "onnx", "model.onnx"));
        var ex = Assert.Throws<FileNotFoundException>(() => OnnxEmbedder.Load(copy.Path));
        Assert.Contains(Path.Combine(copy.Path, "onnx", "model.onnx"), ex.Message, StringComparison.Ordinal);
    }

    [SharedFact("models/bert-tiny-random", "reference/bert-tiny-random.transformersjs.json", "reference/texts.json")]
    public void A_missing_folder_names_the_path()
    {
        string missing = Path.Combine(Path.GetTempPath(), "no-such-model-" + Guid.NewGuid().ToString("N"), "inner");
        var ex = Assert.Throws<DirectoryNotFoundException>(() => OnnxEmbedder.Load(missing));
        Assert.Contains(missing, ex.Message, StringComparison.Ordinal);
    }

    [SharedFact("models/bert-tiny-random", "reference/bert-tiny-random.transformersjs.json", "reference/texts.json")]
    public void A_corrupt_model_file_names_the_path()
    {
        using TempFolder copy = TinyModel.CopyToTemp();
        string model = Path.Combine(copy.Path, "onnx", "model.onnx");
        byte[] bytes = File.ReadAllBytes(model);
        File.WriteAllBytes(model, bytes.AsSpan(0, bytes.Length / 3).ToArray());
        var ex = Assert.Throws<InvalidDataException>(() => OnnxEmbedder.Load(copy.Path));
        Assert.Contains(model, ex.Message, StringComparison.Ordinal);
        Assert.IsType<OnnxRuntimeException>(ex.InnerException);
    }

    [SharedFact("models/bert-tiny-random", "reference/bert-tiny-random.transformersjs.json", "reference/texts.json")]
    public void A_corrupt_config_file_names_the_path()
    {
        using TempFolder copy = TinyModel.CopyToTemp();
        string pooling = Path.Combine(copy.Path, "1_Pooling", "config.json");
        File.WriteAllText(pooling, "{ not json");
        var ex = Assert.Throws<InvalidDataException>(() => OnnxEmbedder.Load(copy.Path));
        Assert.Contains(pooling, ex.Message, StringComparison.Ordinal);
    }

    [SharedFact("models/bert-tiny-random", "reference/bert-tiny-random.transformersjs.json", "reference/texts.json")]
    public void A_vocabulary_larger_than_the_embedding_table_is_caught_at_load()
    {
        using TempFolder copy = TinyModel.CopyToTemp();
        string vocab = Path.Combine(copy.Path, "vocab.txt");
        File.AppendAllLines(vocab, Enumerable.Range(0, 100).Select(i => $"[extra{i}]"));
        var ex = Assert.Throws<InvalidDataException>(() => OnnxEmbedder.Load(copy.Path));
        Assert.Contains("30622 tokens", ex.Message, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(copy.Path, "onnx", "model.onnx"), ex.Message, StringComparison.Ordinal);
    }

    [SharedFact("models/bert-tiny-random", "reference/bert-tiny-random.transformersjs.json", "reference/texts.json")]
    public async Task The_empty_string_embeds_as_cls_sep()
    {
        using OnnxEmbedder embedder = OnnxEmbedder.Load(TinyModel.Folder);
        Assert.Equal([101, 102], embedder.Tokenize(string.Empty));
        var result = await embedder.GenerateAsync([string.Empty, "word"]);
        Assert.Equal(128, result[0].Vector.Length);
        Assert.InRange(VectorMath.Norm(result[0].Vector.Span), 0.9999f, 1.0001f);
    }

    [SharedFact("models/bert-tiny-random", "reference/bert-tiny-random.transformersjs.json", "reference/texts.json")]
    public async Task A_null_in_a_batch_names_its_index()
    {
        using OnnxEmbedder embedder = OnnxEmbedder.Load(TinyModel.Folder);
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => embedder.GenerateAsync(["a", "b", null!]));
        Assert.Contains("Input 2 is null", ex.Message, StringComparison.Ordinal);
    }

    [SharedFact("models/bert-tiny-random", "reference/bert-tiny-random.transformersjs.json", "reference/texts.json")]
    public void Options_out_of_range_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => OnnxEmbedder.Load(TinyModel.Folder, new OnnxEmbedderOptions { BatchSize = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => OnnxEmbedder.Load(TinyModel.Folder, new OnnxEmbedderOptions { MaxTokens = 1 }));
    }

    [SharedFact("models/bert-tiny-random", "reference/bert-tiny-random.transformersjs.json", "reference/texts.json")]
    public void An_unavailable_execution_provider_is_named()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => OnnxEmbedder.Load(TinyModel.Folder, new OnnxEmbedderOptions { ExecutionProviders = ["CUDA"] }));
        Assert.Contains("CUDA", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Microsoft.ML.OnnxRuntime.Gpu", ex.Message, StringComparison.Ordinal);
    }
}
