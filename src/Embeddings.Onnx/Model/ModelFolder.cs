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
    /// <exception cref="InvalidDataException">
    /// A configuration file is not valid JSON, has a field of the wrong type, says something unsupported, or is a folder
    /// (the message names the file and the field).
    /// </exception>
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
        model.VocabFile = IsFile(vocab) ? vocab : null;
        model.TokenizerJsonFile = IsFile(tokenizerJson) ? tokenizerJson : null;
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
        if (IsFile(nested))
        {
            return nested;
        }

        string flat = System.IO.Path.Combine(folder, "model.onnx");
        if (IsFile(flat))
        {
            return flat;
        }

        throw new FileNotFoundException(
            $"The model folder '{folder}' has no ONNX graph: neither '{nested}' nor '{flat}' exists.", nested);
    }

    /// <summary>
    /// Whether a file is there. A folder in its place is an error rather than "missing": treating it as absent would
    /// silently change the model (no <c>modules.json</c>, for one, turns normalization off).
    /// </summary>
    private static bool IsFile(string path) => Directory.Exists(path)
        ? throw new InvalidDataException($"'{path}' is a folder; the model folder needs a file there (or nothing).")
        : File.Exists(path);

    private ConfigFile? ReadJson(string relativePath)
    {
        string file = System.IO.Path.Combine(Path, relativePath);
        JsonNode? node = ParseFile(file);
        return node is null ? null : new ConfigFile(file, node as JsonObject ?? throw new InvalidDataException($"'{file}' is not a JSON object at the top level."));
    }

    private static JsonNode? ParseFile(string file)
    {
        if (!IsFile(file))
        {
            return null;
        }

        try
        {
            // Duplicate keys are refused: which of two values a reader takes differs between libraries.
            return JsonNode.Parse(File.ReadAllText(file), documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false })
                ?? throw new InvalidDataException($"'{file}' holds JSON null, not an object or array.");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"'{file}' is not valid JSON: {ex.Message}", ex);
        }
    }

    private void ReadConfig()
    {
        ConfigFile? config = ReadJson("config.json");
        if (config is null)
        {
            return;
        }

        MaxPositionEmbeddings = GetInt(config, "max_position_embeddings") ?? GetInt(config, "n_positions");
        HiddenSize = GetInt(config, "hidden_size") ?? GetInt(config, "n_embd") ?? GetInt(config, "d_model");
    }

    private void ReadTokenizerConfig()
    {
        ConfigFile? config = ReadJson("tokenizer_config.json");
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
        JsonNode? parsed = ParseFile(modulesFile);
        if (parsed is not null)
        {
            JsonArray modules = parsed as JsonArray ?? throw new InvalidDataException($"'{modulesFile}' is not a JSON array of modules.");
            Normalized = false;
            for (int i = 0; i < modules.Count; i++)
            {
                var module = new ConfigFile(modulesFile, modules[i] as JsonObject
                    ?? throw new InvalidDataException($"'{modulesFile}': module [{i}] is {Describe(modules[i])}, not an object."));
                string type = GetString(module, "type", $"[{i}].") ?? string.Empty;
                string modulePath = GetString(module, "path", $"[{i}].") ?? string.Empty;
                if (type.EndsWith(".Normalize", StringComparison.Ordinal))
                {
                    Normalized = true;
                }
                else if (type.EndsWith(".Pooling", StringComparison.Ordinal) && modulePath.Length > 0)
                {
                    string resolved = System.IO.Path.GetFullPath(System.IO.Path.Combine(Path, modulePath));
                    if (!resolved.StartsWith(System.IO.Path.TrimEndingDirectorySeparator(Path) + System.IO.Path.DirectorySeparatorChar, StringComparison.Ordinal))
                    {
                        throw new InvalidDataException($"'{modulesFile}': field \"[{i}].path\" ('{modulePath}') leads out of the model folder.");
                    }

                    poolingFolder = modulePath;
                }
            }
        }

        ConfigFile? pooling = ReadJson(System.IO.Path.Combine(poolingFolder, "config.json"));
        if (pooling is not null)
        {
            (Pooling, PoolingError) = ParsePooling(pooling);
        }
    }

    private static (PoolingStrategy? Pooling, string? Error) ParsePooling(ConfigFile pooling)
    {
        string file = pooling.File;
        if (GetString(pooling, "pooling_mode") is string name)
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
        ConfigFile? config = ReadJson("sentence_bert_config.json");
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
        ConfigFile? config = ReadJson("config_sentence_transformers.json");
        if (config is null || config.Json["prompts"] is null)
        {
            return;
        }

        JsonObject prompts = config.Json["prompts"] as JsonObject
            ?? throw WrongType(config, "prompts", "an object of prompt names and texts");
        var entries = new ConfigFile(config.File, prompts);
        foreach ((string key, JsonNode? _) in prompts)
        {
            if (GetString(entries, key, "prompts.") is not string text)
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

    // Absent and JSON null mean "not set"; any other type is the file's error, named with the field, because guessing
    // past it would silently load a different model.
    private static string? GetToken(ConfigFile config, string key) => config.Json[key] switch
    {
        null => null,
        JsonObject o => GetString(new ConfigFile(config.File, o), "content", key + "."),
        _ => GetString(config, key),
    };

    private static string? GetString(ConfigFile config, string key, string prefix = "") => config.Json[key] switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        _ => throw WrongType(config, prefix + key, "a string"),
    };

    private static bool? GetBool(ConfigFile config, string key) => config.Json[key] switch
    {
        null => null,
        JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => v.GetValue<bool>(),
        _ => throw WrongType(config, key, "true or false"),
    };

    /// <summary>A number; one beyond the range of <see langword="long"/> (Hugging Face writes 1e30 for "no limit") reads as not set.</summary>
    private static long? GetLong(ConfigFile config, string key) => config.Json[key] switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.Number && v.TryGetValue(out double d) =>
            d >= long.MinValue && d <= long.MaxValue ? (long)d : null,
        _ => throw WrongType(config, key, "a number"),
    };

    private static int? GetInt(ConfigFile config, string key) =>
        GetLong(config, key) is long l && l is >= int.MinValue and <= int.MaxValue ? (int)l : null;

    private static InvalidDataException WrongType(ConfigFile config, string field, string expected)
    {
        // The object holds the field itself; the dotted name only says where that object sits in the file.
        JsonNode? value = config.Json[field[(field.LastIndexOf('.') + 1)..]];
        return new InvalidDataException($"'{config.File}': field \"{field}\" is {Describe(value)}; it must be {expected}.");
    }

    private static string Describe(JsonNode? node) => node?.GetValueKind() switch
    {
        null or JsonValueKind.Null => "null",
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => $"the number {node.ToJsonString()}",
        _ => node.ToJsonString(),
    };

    /// <summary>A JSON object and the file it came from, so that every complaint about a field can name the file.</summary>
    private sealed record ConfigFile(string File, JsonObject Json);
}
