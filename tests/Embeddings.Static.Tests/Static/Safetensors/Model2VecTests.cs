using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Embeddings.Static;

namespace Embeddings.Static.Tests.Static.Safetensors;

public sealed class Model2VecTests
{
    private static readonly string[] Vocabulary = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "hello", "world", "##s", "!"];

    [Fact]
    public void Safetensors_reader_reads_F32_F16_BF16_and_integer_tensors()
    {
        string dir = Directory.CreateTempSubdirectory("safetensors-").FullName;
        try
        {
            string path = Path.Combine(dir, "t.safetensors");
            WriteSafetensors(path, [
                ("a", "F32", [2, 2], Floats([1f, -2f, 3.5f, 0.25f])),
                ("h", "F16", [2], Halves([1.5f, -4f])),
                ("b", "BF16", [2], BFloats([2f, -0.5f])),
                ("i", "I64", [3], Longs([7, -1, 42])),
            ]);

            SafetensorsFile file = SafetensorsFile.Open(path);
            Assert.Equal(["a", "b", "h", "i"], file.Tensors.Keys.Order(StringComparer.Ordinal));
            Assert.Equal([2L, 2L], file.Tensors["a"].Shape);
            Assert.Equal([1f, -2f, 3.5f, 0.25f], file.ReadSingle("a"));
            Assert.Equal([1.5f, -4f], file.ReadSingle("h"));
            Assert.Equal([2f, -0.5f], file.ReadSingle("b"));
            Assert.Equal([7L, -1L, 42L], file.ReadInt64("i"));
            Assert.Equal("test", file.Metadata["format"]);
            Assert.Throws<NotSupportedException>(() => file.ReadSingle("i"));
            Assert.Contains("no tensor 'zzz'", Assert.Throws<KeyNotFoundException>(() => file.ReadSingle("zzz")).Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void A_truncated_safetensors_file_names_the_path_and_offset()
    {
        string dir = Directory.CreateTempSubdirectory("safetensors-").FullName;
        try
        {
            string path = Path.Combine(dir, "t.safetensors");
            WriteSafetensors(path, [("a", "F32", [4], Floats([1f, 2f, 3f, 4f]))]);
            byte[] bytes = File.ReadAllBytes(path);
            File.WriteAllBytes(path, bytes[..^4]);
            var e = Assert.Throws<InvalidDataException>(() => SafetensorsFile.Open(path));
            Assert.Contains(path, e.Message, StringComparison.Ordinal);
            Assert.Contains("byte offset", e.Message, StringComparison.Ordinal);

            File.WriteAllBytes(path, bytes[..5]);
            Assert.Contains("fewer than the 8-byte", Assert.Throws<InvalidDataException>(() => SafetensorsFile.Open(path)).Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Model2Vec_folder_tokenizes_with_WordPiece_skips_unknown_tokens_and_mean_pools()
    {
        string dir = WriteModel2Vec(weights: null);
        try
        {
            using var embedder = StaticEmbedder.Load(dir, o => o.Normalize = false);
            Assert.Equal(StaticModelKind.Subword, embedder.Model.Kind);
            Assert.Equal(["hello", "world", "##s", "[UNK]"], embedder.Tokenize("Hello worlds xyzzy"));

            float[] vector = (await embedder.GenerateAsync(["Hello worlds xyzzy"]))[0].Vector.ToArray();

            // hello = row 5, world = row 6, ##s = row 7; [UNK] is skipped.
            float[] expected = [(Row(5)[0] + Row(6)[0] + Row(7)[0]) / 3, (Row(5)[1] + Row(6)[1] + Row(7)[1]) / 3];
            Assert.Equal(expected[0], vector[0], 5);
            Assert.Equal(expected[1], vector[1], 5);
            Assert.Equal(new float[2], (await embedder.GenerateAsync(["xyzzy"]))[0].Vector.ToArray());
            Assert.Equal("mean", embedder.Fingerprint.Pooling);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Model2Vec_token_weights_scale_each_token()
    {
        float[] weights = [1f, 1f, 1f, 1f, 1f, 2f, 0.5f, 1f, 1f];
        string dir = WriteModel2Vec(weights);
        try
        {
            using var embedder = StaticEmbedder.Load(dir, o => o.Normalize = false);
            float[] vector = new float[2];
            Assert.Equal(2, embedder.Embed("hello world", vector));
            Assert.Equal(((2 * Row(5)[0]) + (0.5f * Row(6)[0])) / 2, vector[0], 5);
            Assert.Equal("weighted-mean", embedder.Fingerprint.Pooling);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static float[] Row(int id) => [id * 0.5f, 1f - id];

    private static string WriteModel2Vec(float[]? weights)
    {
        string dir = Directory.CreateTempSubdirectory("model2vec-").FullName;
        float[] table = Enumerable.Range(0, Vocabulary.Length).SelectMany(Row).ToArray();
        var tensors = new List<(string, string, long[], byte[])> { ("embeddings", "F16", [Vocabulary.Length, 2], Halves(table)) };
        if (weights is not null)
        {
            tensors.Add(("weights", "F32", [weights.Length], Floats(weights)));
        }

        WriteSafetensors(Path.Combine(dir, "model.safetensors"), tensors);
        var tokenizer = new
        {
            version = "1.0",
            normalizer = new { type = "BertNormalizer", lowercase = true, clean_text = true, handle_chinese_chars = true },
            pre_tokenizer = new { type = "BertPreTokenizer" },
            model = new
            {
                type = "WordPiece",
                unk_token = "[UNK]",
                continuing_subword_prefix = "##",
                max_input_chars_per_word = 100,
                vocab = Vocabulary.Select((t, i) => (t, i)).ToDictionary(p => p.t, p => p.i),
            },
        };
        File.WriteAllText(Path.Combine(dir, "tokenizer.json"), JsonSerializer.Serialize(tokenizer));
        File.WriteAllText(Path.Combine(dir, "config.json"), "{\"normalize\": true}");
        return dir;
    }

    private static void WriteSafetensors(string path, IReadOnlyList<(string Name, string DType, long[] Shape, byte[] Data)> tensors)
    {
        var header = new Dictionary<string, object> { ["__metadata__"] = new Dictionary<string, string> { ["format"] = "test" } };
        long offset = 0;
        foreach (var (name, dtype, shape, data) in tensors)
        {
            header[name] = new { dtype, shape, data_offsets = new[] { offset, offset + data.Length } };
            offset += data.Length;
        }

        byte[] json = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(header));
        using var stream = File.Create(path);
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)json.Length);
        stream.Write(length);
        stream.Write(json);
        foreach (var tensor in tensors)
        {
            stream.Write(tensor.Data);
        }
    }

    private static byte[] Floats(float[] values) => values.SelectMany(v => BitConverter.GetBytes(v)).ToArray();

    private static byte[] Halves(float[] values) => values.SelectMany(v => BitConverter.GetBytes((Half)v)).ToArray();

    private static byte[] BFloats(float[] values) => values.SelectMany(v => BitConverter.GetBytes((ushort)(BitConverter.SingleToInt32Bits(v) >> 16))).ToArray();

    private static byte[] Longs(long[] values) => values.SelectMany(BitConverter.GetBytes).ToArray();
}
