using System.Text.Json;
using System.Text.Json.Nodes;

namespace Embeddings.Static;

/// <summary>
/// Writes a Model2Vec folder, the layout Python's <c>model2vec</c> saves and loads (<c>StaticModel.save_pretrained</c> /
/// <c>from_pretrained</c>): <c>model.safetensors</c> with the <c>embeddings</c> tensor (rows in token-id order) and,
/// when there are per-token weights, a <c>weights</c> tensor; a Hugging Face <c>tokenizer.json</c> with a BERT
/// WordPiece model; <c>config.json</c>; and sentence-transformers' <c>modules.json</c>.
/// </summary>
public static class Model2VecWriter
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>Writes a model to <paramref name="directory"/>, replacing a folder there only once every file is complete.</summary>
    /// <param name="directory">The folder to create or replace.</param>
    /// <param name="vocabulary">The WordPiece tokens, by id; row <c>i</c> of <paramref name="embeddings"/> is token <c>i</c>.</param>
    /// <param name="embeddings">The table, row-major: <c>vocabulary.Count * dimensions</c> finite values.</param>
    /// <param name="dimensions">The vector length.</param>
    /// <param name="weights">Per-token weights (tensor <c>weights</c>), or <see langword="null"/> for none.</param>
    /// <param name="options">The options; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Cancels the write; nothing is left behind.</param>
    /// <exception cref="ArgumentException">The vocabulary is empty, has an empty or repeated token or lacks the unknown token; the table has the wrong length or a value that is not finite; the weights have the wrong length.</exception>
    public static void Write(
        string directory,
        IReadOnlyList<string> vocabulary,
        ReadOnlySpan<float> embeddings,
        int dimensions,
        IReadOnlyList<float>? weights = null,
        Model2VecWriterOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        ArgumentNullException.ThrowIfNull(vocabulary);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimensions);
        options ??= new Model2VecWriterOptions();
        Validate(vocabulary, embeddings, dimensions, weights, options);
        foreach ((string key, object? value) in options.Config)
        {
            _ = ConfigValue(key, value);
        }

        float[]? weightValues = weights?.ToArray();
        SafetensorsWriter.Tensor table = Encode(embeddings, vocabulary.Count, dimensions, options.Storage, ref weightValues);
        var tensors = new List<SafetensorsWriter.Tensor> { table };
        if (weightValues is not null)
        {
            tensors.Add(new SafetensorsWriter.Tensor("weights", "F32", [weightValues.Length], SafetensorsWriter.Float32(weightValues)));
        }

        cancellationToken.ThrowIfCancellationRequested();
        string target = Path.GetFullPath(directory);
        string parent = Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(target))!;
        Directory.CreateDirectory(parent);
        string temporary = Path.Combine(parent, $".{Path.GetFileName(Path.TrimEndingDirectorySeparator(target))}.tmp-{Guid.NewGuid():N}");
        Directory.CreateDirectory(temporary);
        try
        {
            SafetensorsWriter.Write(Path.Combine(temporary, "model.safetensors"), tensors);
            cancellationToken.ThrowIfCancellationRequested();
            File.WriteAllText(Path.Combine(temporary, "tokenizer.json"), TokenizerJson(vocabulary, options).ToJsonString());
            File.WriteAllText(Path.Combine(temporary, "config.json"), Config(dimensions, options).ToJsonString(Indented));
            File.WriteAllText(Path.Combine(temporary, "modules.json"), Modules().ToJsonString(Indented));
            cancellationToken.ThrowIfCancellationRequested();
            Replace(temporary, target);
        }
        finally
        {
            if (Directory.Exists(temporary))
            {
                Directory.Delete(temporary, recursive: true);
            }
        }
    }

    private static void Validate(IReadOnlyList<string> vocabulary, ReadOnlySpan<float> embeddings, int dimensions, IReadOnlyList<float>? weights, Model2VecWriterOptions options)
    {
        if (vocabulary.Count == 0)
        {
            throw new ArgumentException("The vocabulary is empty.", nameof(vocabulary));
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < vocabulary.Count; i++)
        {
            string token = vocabulary[i];
            if (string.IsNullOrEmpty(token))
            {
                throw new ArgumentException($"Token {i} of the vocabulary is null or empty.", nameof(vocabulary));
            }

            if (!seen.Add(token))
            {
                throw new ArgumentException($"Token '{token}' occurs twice in the vocabulary (again at id {i}).", nameof(vocabulary));
            }
        }

        if (!seen.Contains(options.UnknownToken))
        {
            throw new ArgumentException($"The vocabulary lacks the unknown token '{options.UnknownToken}'.", nameof(vocabulary));
        }

        if (embeddings.Length != (long)vocabulary.Count * dimensions)
        {
            throw new ArgumentException($"{vocabulary.Count} tokens of {dimensions} dimensions need {(long)vocabulary.Count * dimensions} values; got {embeddings.Length}.", nameof(embeddings));
        }

        for (int i = 0; i < embeddings.Length; i++)
        {
            if (!float.IsFinite(embeddings[i]))
            {
                throw new ArgumentException($"Value {i % dimensions} of row {i / dimensions} ('{vocabulary[i / dimensions]}') is {embeddings[i]}, not a finite number.", nameof(embeddings));
            }
        }

        if (weights is not null)
        {
            if (weights.Count != vocabulary.Count)
            {
                throw new ArgumentException($"There are {weights.Count} weights for {vocabulary.Count} tokens.", nameof(weights));
            }

            for (int i = 0; i < weights.Count; i++)
            {
                if (!float.IsFinite(weights[i]))
                {
                    throw new ArgumentException($"The weight of token {i} ('{vocabulary[i]}') is {weights[i]}, not a finite number.", nameof(weights));
                }
            }
        }
    }

    private static SafetensorsWriter.Tensor Encode(ReadOnlySpan<float> embeddings, int rows, int dimensions, Model2VecStorage storage, ref float[]? weights)
    {
        long[] shape = [rows, dimensions];
        switch (storage)
        {
            case Model2VecStorage.Float32:
                return new("embeddings", "F32", shape, SafetensorsWriter.Float32(embeddings));
            case Model2VecStorage.Float16:
                return new("embeddings", "F16", shape, SafetensorsWriter.Float16(embeddings));
            case Model2VecStorage.Int8:
                var codes = new byte[embeddings.Length];
                var scales = weights ?? Enumerable.Repeat(1f, rows).ToArray();
                for (int r = 0; r < rows; r++)
                {
                    ReadOnlySpan<float> row = embeddings.Slice(r * dimensions, dimensions);
                    float largest = 0;
                    foreach (float value in row)
                    {
                        largest = Math.Max(largest, Math.Abs(value));
                    }

                    float scale = largest / 127f;
                    for (int d = 0; d < dimensions; d++)
                    {
                        codes[(r * dimensions) + d] = scale == 0 ? (byte)0 : unchecked((byte)(sbyte)Math.Round(row[d] / scale));
                    }

                    scales[r] *= scale;
                }

                weights = scales;
                return new("embeddings", "I8", shape, codes);
            default:
                throw new ArgumentOutOfRangeException(nameof(storage), storage, "Unknown Model2Vec storage type.");
        }
    }

    private static JsonObject TokenizerJson(IReadOnlyList<string> vocabulary, Model2VecWriterOptions options)
    {
        var vocab = new JsonObject();
        var added = new JsonArray();
        for (int i = 0; i < vocabulary.Count; i++)
        {
            vocab[vocabulary[i]] = i;
            if (IsSpecial(vocabulary[i]))
            {
                added.Add((JsonNode)new JsonObject
                {
                    ["id"] = i,
                    ["content"] = vocabulary[i],
                    ["single_word"] = false,
                    ["lstrip"] = false,
                    ["rstrip"] = false,
                    ["normalized"] = false,
                    ["special"] = true,
                });
            }
        }

        return new JsonObject
        {
            ["version"] = "1.0",
            ["truncation"] = null,
            ["padding"] = null,
            ["added_tokens"] = added,
            ["normalizer"] = new JsonObject
            {
                ["type"] = "BertNormalizer",
                ["clean_text"] = true,
                ["handle_chinese_chars"] = options.TokenizeChineseChars,
                ["strip_accents"] = options.StripAccents is bool strip ? JsonValue.Create(strip) : null,
                ["lowercase"] = options.LowerCase,
            },
            ["pre_tokenizer"] = new JsonObject { ["type"] = "BertPreTokenizer" },

            // Model2Vec encodes without special tokens, so there is nothing to add after tokenization.
            ["post_processor"] = null,
            ["decoder"] = new JsonObject { ["type"] = "WordPiece", ["prefix"] = "##", ["cleanup"] = true },
            ["model"] = new JsonObject
            {
                ["type"] = "WordPiece",
                ["unk_token"] = options.UnknownToken,
                ["continuing_subword_prefix"] = "##",
                ["max_input_chars_per_word"] = 100,
                ["vocab"] = vocab,
            },
        };
    }

    private static bool IsSpecial(string token) => token is "[PAD]" or "[UNK]" or "[CLS]" or "[SEP]" or "[MASK]";

    private static JsonObject Config(int dimensions, Model2VecWriterOptions options)
    {
        var config = new JsonObject
        {
            ["model_type"] = "model2vec",
            ["architectures"] = new JsonArray("StaticModel"),
            ["hidden_dim"] = dimensions,

            // Model2Vec's own value: a static model has no sequence length limit.
            ["seq_length"] = 1000000,
            ["normalize"] = true,
        };
        foreach ((string key, object? value) in options.Config)
        {
            config[key] = ConfigValue(key, value);
        }

        return config;
    }

    private static JsonArray Modules() =>
    [
        new JsonObject { ["idx"] = 0, ["name"] = "0", ["path"] = ".", ["type"] = "sentence_transformers.models.StaticEmbedding" },
        new JsonObject { ["idx"] = 1, ["name"] = "1", ["path"] = "1_Normalize", ["type"] = "sentence_transformers.models.Normalize" },
    ];

    private static void Replace(string temporary, string target)
    {
        if (!Directory.Exists(target))
        {
            Directory.Move(temporary, target);
            return;
        }

        // Directory.Move does not overwrite: move the old folder aside, move the new one in, then drop the old one.
        string old = temporary + ".old";
        Directory.Move(target, old);
        try
        {
            Directory.Move(temporary, target);
        }
        catch
        {
            Directory.Move(old, target);
            throw;
        }

        Directory.Delete(old, recursive: true);
    }

    // Config entries are JSON scalars; converting them by type keeps the writer free of reflection-based serialization.
    private static JsonNode? ConfigValue(string key, object? value) => value switch
    {
        null => null,
        string text => JsonValue.Create(text),
        bool flag => JsonValue.Create(flag),
        int number => JsonValue.Create(number),
        long number => JsonValue.Create(number),
        float number => JsonValue.Create(number),
        double number => JsonValue.Create(number),
        decimal number => JsonValue.Create(number),
        JsonNode node => node.DeepClone(),
        _ => throw new ArgumentException($"Config entry '{key}' is a {value.GetType().Name}; config.json entries are strings, numbers, booleans or null.", nameof(value)),
    };
}
