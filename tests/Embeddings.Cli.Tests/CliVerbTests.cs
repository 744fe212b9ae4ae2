using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Embeddings.Static;
using Microsoft.Extensions.AI;

namespace Embeddings.Cli.Tests;

public sealed class CliVerbTests
{
    private static readonly string[] Sentences =
    [
        "The cat sleeps on the warm windowsill.",
        "Stock markets fell sharply after the interest rate decision.",
        "The recipe needs flour, butter, sugar and two eggs.",
        "The striker scored twice in the second half.",
        "Plants use light energy to make their food.",
    ];

    [Fact]
    public async Task Embed_stdin_writes_one_json_line_per_text_with_the_static_default_vectors()
    {
        (int code, string output, string error) = await CliRunner.RunWithInputAsync(string.Join('\n', Sentences) + "\n\n", "embed", "--include-text");

        Assert.True(code == 0, error);
        string[] lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(Sentences.Length, lines.Length);
        using StaticEmbedder reference = StaticEmbedder.Load(StaticDefaultModel.GetPath());
        GeneratedEmbeddings<Embedding<float>> expected = await reference.GenerateAsync(Sentences, new EmbeddingGenerationOptions().WithInputKind(EmbeddingInputKind.Document));
        for (int i = 0; i < lines.Length; i++)
        {
            using JsonDocument json = JsonDocument.Parse(lines[i]);
            Assert.Equal($"stdin:{i + 1}", json.RootElement.GetProperty("id").GetString());
            Assert.Equal(Sentences[i], json.RootElement.GetProperty("text").GetString());
            float[] vector = json.RootElement.GetProperty("vector").EnumerateArray().Select(v => v.GetSingle()).ToArray();
            Assert.Equal(expected[i].Vector.ToArray(), vector);
        }
    }

