using Embeddings.Testing;
using Embeddings.Static;
using Embeddings.Testing.Static;

namespace Embeddings.Static.Tests.Static.Loading;

public sealed class StaticEmbeddingModelTests
{
    [SharedTheory("models/glove-6B-100d-top100k")]
    [InlineData(true)]
    [InlineData(false)]
    public void Word2vec_binary_loads_with_or_without_newlines_after_vectors(bool newlines)
    {
        using var files = new TestFiles();
        StaticEmbeddingModel model = StaticEmbeddingModel.Load(files.WriteWord2VecBinary(newlineAfterVectors: newlines));
        AssertTestModel(model);
        Assert.Equal(StaticModelFormat.Word2VecBinary, model.Format);
    }

    [SharedTheory("models/glove-6B-100d-top100k")]
    [InlineData("vectors.txt", true, StaticModelFormat.Auto)]
    [InlineData("vectors.txt", true, StaticModelFormat.Word2VecText)]
    [InlineData("glove.txt", false, StaticModelFormat.Auto)]
    [InlineData("glove.txt", false, StaticModelFormat.GloVeText)]
    [InlineData("wiki.vec", true, StaticModelFormat.FastTextVec)]
    [InlineData("wiki.vec", true, StaticModelFormat.Auto)]
    public void Text_formats_load(string name, bool header, StaticModelFormat format)
    {
        using var files = new TestFiles();
        AssertTestModel(StaticEmbeddingModel.Load(files.WriteText(name, header), format));
    }

    [SharedFact("models/glove-6B-100d-top100k")]
    public void The_shared_GloVe_model_has_100000_words_of_100_dimensions_in_frequency_order()
    {
        StaticEmbeddingModel model = GloVe.Model;
        Assert.Equal(100_000, model.RowCount);
        Assert.Equal(100, model.Dimensions);
        Assert.Equal("the", model.Vocabulary[0]);
        Assert.True(model.TryGetRow("the", out int row));
        Assert.Equal(0, row);
        Assert.False(model.TryGetRow("The", out _));
    }

    [SharedFact("models/glove-6B-100d-top100k")]
    public void A_truncated_binary_file_names_the_path_and_the_offset()
    {
        using var files = new TestFiles();
        string path = files.WriteWord2VecBinary();
        byte[] bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^10]);

        var e = Assert.Throws<InvalidDataException>(() => StaticEmbeddingModel.Load(path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("byte offset", e.Message, StringComparison.Ordinal);
        Assert.Contains("truncated", e.Message, StringComparison.Ordinal);
    }

    [SharedFact("models/glove-6B-100d-top100k")]
    public void A_binary_file_with_a_bad_header_or_a_NaN_is_rejected()
    {
        using var files = new TestFiles();
        string path = files.WriteWord2VecBinary();
        byte[] bytes = File.ReadAllBytes(path);
        bytes[0] = (byte)'x';
        File.WriteAllBytes(path, bytes);
        Assert.Contains("header", Assert.Throws<InvalidDataException>(() => StaticEmbeddingModel.Load(path)).Message, StringComparison.Ordinal);

        path = files.WriteWord2VecBinary();
        bytes = File.ReadAllBytes(path);
        int offset = "4 3\nthe ".Length;
        BitConverter.GetBytes(float.NaN).CopyTo(bytes, offset);
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<InvalidDataException>(() => StaticEmbeddingModel.Load(path));
        Assert.Contains($"byte offset {offset}", e.Message, StringComparison.Ordinal);
    }

    [SharedFact("models/glove-6B-100d-top100k")]
    public void A_text_file_with_fewer_vectors_than_its_header_promises_or_a_bad_value_names_the_line()
    {
        using var files = new TestFiles();
        string path = files.WriteText("short.vec", header: true);
        File.WriteAllLines(path, File.ReadAllLines(path)[..^1]);
        var e = Assert.Throws<InvalidDataException>(() => StaticEmbeddingModel.Load(path));
        Assert.Contains("promises 4 vectors", e.Message, StringComparison.Ordinal);
        Assert.Contains(path, e.Message, StringComparison.Ordinal);

        File.WriteAllText(path, "2 3\nthe 1 2 3\ncat 1 two 3\n");
        e = Assert.Throws<InvalidDataException>(() => StaticEmbeddingModel.Load(path));
        Assert.Contains("line 3", e.Message, StringComparison.Ordinal);
        Assert.Contains("'two'", e.Message, StringComparison.Ordinal);
    }

    [SharedFact("models/glove-6B-100d-top100k")]
    public void A_missing_file_names_its_path()
    {
        string path = Path.Combine(Path.GetTempPath(), $"missing-{Guid.NewGuid():N}.bin");
        var e = Assert.Throws<FileNotFoundException>(() => StaticEmbeddingModel.Load(path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
    }

    private static void AssertTestModel(StaticEmbeddingModel model)
    {
        Assert.Equal(TestFiles.Words, model.Vocabulary);
        Assert.Equal(3, model.Dimensions);
        Assert.Equal(TestFiles.Vectors, model.Vectors.ToArray());
        Assert.True(model.TryGetRow("sat", out int row));
        Assert.Equal(2, row);
        Assert.Equal(StaticModelKind.WordVectors, model.Kind);
    }
}
