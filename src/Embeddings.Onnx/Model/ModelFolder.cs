using System.Text.Json;
using System.Text.Json.Nodes;

namespace Embeddings.Onnx;

/// <summary>
/// What a sentence-transformers / Hugging Face model folder says about itself: where the ONNX graph and the
/// tokenizer are, the pooling, normalization, sequence length and prompts. Every field is optional except the
/// graph and a tokenizer vocabulary.
/// </summary>
internal sealed class ModelFolder
{
    private ModelFolder(string path) => Path = path;

    public string Path { get; }

    public string ModelFile { get; private set; } = string.Empty;

    public string? VocabFile { get; private set; }

    public string? TokenizerJsonFile { get; private set; }

    public PoolingStrategy? Pooling { get; private set; }

    /// <summary>Gets why the pooling configuration cannot be used, or <see langword="null"/>; an explicit pooling option overrides it.</summary>
    public string? PoolingError { get; private set; }

    public bool? Normalized { get; private set; }

    public int? MaxSequenceLength { get; private set; }

    public int? ModelMaxLength { get; private set; }

    public int? MaxPositionEmbeddings { get; private set; }

    public int? HiddenSize { get; private set; }

    public bool? LowerCase { get; private set; }

    public bool? StripAccents { get; private set; }

    public bool? TokenizeChineseChars { get; private set; }

    public string? QueryPrompt { get; private set; }

    public string? DocumentPrompt { get; private set; }

    public string UnknownToken { get; private set; } = "[UNK]";

    public string ClassificationToken { get; private set; } = "[CLS]";

    public string SeparatorToken { get; private set; } = "[SEP]";

    public string PaddingToken { get; private set; } = "[PAD]";

    public string MaskingToken { get; private set; } = "[MASK]";

    /// <summary>
    /// Describes a model that comes as a graph and a vocabulary without a folder (a packaged model): every
    /// configuration value is left to the catalog, and <paramref name="description"/> names it in messages.
    /// </summary>
    /// <param name="description">Where the model comes from, for example <c>/app/models/X.dll!X.Resources.model.onnx</c>.</param>
    /// <param name="vocabularyDescription">Where the vocabulary comes from, for messages.</param>
    public static ModelFolder ForResources(string description, string vocabularyDescription) =>
        new(description) { ModelFile = description, VocabFile = vocabularyDescription };

    /// <summary>Reads the folder's configuration files.</summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="FileNotFoundException">Neither onnx/model.onnx nor model.onnx, or no tokenizer file, exists.</exception>
    /// <exception cref="InvalidDataException">A configuration file is not valid JSON or says something unsupported (the message names the file).</exception>
    public static ModelFolder Read(string path)
    {
        string folder = System.IO.Path.GetFullPath(path);
        if (!Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException($"The model folder '{folder}' does not exist.");
        }

        var model = new ModelFolder(folder);
        model.ModelFile = FindModelFile(folder);

        string vocab = System.IO.Path.Combine(folder, "vocab.txt");
        string tokenizerJson = System.IO.Path.Combine(folder, "tokenizer.json");
        model.VocabFile = File.Exists(vocab) ? vocab : null;
        model.TokenizerJsonFile = File.Exists(tokenizerJson) ? tokenizerJson : null;
        if (model.VocabFile is null && model.TokenizerJsonFile is null)
        {
            throw new FileNotFoundException(
                $"The model folder '{folder}' has no tokenizer: neither '{vocab}' nor '{tokenizerJson}' exists.", vocab);
        }

        model.ReadConfig();
        model.ReadTokenizerConfig();
        model.ReadModules();
        model.ReadSentenceBertConfig();
        model.ReadPrompts();
        return model;
    }

    private static string FindModelFile(string folder)
    {
        string nested = System.IO.Path.Combine(folder, "onnx", "model.onnx");
        if (File.Exists(nested))
        {
            return nested;
        }

        string flat = System.IO.Path.Combine(folder, "model.onnx");
        if (File.Exists(flat))
        {
            return flat;
        }

        throw new FileNotFoundException(
            $"The model folder '{folder}' has no ONNX graph: neither '{nested}' nor '{flat}' exists.", nested);
    }

