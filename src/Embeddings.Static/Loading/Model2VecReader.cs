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

        int rows = checked((int)info.Shape[0]);
        int dimensions = checked((int)info.Shape[1]);
        float[] vectors = file.ReadSingle("embeddings");
        for (int i = 0; i < vectors.Length; i++)
        {
            if (!float.IsFinite(vectors[i]))
            {
                throw new InvalidDataException($"Model2Vec file '{modelPath}': value {i % dimensions} of row {i / dimensions} of 'embeddings' is not a finite number.");
            }
        }

        float[]? weights = file.Tensors.ContainsKey("weights") ? file.ReadSingle("weights") : null;
        int[]? mapping = file.Tensors.ContainsKey("mapping") ? file.ReadInt64("mapping").Select(v => checked((int)v)).ToArray() : null;
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
        using JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(path));
        JsonElement root = document.RootElement;
        if (!root.TryGetProperty("model", out JsonElement model) || !model.TryGetProperty("type", out JsonElement typeElement))
        {
            throw new InvalidDataException($"Tokenizer file '{path}' has no model.type.");
        }

        string type = typeElement.GetString() ?? string.Empty;
        if (type != "WordPiece")
        {
            throw new NotSupportedException($"Tokenizer file '{path}' uses a {type} model; only WordPiece (BERT-style) Model2Vec tokenizers are supported.");
        }

        var entries = model.GetProperty("vocab").EnumerateObject().Select(p => (Token: p.Name, Id: p.Value.GetInt32())).OrderBy(e => e.Id).ToArray();
        for (int i = 0; i < entries.Length; i++)
        {
            if (entries[i].Id != i)
            {
                throw new InvalidDataException($"Tokenizer file '{path}': the vocabulary ids are not 0 to {entries.Length - 1} (id {entries[i].Id} at position {i}).");
            }
        }

        string[] vocabulary = entries.Select(e => e.Token).ToArray();
        string unknown = model.TryGetProperty("unk_token", out JsonElement unk) && unk.ValueKind == JsonValueKind.String ? unk.GetString()! : "[UNK]";
        bool lowercase = ReadLowercase(root);
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

    private static bool ReadLowercase(JsonElement root)
    {
        if (!root.TryGetProperty("normalizer", out JsonElement normalizer) || normalizer.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        if (normalizer.TryGetProperty("lowercase", out JsonElement lowercase) && lowercase.ValueKind is JsonValueKind.True)
        {
            return true;
        }

        if (normalizer.TryGetProperty("type", out JsonElement type) && type.GetString() == "Lowercase")
        {
            return true;
        }

        if (normalizer.TryGetProperty("normalizers", out JsonElement list) && list.ValueKind == JsonValueKind.Array)
        {
            foreach (JsonElement item in list.EnumerateArray())
            {
                if (item.TryGetProperty("type", out JsonElement t) && t.GetString() == "Lowercase")
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static string Require(string path) =>
        File.Exists(path) ? path : throw new FileNotFoundException($"Model2Vec file '{path}' does not exist.", path);
}
