using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;
using Embeddings.Static;

namespace Embeddings.Static.Tests.Static.Loading;

/// <summary>A damaged Model2Vec folder is refused with the file and the field named, never with a raw parser exception.</summary>
public sealed class Model2VecReaderTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("model2vec-bad-").FullName;

    public Model2VecReaderTests()
    {
        string fixture = Path.Combine(AppContext.BaseDirectory, "Static", "Model2Vec", "Fixtures", "model2vec-f32-weights");
        foreach (string file in Directory.GetFiles(fixture))
        {
            File.Copy(file, Path.Combine(_folder, Path.GetFileName(file)));
        }
    }

    private string TokenizerPath => Path.Combine(_folder, "tokenizer.json");

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void The_intact_copy_loads()
    {
        StaticEmbeddingModel model = StaticEmbeddingModel.Load(_folder);
        Assert.Equal(StaticModelKind.Subword, model.Kind);
    }

    [Theory]
    [InlineData("truncated", "not valid JSON")]
    [InlineData("root-array", "top level")]
    [InlineData("no-model", "\"model\"")]
    [InlineData("model-string", "\"model\"")]
    [InlineData("no-type", "\"model.type\"")]
    [InlineData("type-number", "\"model.type\"")]
    [InlineData("no-vocab", "\"model.vocab\"")]
    [InlineData("vocab-array", "\"model.vocab\"")]
    [InlineData("id-string", "\"model.vocab\"")]
    [InlineData("id-fraction", "\"model.vocab\"")]
    [InlineData("id-huge", "\"model.vocab\"")]
    [InlineData("unk-number", "\"model.unk_token\"")]
    [InlineData("normalizer-type-number", "\"normalizer.type\"")]
    [InlineData("normalizers-item-number", "\"normalizer.normalizers\"")]
    [InlineData("duplicate-key", "not valid JSON")]
    public void A_damaged_tokenizer_json_names_the_file_and_the_field(string damage, string field)
    {
        string text = File.ReadAllText(TokenizerPath);
        JsonObject root = JsonNode.Parse(text)!.AsObject();
        JsonObject model = root["model"]!.AsObject();
        JsonObject vocab = model["vocab"]!.AsObject();
        string? replaced = damage switch
        {
            "truncated" => text[..(text.Length / 2)],
            "root-array" => "[1, 2]",
            "duplicate-key" => text.Replace("\"version\":", "\"model\": 1, \"version\":", StringComparison.Ordinal),
            _ => null,
        };
        switch (damage)
        {
            case "no-model": root.Remove("model"); break;
            case "model-string": root["model"] = "WordPiece"; break;
            case "no-type": model.Remove("type"); break;
            case "type-number": model["type"] = 3; break;
            case "no-vocab": model.Remove("vocab"); break;
            case "vocab-array": model["vocab"] = new JsonArray("a", "b"); break;
            case "id-string": vocab["hello"] = "five"; break;
            case "id-fraction": vocab["hello"] = 5.5; break;
            case "id-huge": vocab["hello"] = 1e12; break;
            case "unk-number": model["unk_token"] = 1; break;
            case "normalizer-type-number": root["normalizer"] = new JsonObject { ["type"] = 7 }; break;
            case "normalizers-item-number": root["normalizer"] = new JsonObject { ["type"] = "Sequence", ["normalizers"] = new JsonArray(1, 2) }; break;
        }

        File.WriteAllText(TokenizerPath, replaced ?? root.ToJsonString());

        var ex = Assert.Throws<InvalidDataException>(() => StaticEmbeddingModel.Load(_folder));

        Assert.Contains(TokenizerPath, ex.Message, StringComparison.Ordinal);
        Assert.Contains(field, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("tokenizer.json")]
    [InlineData("model.safetensors")]
    public void A_folder_where_a_file_should_be_is_named_as_such(string name)
    {
        string path = Path.Combine(_folder, name);
        File.Delete(path);
        Directory.CreateDirectory(path);

        var ex = Assert.Throws<InvalidDataException>(() => StaticEmbeddingModel.Load(_folder));

        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.Contains("is a folder", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_safetensors_header_naming_a_tensor_twice_is_corrupt()
    {
        string path = Path.Combine(_folder, "model.safetensors");
        byte[] header = Encoding.UTF8.GetBytes("""{"embeddings":{"dtype":"F32","shape":[1,2],"data_offsets":[0,8]},"embeddings":{"dtype":"F32","shape":[2,1],"data_offsets":[0,8]}}""");
        byte[] file = new byte[8 + header.Length + 8];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)header.Length);
        header.CopyTo(file, 8);
        File.WriteAllBytes(path, file);

        var ex = Assert.Throws<InvalidDataException>(() => SafetensorsFile.Open(path));

        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.Contains("embeddings", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[4611686018427387904, 4]", 0)]
    [InlineData("[-2, -2]", 16)]
    [InlineData("[3000000000, 0]", 0)]
    public void A_shape_that_overflows_or_is_negative_is_refused_as_corrupt(string shape, int bytes)
    {
        string path = Path.Combine(_folder, "model.safetensors");
        byte[] header = Encoding.UTF8.GetBytes("{\"embeddings\":{\"dtype\":\"F32\",\"shape\":" + shape + ",\"data_offsets\":[0," + bytes + "]}}");
        byte[] file = new byte[8 + header.Length + bytes];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)header.Length);
        header.CopyTo(file, 8);
        File.WriteAllBytes(path, file);

        var ex = Assert.Throws<InvalidDataException>(() => StaticEmbeddingModel.Load(_folder));

        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.Contains("shape", ex.Message, StringComparison.Ordinal);
    }
}
