using System.Text;
using System.Text.Json;
using Microsoft.ML.Tokenizers;

namespace Embeddings.Static;

/// <summary>Reads a Model2Vec folder: <c>model.safetensors</c>, <c>tokenizer.json</c> and optionally <c>config.json</c>.</summary>
internal static class Model2VecReader
{
    public sealed record Result(float[] Vectors, int Rows, int Dimensions, string[] Vocabulary, Tokenizer Tokenizer, int? UnknownTokenId, float[]? TokenWeights, int[]? TokenMapping);

    public static Result Read(string directory)
    {
        string modelPath = Require(System.IO.Path.Combine(directory, "model.safetensors"));
        string tokenizerPath = Require(System.IO.Path.Combine(directory, "tokenizer.json"));

        SafetensorsFile file = SafetensorsFile.Open(modelPath);
        if (!file.Tensors.TryGetValue("embeddings", out SafetensorsTensorInfo? info) || info.Shape.Count != 2)
        {
            throw new InvalidDataException($"Model2Vec file '{modelPath}' has no 2-dimensional tensor 'embeddings'; it holds: {string.Join(", ", file.Tensors.Keys)}.");
        }

        if (info.Shape[0] is <= 0 or > int.MaxValue || info.Shape[1] is <= 0 or > int.MaxValue)
        {
            throw new InvalidDataException($"Model2Vec file '{modelPath}': tensor 'embeddings' has shape [{info.Shape[0]}, {info.Shape[1]}]; both must be from 1 to {int.MaxValue}.");
        }

        int rows = (int)info.Shape[0];
        int dimensions = (int)info.Shape[1];
        float[] vectors = file.ReadSingle("embeddings");
        for (int i = 0; i < vectors.Length; i++)
        {
            if (!float.IsFinite(vectors[i]))
            {
                throw new InvalidDataException($"Model2Vec file '{modelPath}': value {i % dimensions} of row {i / dimensions} of 'embeddings' is not a finite number.");
            }
        }

        float[]? weights = file.Tensors.ContainsKey("weights") ? file.ReadSingle("weights") : null;
        long[]? rawMapping = file.Tensors.ContainsKey("mapping") ? file.ReadInt64("mapping") : null;
        int[]? mapping = rawMapping?.Select(v => v is < 0 or > int.MaxValue ? -1 : (int)v).ToArray();
        if (mapping is not null && mapping.Any(m => m < 0 || m >= rows))
        {
            throw new InvalidDataException($"Model2Vec file '{modelPath}': tensor 'mapping' points outside the {rows} rows of 'embeddings'.");
        }

        (Tokenizer tokenizer, string[] vocabulary, int? unknownId) = ReadTokenizer(tokenizerPath);
        int tokenCount = mapping?.Length ?? rows;
        if (vocabulary.Length > tokenCount)
        {
            throw new InvalidDataException($"Model2Vec folder '{directory}': tokenizer.json has {vocabulary.Length} tokens but model.safetensors has {tokenCount} rows.");
        }

        if (weights is not null && weights.Length != tokenCount)
        {
            throw new InvalidDataException($"Model2Vec file '{modelPath}': tensor 'weights' has {weights.Length} values for {tokenCount} tokens.");
        }

        return new Result(vectors, rows, dimensions, vocabulary, tokenizer, unknownId, weights, mapping);
    }

    private static (Tokenizer Tokenizer, string[] Vocabulary, int? UnknownId) ReadTokenizer(string path)
    {
        using JsonDocument document = Parse(path);
        JsonElement root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidDataException($"Tokenizer file '{path}' holds {Describe(root)} at the top level, not an object.");
        }

        JsonElement model = Field(path, root, "model", JsonValueKind.Object, "an object", required: true)!.Value;
        string type = Field(path, model, "type", JsonValueKind.String, "a string", required: true, prefix: "model.")!.Value.GetString()!;
        if (type != "WordPiece")
        {
            throw new NotSupportedException($"Tokenizer file '{path}' uses a {type} model; only WordPiece (BERT-style) Model2Vec tokenizers are supported.");
        }