    private JsonObject? ReadJson(string relativePath)
    {
        string file = System.IO.Path.Combine(Path, relativePath);
        if (!File.Exists(file))
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(File.ReadAllText(file)) as JsonObject
                ?? throw new InvalidDataException($"'{file}' is not a JSON object.");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"'{file}' is not valid JSON: {ex.Message}", ex);
        }
    }

    private void ReadConfig()
    {
        JsonObject? config = ReadJson("config.json");
        if (config is null)
        {
            return;
        }

        MaxPositionEmbeddings = GetInt(config, "max_position_embeddings") ?? GetInt(config, "n_positions");
        HiddenSize = GetInt(config, "hidden_size") ?? GetInt(config, "n_embd") ?? GetInt(config, "d_model");
    }

    private void ReadTokenizerConfig()
    {
        JsonObject? config = ReadJson("tokenizer_config.json");
        if (config is not null)
        {
            LowerCase = GetBool(config, "do_lower_case");
            StripAccents = GetBool(config, "strip_accents");
            TokenizeChineseChars = GetBool(config, "tokenize_chinese_chars");
            int? maxLength = GetLong(config, "model_max_length") is long l && l is > 0 and <= 1_000_000 ? (int)l : null;
            ModelMaxLength = maxLength;
            UnknownToken = GetToken(config, "unk_token") ?? UnknownToken;
            ClassificationToken = GetToken(config, "cls_token") ?? ClassificationToken;
            SeparatorToken = GetToken(config, "sep_token") ?? SeparatorToken;
            PaddingToken = GetToken(config, "pad_token") ?? PaddingToken;
            MaskingToken = GetToken(config, "mask_token") ?? MaskingToken;
        }
    }

    private void ReadModules()
    {
        string modulesFile = System.IO.Path.Combine(Path, "modules.json");
        string poolingFolder = "1_Pooling";
        if (File.Exists(modulesFile))
        {
            JsonArray modules;
            try
            {
                modules = JsonNode.Parse(File.ReadAllText(modulesFile)) as JsonArray
                    ?? throw new InvalidDataException($"'{modulesFile}' is not a JSON array.");
            }
            catch (JsonException ex)
            {
                throw new InvalidDataException($"'{modulesFile}' is not valid JSON: {ex.Message}", ex);
            }

            Normalized = false;
            foreach (JsonNode? module in modules)
            {
                string type = module?["type"]?.GetValue<string>() ?? string.Empty;
                string modulePath = module?["path"]?.GetValue<string>() ?? string.Empty;
                if (type.EndsWith(".Normalize", StringComparison.Ordinal))
                {
                    Normalized = true;
                }
                else if (type.EndsWith(".Pooling", StringComparison.Ordinal) && modulePath.Length > 0)
                {
                    poolingFolder = modulePath;
                }
            }
        }

        JsonObject? pooling = ReadJson(System.IO.Path.Combine(poolingFolder, "config.json"));
        if (pooling is not null)
        {
            (Pooling, PoolingError) = ParsePooling(pooling, System.IO.Path.Combine(Path, poolingFolder, "config.json"));
        }
    }

    private static (PoolingStrategy? Pooling, string? Error) ParsePooling(JsonObject pooling, string file)
    {
        if (pooling["pooling_mode"] is JsonValue mode && mode.TryGetValue(out string? name))
        {
            try
            {
                return (Embeddings.Pooler.Parse(name), null);
            }
            catch (ArgumentException ex)
            {
                return (null, $"'{file}': {ex.Message} Set OnnxEmbedderOptions.Pooling to choose one.");
            }
        }

        var chosen = new List<PoolingStrategy>();
        foreach ((string key, PoolingStrategy strategy) in new[]
        {
            ("pooling_mode_cls_token", PoolingStrategy.Cls),
            ("pooling_mode_mean_tokens", PoolingStrategy.Mean),
            ("pooling_mode_max_tokens", PoolingStrategy.Max),
            ("pooling_mode_mean_sqrt_len_tokens", PoolingStrategy.MeanSqrtLength),
            ("pooling_mode_lasttoken", PoolingStrategy.LastToken),
        })
        {
            if (GetBool(pooling, key) == true)
            {
                chosen.Add(strategy);
            }
        }

        return chosen.Count switch
        {
            0 => (null, null),
            1 => (chosen[0], null),
            _ => (null, $"'{file}' asks for {chosen.Count} pooling modes at once ({string.Join(", ", chosen)}); concatenated pooling is not supported. Set OnnxEmbedderOptions.Pooling to choose one."),
        };
    }

    private void ReadSentenceBertConfig()
    {
        JsonObject? config = ReadJson("sentence_bert_config.json");
        if (config is null)
        {
            return;
        }

        MaxSequenceLength = GetInt(config, "max_seq_length");
        if (GetBool(config, "do_lower_case") == true)
        {
            // sentence-transformers lower-cases before the tokenizer when this is set, whatever the tokenizer says.
            LowerCase = true;
        }
    }

    private void ReadPrompts()
    {
        JsonObject? config = ReadJson("config_sentence_transformers.json");
        if (config?["prompts"] is not JsonObject prompts)
        {
            return;
        }

        foreach ((string key, JsonNode? value) in prompts)
        {
            if (value is not JsonValue v || !v.TryGetValue(out string? text))
            {
                continue;
            }

            switch (key.ToLowerInvariant())
            {
                case "query":
                    QueryPrompt = text;
                    break;
                case "document" or "passage" or "corpus":
                    DocumentPrompt = text;
                    break;
            }
        }
    }

    private static string? GetToken(JsonObject config, string key) => config[key] switch
    {
        JsonValue v when v.TryGetValue(out string? s) => s,
        JsonObject o when o["content"] is JsonValue c && c.TryGetValue(out string? s) => s,
        _ => null,
    };

    private static bool? GetBool(JsonObject config, string key) =>
        config[key] is JsonValue v && v.TryGetValue(out bool b) ? b : null;

    private static long? GetLong(JsonObject config, string key) =>
        config[key] is JsonValue v && v.TryGetValue(out double d) && d >= long.MinValue && d <= long.MaxValue ? (long)d : null;

    private static int? GetInt(JsonObject config, string key) =>
        GetLong(config, key) is long l && l is >= int.MinValue and <= int.MaxValue ? (int)l : null;
}
