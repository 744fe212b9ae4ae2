using System.Text.Json;
using Embeddings.Static;
using Embeddings.Testing.Static;

namespace Embeddings.Static.Tests.Static.Model2Vec;

/// <summary>
/// The Model2Vec folder format against folders written by the format's own rules (Fixtures/make_fixtures.py, plain
/// Python with no code of ours), and the writer's round trip.
/// </summary>
public sealed class Model2VecWriterTests
{
    private static readonly string[] Vocabulary = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "hello", "world", "##s", "!", "cafe"];

    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Static", "Model2Vec", "Fixtures", name);

    // The values make_fixtures.py writes.
    private static float[] FixtureRow(int i) => [i + 1f, -(i + 1f) / 4, i * i / 8f];

    [Fact]
    public void A_folder_written_by_the_format_rules_loads_with_its_rows_weights_and_tokenizer()
    {
        StaticEmbeddingModel model = StaticEmbeddingModel.Load(Fixture("model2vec-f32-weights"));
        Assert.Equal(StaticModelKind.Subword, model.Kind);
        Assert.Equal(10, model.RowCount);
        Assert.Equal(3, model.Dimensions);
        for (int i = 0; i < 10; i++)
        {
            Assert.Equal(FixtureRow(i), model.GetVector(i).ToArray());
            Assert.Equal(1f / (i + 1), model.TokenWeights![i]);
        }

        using var embedder = new StaticEmbedder(model, new StaticEmbedderOptions { Normalize = false });

        // Lower-cased and accent-stripped by the BertNormalizer settings: "Café" is "cafe" (row 9).
        Assert.Equal(["hello", "world", "##s", "cafe", "!"], embedder.Tokenize("Hello worlds Café!"));
        float[] vector = new float[3];
        Assert.Equal(2, embedder.Embed("hello Café", vector));
        for (int d = 0; d < 3; d++)
        {
            float expected = ((FixtureRow(5)[d] / 6f) + (FixtureRow(9)[d] / 10f)) / 2;
            Assert.Equal(expected, vector[d], 5);
        }
    }

    [Fact]
    public void An_int8_folder_as_model2vec_quantizes_loads_the_integer_rows()
    {
        StaticEmbeddingModel model = StaticEmbeddingModel.Load(Fixture("model2vec-i8"));
        Assert.Null(model.TokenWeights);
        for (int i = 0; i < 10; i++)
        {
            Assert.Equal([i, -i, 127 - (10 * i)], model.GetVector(i).ToArray());
        }
    }

    [Fact]
    public void The_writer_writes_the_same_safetensors_bytes_as_the_format_rules()
    {
        using var files = new TestFiles();
        string folder = files.Path("ours");
        float[] rows = Enumerable.Range(0, 10).SelectMany(FixtureRow).ToArray();
        float[] weights = Enumerable.Range(0, 10).Select(i => 1f / (i + 1)).ToArray();
        Model2VecWriter.Write(folder, Vocabulary, rows, 3, weights);

        Assert.Equal(
            File.ReadAllBytes(Path.Combine(Fixture("model2vec-f32-weights"), "model.safetensors")),
            File.ReadAllBytes(Path.Combine(folder, "model.safetensors")));

        // The tokenizer carries the same vocabulary and normalizer as the Hugging Face file.
        using JsonDocument ours = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "tokenizer.json")));
        using JsonDocument theirs = JsonDocument.Parse(File.ReadAllText(Path.Combine(Fixture("model2vec-f32-weights"), "tokenizer.json")));
        Assert.Equal(theirs.RootElement.GetProperty("model").GetRawText(), ours.RootElement.GetProperty("model").GetRawText());
        Assert.Equal(theirs.RootElement.GetProperty("normalizer").GetRawText(), ours.RootElement.GetProperty("normalizer").GetRawText());

        using JsonDocument config = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "config.json")));
        Assert.Equal("model2vec", config.RootElement.GetProperty("model_type").GetString());
        Assert.Equal(3, config.RootElement.GetProperty("hidden_dim").GetInt32());
        Assert.True(File.Exists(Path.Combine(folder, "modules.json")));
    }

    [Theory]
    [InlineData(Model2VecStorage.Float32, "F32", 0.0)]
    [InlineData(Model2VecStorage.Float16, "F16", 1e-3)]
    [InlineData(Model2VecStorage.Int8, "I8", 4e-3)]
    public void Each_storage_type_round_trips_the_weighted_rows(Model2VecStorage storage, string dtype, double tolerance)
    {
        using var files = new TestFiles();
        var random = new Random(7);
        float[] rows = Enumerable.Range(0, Vocabulary.Length * 8).Select(_ => (float)((random.NextDouble() * 2) - 1) * 3).ToArray();
        float[] weights = Enumerable.Range(0, Vocabulary.Length).Select(i => 0.5f + i).ToArray();
        string folder = files.Path("m");
        Model2VecWriter.Write(folder, Vocabulary, rows, 8, weights, new Model2VecWriterOptions { Storage = storage });

        Assert.Equal(dtype, SafetensorsFile.Open(Path.Combine(folder, "model.safetensors")).Tensors["embeddings"].DType);
        StaticEmbeddingModel model = StaticEmbeddingModel.Load(folder);
        for (int r = 0; r < Vocabulary.Length; r++)
        {
            // What pooling sees: the stored row times the stored weight.
            float largest = 0;
            for (int d = 0; d < 8; d++)
            {
                largest = Math.Max(largest, Math.Abs(rows[(r * 8) + d] * weights[r]));
            }

            for (int d = 0; d < 8; d++)
            {
                double expected = rows[(r * 8) + d] * weights[r];
                double actual = model.GetVector(r)[d] * model.TokenWeights![r];
                Assert.True(Math.Abs(expected - actual) <= (tolerance * largest) + 1e-6, $"{storage} row {r} value {d}: {actual} vs {expected}");
            }
        }
    }

    [Fact]
    public void Writing_over_a_folder_replaces_it_and_leaves_no_temporary_folder()
    {
        using var files = new TestFiles();
        string folder = files.Path("m");
        float[] rows = new float[Vocabulary.Length * 2];
        rows[10] = 1;
        Model2VecWriter.Write(folder, Vocabulary, rows, 2);
        File.WriteAllText(Path.Combine(folder, "stale.txt"), "x");
        rows[10] = 5;
        Model2VecWriter.Write(folder, Vocabulary, rows, 2);

        Assert.False(File.Exists(Path.Combine(folder, "stale.txt")));
        Assert.Equal(5f, StaticEmbeddingModel.Load(folder).GetVector(5)[0]);
        Assert.Equal(["m"], Directory.GetFileSystemEntries(files.Directory).Select(Path.GetFileName));
    }

    [Fact]
    public void Bad_input_is_named()
    {
        using var files = new TestFiles();
        string folder = files.Path("m");
        float[] rows = new float[Vocabulary.Length * 2];

        Assert.Contains("need 20 values; got 19", Assert.Throws<ArgumentException>(() => Model2VecWriter.Write(folder, Vocabulary, rows.AsSpan(1), 2)).Message, StringComparison.Ordinal);
        rows[7] = float.NaN;
        Assert.Contains("row 3 ('[SEP]')", Assert.Throws<ArgumentException>(() => Model2VecWriter.Write(folder, Vocabulary, rows, 2)).Message, StringComparison.Ordinal);
        rows[7] = 0;
        Assert.Contains("'hello' occurs twice", Assert.Throws<ArgumentException>(() => Model2VecWriter.Write(folder, [.. Vocabulary[..^1], "hello"], rows, 2)).Message, StringComparison.Ordinal);
        Assert.Contains("lacks the unknown token '[UNK]'", Assert.Throws<ArgumentException>(() => Model2VecWriter.Write(folder, [.. Vocabulary.Select(t => t == "[UNK]" ? "[UNKNOWN]" : t)], rows, 2)).Message, StringComparison.Ordinal);
        Assert.Contains("3 weights for 10 tokens", Assert.Throws<ArgumentException>(() => Model2VecWriter.Write(folder, Vocabulary, rows, 2, [1f, 2f, 3f])).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentNullException>(() => Model2VecWriter.Write(folder, null!, rows, 2));
        Assert.False(Directory.Exists(folder));
    }

    [Fact]
    public void Config_entries_are_written_as_json_scalars_and_anything_else_is_refused_before_a_file_is_written()
    {
        string root = Path.Combine(Path.GetTempPath(), "m2v-config-" + Guid.NewGuid().ToString("N"));
        try
        {
            float[] table = Enumerable.Range(0, Vocabulary.Length * 3).Select(i => (float)i).ToArray();
            var options = new Model2VecWriterOptions();
            options.Config["teacher"] = "m";
            options.Config["dims"] = 3;
            options.Config["ratio"] = 0.25;
            options.Config["unit"] = true;
            options.Config["pca"] = null;
            string folder = Path.Combine(root, "ok");
            Model2VecWriter.Write(folder, Vocabulary, table, 3, options: options);
            using JsonDocument config = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "config.json")));
            Assert.Equal("m", config.RootElement.GetProperty("teacher").GetString());
            Assert.Equal(3, config.RootElement.GetProperty("dims").GetInt32());
            Assert.Equal(0.25, config.RootElement.GetProperty("ratio").GetDouble());
            Assert.True(config.RootElement.GetProperty("unit").GetBoolean());
            Assert.Equal(JsonValueKind.Null, config.RootElement.GetProperty("pca").ValueKind);

            options.Config["bad"] = new[] { 1, 2 };
            string refused = Path.Combine(root, "refused");
            ArgumentException error = Assert.Throws<ArgumentException>(() => Model2VecWriter.Write(refused, Vocabulary, table, 3, options: options));
            Assert.Contains("'bad'", error.Message, StringComparison.Ordinal);
            Assert.Single(Directory.GetFileSystemEntries(root));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