    [Fact]
    public async Task Embed_to_npy_writes_a_numpy_matrix_and_the_ids_beside_it()
    {
        using var temp = new TempFolder();
        string input = temp.File("texts.txt");
        await File.WriteAllLinesAsync(input, Sentences);
        string npy = temp.File("vectors.npy");

        (int code, _, string error) = await CliRunner.RunAsync("embed", input, "-o", npy);
        Assert.True(code == 0, error);
        (_, string jsonl, _) = await CliRunner.RunAsync("embed", input);

        byte[] bytes = await File.ReadAllBytesAsync(npy);
        Assert.Equal(0x93, bytes[0]);
        Assert.Equal("NUMPY", Encoding.ASCII.GetString(bytes, 1, 5));
        int headerLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8));
        Assert.Equal(0, (10 + headerLength) % 64);
        string header = Encoding.ASCII.GetString(bytes, 10, headerLength);
        Assert.Contains("'descr': '<f4'", header, StringComparison.Ordinal);
        using StaticEmbedder reference = StaticEmbedder.Load(StaticDefaultModel.GetPath());
        Assert.Contains($"'shape': ({Sentences.Length}, {reference.Dimensions})", header, StringComparison.Ordinal);
        Assert.Equal(10 + headerLength + (Sentences.Length * reference.Dimensions * 4), bytes.Length);

        string[] lines = jsonl.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        for (int row = 0; row < Sentences.Length; row++)
        {
            using JsonDocument json = JsonDocument.Parse(lines[row]);
            float[] expected = json.RootElement.GetProperty("vector").EnumerateArray().Select(v => v.GetSingle()).ToArray();
            for (int column = 0; column < expected.Length; column++)
            {
                Assert.Equal(expected[column], BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(10 + headerLength + (((row * reference.Dimensions) + column) * 4))));
            }
        }

        Assert.Equal(Enumerable.Range(1, Sentences.Length).Select(i => $"{input}:{i}"), await File.ReadAllLinesAsync(npy + ".ids.txt"));
        Assert.Empty(Directory.GetFiles(temp.Path, "*.tmp"));
    }

    [Theory]
    [InlineData("flat")]
    [InlineData("hnsw")]
    public async Task Index_build_then_search_ranks_like_a_scalar_cosine_scan(string kind)
    {
        using var temp = new TempFolder();
        string input = temp.File("texts.txt");
        await File.WriteAllLinesAsync(input, Sentences);
        string index = temp.File($"{kind}.idx");

        (int code, _, string error) = await CliRunner.RunAsync("index", "build", input, "--kind", kind, "-o", index);
        Assert.True(code == 0, error);
        Assert.True(File.Exists(index));

        const string query = "a kitten naps in the sun";
        (code, string output, error) = await CliRunner.RunAsync("index", "search", "-i", index, query, "-k", "3", "--format", "jsonl");
        Assert.True(code == 0, error);

        using StaticEmbedder reference = StaticEmbedder.Load(StaticDefaultModel.GetPath());
        float[] q = (await reference.EmbedQueryAsync(query)).ToArray();
        GeneratedEmbeddings<Embedding<float>> documents = await reference.GenerateAsync(Sentences, new EmbeddingGenerationOptions().WithInputKind(EmbeddingInputKind.Document));
        var expected = Sentences.Select((s, i) => (Id: $"{input}:{i + 1}", Text: s, Score: ScalarCosine(q, documents[i].Vector.Span)))
            .OrderByDescending(e => e.Score).Take(3).ToArray();

        string[] lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        for (int i = 0; i < lines.Length; i++)
        {
            using JsonDocument json = JsonDocument.Parse(lines[i]);
            Assert.Equal(i + 1, json.RootElement.GetProperty("rank").GetInt32());
            Assert.Equal(expected[i].Id, json.RootElement.GetProperty("id").GetString());
            Assert.Equal(expected[i].Text, json.RootElement.GetProperty("text").GetString());
            Assert.Equal(expected[i].Score, json.RootElement.GetProperty("score").GetDouble(), 1e-4);
        }

        (code, output, _) = await CliRunner.RunAsync("index", "search", "-i", index, query, "-k", "1");
        Assert.Equal(0, code);
        string[] table = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("| Rank | Id | Score | Text |", table[0]);
        Assert.StartsWith($"| 1 | {expected[0].Id} | ", table[2], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Eval_beir_reports_the_metrics_of_a_scalar_reference_ranking()
    {
        using var temp = new TempFolder();
        string folder = temp.File("tiny-beir");
        Directory.CreateDirectory(Path.Combine(folder, "qrels"));
        await File.WriteAllLinesAsync(Path.Combine(folder, "corpus.jsonl"), Sentences.Select((s, i) => JsonSerializer.Serialize(new Dictionary<string, string> { ["_id"] = $"d{i}", ["title"] = string.Empty, ["text"] = s })));
        string[] queries = ["a cat sleeping by the window", "shares dropped after the rate rise", "what goes into a cake", "photosynthesis"];
        await File.WriteAllLinesAsync(Path.Combine(folder, "queries.jsonl"), queries.Select((q, i) => JsonSerializer.Serialize(new Dictionary<string, string> { ["_id"] = $"q{i}", ["text"] = q })));

        // q3 is judged against the football sentence on purpose, so one query ranks its relevant document low.
        int[] relevant = [0, 1, 2, 3];
        await File.WriteAllLinesAsync(Path.Combine(folder, "qrels", "test.tsv"), ["query-id\tcorpus-id\tscore", .. relevant.Select((d, q) => $"q{q}\td{d}\t1")]);

        (int code, string output, string error) = await CliRunner.RunAsync("eval", "beir", folder, "--format", "jsonl");
        Assert.True(code == 0, error);
        Dictionary<string, double> metrics = output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonDocument.Parse(l).RootElement)
            .ToDictionary(e => e.GetProperty("metric").GetString()!, e => e.GetProperty("value").GetDouble());

        using StaticEmbedder reference = StaticEmbedder.Load(StaticDefaultModel.GetPath());
        GeneratedEmbeddings<Embedding<float>> documents = await reference.GenerateAsync(Sentences, new EmbeddingGenerationOptions().WithInputKind(EmbeddingInputKind.Document));
        double ndcg = 0, recall10 = 0, mrr = 0;
        for (int q = 0; q < queries.Length; q++)
        {
            float[] query = (await reference.EmbedQueryAsync(queries[q])).ToArray();
            float target = ScalarCosine(query, documents[relevant[q]].Vector.Span);
            int rank = 1 + Enumerable.Range(0, Sentences.Length).Count(d => d != relevant[q] && ScalarCosine(query, documents[d].Vector.Span) > target);
            ndcg += 1 / Math.Log2(rank + 1);
            recall10 += 1;
            mrr += 1.0 / rank;
        }

        Assert.Equal(ndcg / queries.Length, metrics["nDCG@10"], 1e-6);
        Assert.Equal(recall10 / queries.Length, metrics["Recall@10"], 1e-6);
        Assert.Equal(mrr / queries.Length, metrics["MRR@10"], 1e-6);
        Assert.True(metrics["nDCG@10"] < 1, "The football judgment should cost the ranking something.");

        (code, output, _) = await CliRunner.RunAsync("eval", "beir", folder);
        Assert.Equal(0, code);
        Assert.Contains("| nDCG@10 | ", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Models_list_shows_the_static_default_and_the_catalog()
    {
        (int code, string output, string error) = await CliRunner.RunAsync("models", "list");

        Assert.True(code == 0, error);
        Assert.Contains($"| static | static (packaged) |", output, StringComparison.Ordinal);
        foreach (Onnx.OnnxModelInfo info in Onnx.OnnxModelCatalog.All)
        {
            Assert.Contains($"| {info.ModelId} | onnx (download) | {info.Dimensions} |", output, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("embed", "--batch-size", "0")]
    [InlineData("embed", "--format", "parquet")]
    [InlineData("embed", "no-such-file.txt")]
    [InlineData("index", "search")]
    [InlineData("index", "build", "--kind", "flat")]
    [InlineData("index", "build", "--kind", "pgvector", "--connection", "")]
    [InlineData("eval", "beir", "no-such-folder")]
    [InlineData("embed", "--model", "not a model")]
    [InlineData("frobnicate")]
    [InlineData()]
    public async Task Bad_arguments_exit_with_code_2_and_one_line_on_stderr(params string[] args)
    {
        (int code, string output, string error) = await CliRunner.RunWithInputAsync("some text\n", args);

        Assert.Equal(2, code);
        Assert.Equal(string.Empty, output);
        string[] lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("embeddings: ", lines[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_runtime_failure_exits_with_code_1_and_names_the_problem_without_a_stack_trace()
    {
        using var temp = new TempFolder();
        string notAnIndex = temp.File("corrupt.idx");
        await File.WriteAllTextAsync(notAnIndex, "this is not an index file, just some text that is long enough");

        (int code, _, string error) = await CliRunner.RunAsync("index", "search", "-i", notAnIndex, "query");

        Assert.Equal(1, code);
        string line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("not an Embeddings index file", line, StringComparison.Ordinal);
        Assert.DoesNotContain(" at ", line, StringComparison.Ordinal);

        (code, _, error) = await CliRunner.RunAsync("index", "search", "-i", notAnIndex, "query", "--verbose");
        Assert.Equal(1, code);
        Assert.Contains(" at ", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_exits_with_code_0_and_lists_the_verbs()
    {
        (int code, string output, _) = await CliRunner.RunAsync("--help");

        Assert.Equal(0, code);
        foreach (string verb in new[] { "embed", "index", "eval", "models" })
        {
            Assert.Contains(verb, output, StringComparison.Ordinal);
        }
    }

    private static float ScalarCosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            dot += a[i] * (double)b[i];
            na += a[i] * (double)a[i];
            nb += b[i] * (double)b[i];
        }

        return (float)(dot / Math.Sqrt(na * nb));
    }
}
