namespace Embeddings.Onnx.Tests.Model;

/// <summary>
/// A model folder's configuration files, read without the graph: a folder where a file should be, or a field of the
/// wrong type, is an <see cref="InvalidDataException"/> naming the file and the field, never "missing" or a raw parser exception.
/// </summary>
public sealed class ModelFolderConfigTests : IDisposable
{
    private const string Modules = """
        [{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
         {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
         {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"}]
        """;

    private readonly string _folder = Directory.CreateTempSubdirectory("model-folder-").FullName;

    public ModelFolderConfigTests()
    {
        // ModelFolder.Read only locates the graph; it is opened later by ONNX Runtime.
        File.WriteAllBytes(Path.Combine(_folder, "model.onnx"), []);
        File.WriteAllText(Path.Combine(_folder, "vocab.txt"), "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nhello\n");
        File.WriteAllText(Path.Combine(_folder, "modules.json"), Modules);
        Directory.CreateDirectory(Path.Combine(_folder, "1_Pooling"));
        File.WriteAllText(Path.Combine(_folder, "1_Pooling", "config.json"), """{"pooling_mode_mean_tokens": true}""");
        File.WriteAllText(Path.Combine(_folder, "tokenizer_config.json"), """{"do_lower_case": true, "strip_accents": null, "model_max_length": 512}""");
        File.WriteAllText(Path.Combine(_folder, "config.json"), """{"hidden_size": 8, "max_position_embeddings": 64}""");
        File.WriteAllText(Path.Combine(_folder, "sentence_bert_config.json"), """{"max_seq_length": 32, "do_lower_case": false}""");
        File.WriteAllText(Path.Combine(_folder, "config_sentence_transformers.json"), """{"prompts": {"query": "q: "}}""");
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void The_intact_folder_reads_every_file()
    {
        ModelFolder folder = ModelFolder.Read(_folder);

        Assert.True(folder.Normalized);
        Assert.Equal(PoolingStrategy.Mean, folder.Pooling);
        Assert.True(folder.LowerCase);
        Assert.Null(folder.StripAccents);
        Assert.Equal(512, folder.ModelMaxLength);
        Assert.Equal(8, folder.HiddenSize);
        Assert.Equal(32, folder.MaxSequenceLength);
        Assert.Equal("q: ", folder.QueryPrompt);
    }

    [Theory]
    [InlineData("modules.json")]
    [InlineData("config_sentence_transformers.json")]
    [InlineData("1_Pooling/config.json")]
    [InlineData("tokenizer_config.json")]
    [InlineData("config.json")]
    [InlineData("sentence_bert_config.json")]
    [InlineData("vocab.txt")]
    [InlineData("model.onnx")]
    public void A_folder_where_a_configuration_file_should_be_is_an_error_naming_it(string name)
    {
        string path = Path.Combine(_folder, name);
        File.Delete(path);
        Directory.CreateDirectory(path);
        File.WriteAllText(Path.Combine(_folder, "tokenizer.json"), "{}");

        var ex = Assert.Throws<InvalidDataException>(() => ModelFolder.Read(_folder));

        Assert.Contains(Path.GetFullPath(path), ex.Message, StringComparison.Ordinal);
        Assert.Contains("is a folder", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("modules.json", "[1, 2]", "modules.json", "[0]")]
    [InlineData("modules.json", """[{"type": 5}]""", "modules.json", "\"[0].type\"")]
    [InlineData("modules.json", """[{"type": "sentence_transformers.models.Pooling", "path": 7}]""", "modules.json", "\"[0].path\"")]
    [InlineData("modules.json", """{"type": "x"}""", "modules.json", "JSON array")]
    [InlineData("modules.json", "[{", "modules.json", "not valid JSON")]
    [InlineData("modules.json", """[{"type": "sentence_transformers.models.Pooling", "path": "../elsewhere"}]""", "modules.json", "out of the model folder")]
    [InlineData("tokenizer_config.json", """{"do_lower_case": "yes"}""", "tokenizer_config.json", "\"do_lower_case\"")]
    [InlineData("tokenizer_config.json", """{"model_max_length": "512"}""", "tokenizer_config.json", "\"model_max_length\"")]
    [InlineData("tokenizer_config.json", """{"do_lower_case": true, "do_lower_case": false}""", "tokenizer_config.json", "not valid JSON")]
    [InlineData("config.json", """{"hidden_size": [8]}""", "config.json", "\"hidden_size\"")]
    [InlineData("sentence_bert_config.json", """{"max_seq_length": "long"}""", "sentence_bert_config.json", "\"max_seq_length\"")]
    [InlineData("1_Pooling/config.json", """{"pooling_mode_cls_token": 1}""", "1_Pooling", "\"pooling_mode_cls_token\"")]
    [InlineData("config_sentence_transformers.json", """{"prompts": ["query: "]}""", "config_sentence_transformers.json", "\"prompts\"")]
    [InlineData("config_sentence_transformers.json", """{"prompts": {"query": 3}}""", "config_sentence_transformers.json", "\"prompts.query\"")]
    public void A_field_of_the_wrong_type_names_the_file_and_the_field(string name, string content, string file, string field)
    {
        File.WriteAllText(Path.Combine(_folder, name), content);

        var ex = Assert.Throws<InvalidDataException>(() => ModelFolder.Read(_folder));

        Assert.Contains(file, ex.Message, StringComparison.Ordinal);
        Assert.Contains(_folder, ex.Message, StringComparison.Ordinal);
        Assert.Contains(field, ex.Message, StringComparison.Ordinal);
    }
}