        JsonElement vocab = Field(path, model, "vocab", JsonValueKind.Object, "an object of tokens and ids", required: true, prefix: "model.")!.Value;
        var entries = vocab.EnumerateObject()
            .Select(p => (Token: p.Name, Id: p.Value.ValueKind == JsonValueKind.Number && p.Value.TryGetInt32(out int id) ? id
                : throw new InvalidDataException($"Tokenizer file '{path}': field \"model.vocab\" gives token '{p.Name}' the id {p.Value.GetRawText()}, not a whole number from 0 to {int.MaxValue}.")))
            .OrderBy(e => e.Id)
            .ToArray();
        for (int i = 0; i < entries.Length; i++)
        {
            if (entries[i].Id != i)
            {
                throw new InvalidDataException($"Tokenizer file '{path}': the vocabulary ids are not 0 to {entries.Length - 1} (id {entries[i].Id} at position {i}).");
            }
        }

        string[] vocabulary = entries.Select(e => e.Token).ToArray();
        string unknown = Field(path, model, "unk_token", JsonValueKind.String, "a string", required: false, prefix: "model.")?.GetString() ?? "[UNK]";
        bool lowercase = ReadLowercase(path, root);
        var builder = new StringBuilder();
        foreach (string token in vocabulary)
        {
            builder.Append(token).Append('\n');
        }

        using var vocabStream = new MemoryStream(Encoding.UTF8.GetBytes(builder.ToString()));
        var options = new BertOptions
        {
            LowerCaseBeforeTokenization = lowercase,
            UnknownToken = unknown,
            RemoveNonSpacingMarks = lowercase,
        };
        BertTokenizer tokenizer = BertTokenizer.Create(vocabStream, options);
        int index = Array.IndexOf(vocabulary, unknown);
        return (tokenizer, vocabulary, index >= 0 ? index : null);
    }

    private static bool ReadLowercase(string path, JsonElement root)
    {
        if (Field(path, root, "normalizer", JsonValueKind.Object, "an object", required: false) is not JsonElement normalizer)
        {
            return false;
        }

        if (normalizer.TryGetProperty("lowercase", out JsonElement lowercase) && lowercase.ValueKind is JsonValueKind.True)
        {
            return true;
        }

        if (Field(path, normalizer, "type", JsonValueKind.String, "a string", required: false, prefix: "normalizer.")?.GetString() == "Lowercase")
        {
            return true;
        }

        if (Field(path, normalizer, "normalizers", JsonValueKind.Array, "an array", required: false, prefix: "normalizer.") is JsonElement list)
        {
            int i = 0;
            foreach (JsonElement item in list.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.Object)
                {
                    throw new InvalidDataException($"Tokenizer file '{path}': item [{i}] of field \"normalizer.normalizers\" is {Describe(item)}, not an object.");
                }

                if (Field(path, item, "type", JsonValueKind.String, "a string", required: false, prefix: $"normalizer.normalizers[{i}].")?.GetString() == "Lowercase")
                {
                    return true;
                }

                i++;
            }
        }

        return false;
    }

    private static JsonDocument Parse(string path)
    {
        try
        {
            // Duplicate keys are refused: which of two values a reader takes differs between libraries.
            return JsonDocument.Parse(File.ReadAllBytes(path), new JsonDocumentOptions { AllowDuplicateProperties = false });
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"Tokenizer file '{path}' is not valid JSON: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// The field <paramref name="name"/> of <paramref name="parent"/>: <see langword="null"/> when it is absent or JSON null
    /// and not required; of another kind than <paramref name="kind"/>, an error naming the file and the field.
    /// </summary>
    private static JsonElement? Field(string path, JsonElement parent, string name, JsonValueKind kind, string expected, bool required, string prefix = "")
    {
        if (!parent.TryGetProperty(name, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
        {
            return required
                ? throw new InvalidDataException($"Tokenizer file '{path}' has no field \"{prefix}{name}\" ({expected}).")
                : null;
        }

        return value.ValueKind == kind
            ? value
            : throw new InvalidDataException($"Tokenizer file '{path}': field \"{prefix}{name}\" is {Describe(value)}; it must be {expected}.");
    }

    private static string Describe(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => $"the number {element.GetRawText()}",
        _ => element.GetRawText(),
    };

    /// <summary>The path, when a file is there; a folder in its place is named as such rather than reported missing.</summary>
    private static string Require(string path) =>
        Directory.Exists(path) ? throw new InvalidDataException($"Model2Vec file '{path}' is a folder; a file is needed there.")
        : File.Exists(path) ? path
        : throw new FileNotFoundException($"Model2Vec file '{path}' does not exist.", path);
}
