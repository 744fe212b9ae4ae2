using Embeddings.Distillation;
using Embeddings.Onnx;
using Embeddings.Static;
using Embeddings.Testing;
using Microsoft.ML.OnnxRuntime;

namespace Embeddings.Distillation.Tests;

public sealed class StaticDistillerTests
{
    private static readonly string[] Kept = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "cat", "dog", "sat", "on", "mat", "stock", "market", "##s", "a", "kitten", "puppy", "bank", "money"];

    // Removes every token but those of Kept: a zero-width match at the start of any other token.
    private static string KeepOnly(IEnumerable<string> tokens) =>
        "(?!(?:" + string.Join("|", tokens.Select(System.Text.RegularExpressions.Regex.Escape)) + ")$)";

    [SharedFact("models/bert-tiny-random")]
    public async Task Each_row_is_the_teachers_mean_over_SEP_token_CLS_as_a_plain_ONNX_Runtime_run_gives_it()
    {
        string folder = SharedData.Path("models", "bert-tiny-random");
        using OnnxEmbedder teacher = await OnnxEmbedder.LoadAsync(folder, new OnnxEmbedderOptions { IntraOpThreads = 1 });
        var distiller = new StaticDistiller(new StaticDistillerOptions { ApplyPca = false, Weighting = TokenWeighting.None, TokenRemovePattern = KeepOnly(Kept) });
        StaticDistillation result = await distiller.DistillAsync(teacher);

        string[] vocabulary = File.ReadAllLines(Path.Combine(folder, "vocab.txt"));
        Assert.Equal(Kept.OrderBy(t => Array.IndexOf(vocabulary, t)), result.Vocabulary);
        int sep = Array.IndexOf(vocabulary, "[SEP]");
        int cls = Array.IndexOf(vocabulary, "[CLS]");
        using var session = new InferenceSession(Path.Combine(folder, "onnx", "model.onnx"));
        for (int row = 0; row < result.Vocabulary.Count; row++)
        {
            long[] ids = [sep, Array.IndexOf(vocabulary, result.Vocabulary[row]), cls];
            var inputs = new Dictionary<string, OrtValue>
            {
                ["input_ids"] = OrtValue.CreateTensorValueFromMemory(ids, [1, 3]),
                ["attention_mask"] = OrtValue.CreateTensorValueFromMemory(new long[] { 1, 1, 1 }, [1, 3]),
            };
            if (session.InputMetadata.ContainsKey("token_type_ids"))
            {
                inputs["token_type_ids"] = OrtValue.CreateTensorValueFromMemory(new long[3], [1, 3]);
            }

            using var runOptions = new RunOptions();
            using var outputs = session.Run(runOptions, inputs, ["last_hidden_state"]);
            ReadOnlySpan<float> hidden = outputs[0].GetTensorDataAsSpan<float>();
            int d = result.Dimensions;
            for (int j = 0; j < d; j++)
            {
                float mean = (hidden[j] + hidden[d + j] + hidden[(2 * d) + j]) / 3;
                Assert.Equal(mean, result.Embeddings[(row * d) + j], 4);
            }

            foreach (OrtValue value in inputs.Values)
            {
                value.Dispose();
            }
        }
    }

    [Fact]
    public async Task Distilling_MiniLM_twice_gives_the_same_folder_that_the_static_embedder_loads()
    {
        using OnnxEmbedder teacher = await OnnxEmbedder.LoadAsync(PackagedModels.AllMiniLML6V2, new OnnxEmbedderOptions { IntraOpThreads = 1 });
        var options = new StaticDistillerOptions { Dimensions = 8, TokenRemovePattern = KeepOnly(Kept) };
        var reports = new List<StaticDistillationProgress>();
        var progress = new SynchronousProgress(reports);
        string root = Directory.CreateTempSubdirectory("distill-").FullName;
        try
        {
            StaticDistillation first = await new StaticDistiller(options).DistillToFolderAsync(teacher, Path.Combine(root, "a"), Model2VecStorage.Float32, progress);
            StaticDistillation second = await new StaticDistiller(options).DistillToFolderAsync(teacher, Path.Combine(root, "b"), Model2VecStorage.Float32);
            foreach (string file in new[] { "model.safetensors", "tokenizer.json", "config.json" })
            {
                Assert.Equal(File.ReadAllBytes(Path.Combine(root, "a", file)), File.ReadAllBytes(Path.Combine(root, "b", file)));
            }

            Assert.Equal(8, first.Dimensions);
            Assert.Equal(384, first.TeacherDimensions);
            Assert.InRange(first.ExplainedVarianceRatio, 0.05, 1.0);
            Assert.Equal("all-MiniLM-L6-v2-static-8d-zipf", first.SuggestedName);
            Assert.Contains(reports, r => r.Stage == "embed" && r.Completed == Kept.Length && r.Total == Kept.Length);
            Assert.Contains(reports, r => r.Stage == "pca" && r.Completed == 1);
            Assert.Equal(new StaticDistillationProgress("write", 1, 1), reports[^1]);

            // Row 0 ([PAD]) has Zipf weight log(1) = 0; the others are non-zero.
            Assert.All(first.Embeddings[..8].ToArray(), v => Assert.Equal(0f, v));

            // The static embedder over the folder: a one-token text is that token's row, normalized.
            using var embedder = StaticEmbedder.Load(Path.Combine(root, "a"));
            Assert.Equal(8, embedder.Dimensions);
            float[] vector = new float[8];
            Assert.Equal(1, embedder.Embed("Kitten", vector));
            int kitten = first.Vocabulary.ToList().IndexOf("kitten");
            float[] row = first.Embeddings.Slice(kitten * 8, 8).ToArray();
            VectorMath.Normalize(row);
            for (int j = 0; j < 8; j++)
            {
                Assert.Equal(row[j], vector[j], 5);
            }
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [SharedFact("models/bert-tiny-random")]
    public async Task An_added_word_is_one_row_the_teachers_mean_over_CLS_pieces_SEP_and_the_saved_tokenizer_takes_it_whole()
    {
        string folder = SharedData.Path("models", "bert-tiny-random");
        using OnnxEmbedder teacher = await OnnxEmbedder.LoadAsync(folder, new OnnxEmbedderOptions { IntraOpThreads = 1 });

        // "kittens" is kitten + ##s; "Kittens" repeats it once lower-cased; "cat" is one token already; "stock-market"
        // splits at the hyphen, so WordPiece could never see it whole; blank is nothing.
        var options = new StaticDistillerOptions
        {
            ApplyPca = false,
            Weighting = TokenWeighting.None,
            TokenRemovePattern = KeepOnly(Kept),
            Vocabulary = ["kittens", "Kittens", "cat", "stock-market", " "],
        };
        StaticDistillation result = await new StaticDistiller(options).DistillAsync(teacher);
        Assert.Equal(1, result.AddedWords);
        Assert.Equal([.. Kept.OrderBy(t => Array.IndexOf(File.ReadAllLines(Path.Combine(folder, "vocab.txt")), t)), "kittens"], result.Vocabulary);

        string[] vocabulary = File.ReadAllLines(Path.Combine(folder, "vocab.txt"));
        long[] ids = [.. new[] { "[CLS]", "kitten", "##s", "[SEP]" }.Select(t => (long)Array.IndexOf(vocabulary, t))];
        using var session = new InferenceSession(Path.Combine(folder, "onnx", "model.onnx"));
        var inputs = new Dictionary<string, OrtValue>
        {
            ["input_ids"] = OrtValue.CreateTensorValueFromMemory(ids, [1, 4]),
            ["attention_mask"] = OrtValue.CreateTensorValueFromMemory(new long[] { 1, 1, 1, 1 }, [1, 4]),
        };
        if (session.InputMetadata.ContainsKey("token_type_ids"))
        {
            inputs["token_type_ids"] = OrtValue.CreateTensorValueFromMemory(new long[4], [1, 4]);
        }

        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, inputs, ["last_hidden_state"]);
        ReadOnlySpan<float> hidden = outputs[0].GetTensorDataAsSpan<float>();
        int d = result.Dimensions;
        int row = result.Vocabulary.Count - 1;
        var expected = new float[d];
        for (int j = 0; j < d; j++)
        {
            expected[j] = (hidden[j] + hidden[d + j] + hidden[(2 * d) + j] + hidden[(3 * d) + j]) / 4;
            Assert.Equal(expected[j], result.Embeddings[(row * d) + j], 4);
        }

        foreach (OrtValue value in inputs.Values)
        {
            value.Dispose();
        }

        string root = Path.Combine(Path.GetTempPath(), "distill-words-" + Guid.NewGuid().ToString("N"));
        try
        {
            result.Save(root, Model2VecStorage.Float32);
            var embedder = StaticEmbedder.Load(root);
            Assert.Equal(["kittens", "sat", "on", "the", "mat"], embedder.Tokenize("Kittens sat on the mat"));
            var vector = new float[d];
            Assert.Equal(1, embedder.Embed("KITTENS", vector));
            float norm = MathF.Sqrt(expected.Sum(v => v * v));
            for (int j = 0; j < d; j++)
            {
                Assert.Equal(expected[j] / norm, vector[j], 4);
            }
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [SharedFact("models/bert-tiny-random")]
    public async Task NormalizeBeforePca_gives_the_plain_rows_scaled_to_unit_length()
    {
        string folder = SharedData.Path("models", "bert-tiny-random");
        using OnnxEmbedder teacher = await OnnxEmbedder.LoadAsync(folder, new OnnxEmbedderOptions { IntraOpThreads = 1 });
        var plain = new StaticDistillerOptions { ApplyPca = false, Weighting = TokenWeighting.None, TokenRemovePattern = KeepOnly(Kept) };
        var normalized = new StaticDistillerOptions { ApplyPca = false, Weighting = TokenWeighting.None, TokenRemovePattern = KeepOnly(Kept), NormalizeBeforePca = true };
        StaticDistillation a = await new StaticDistiller(plain).DistillAsync(teacher);
        StaticDistillation b = await new StaticDistiller(normalized).DistillAsync(teacher);
        int d = a.Dimensions;
        for (int row = 0; row < a.Vocabulary.Count; row++)
        {
            double norm = 0;
            for (int j = 0; j < d; j++)
            {
                norm += (double)a.Embeddings[(row * d) + j] * a.Embeddings[(row * d) + j];
            }

            norm = Math.Sqrt(norm);
            Assert.True(norm > 0.5, $"row {row} of the plain table has norm {norm}, too small for the check to mean anything");
            for (int j = 0; j < d; j++)
            {
                Assert.Equal(a.Embeddings[(row * d) + j] / norm, b.Embeddings[(row * d) + j], 5);
            }
        }
    }

    [SharedFact("models/bert-tiny-random")]
    public async Task DroppedLeadingComponents_removes_the_highest_variance_columns_and_leaves_columns_uncorrelated_with_them()
    {
        string folder = SharedData.Path("models", "bert-tiny-random");
        using OnnxEmbedder teacher = await OnnxEmbedder.LoadAsync(folder, new OnnxEmbedderOptions { IntraOpThreads = 1 });
        var full = new StaticDistillerOptions { Dimensions = 8, Weighting = TokenWeighting.None, TokenRemovePattern = KeepOnly(Kept) };
        var dropped = new StaticDistillerOptions { Dimensions = 8, DroppedLeadingComponents = 2, Weighting = TokenWeighting.None, TokenRemovePattern = KeepOnly(Kept) };
        StaticDistillation a = await new StaticDistiller(full).DistillAsync(teacher);
        StaticDistillation b = await new StaticDistiller(dropped).DistillAsync(teacher);
        StaticDistillation again = await new StaticDistiller(dropped).DistillAsync(teacher);
        Assert.Equal(8, a.Dimensions);
        Assert.Equal(6, b.Dimensions);
        Assert.EndsWith("-static-6d-unweighted-drop2", b.SuggestedName, StringComparison.Ordinal);
        Assert.Equal(b.Embeddings.ToArray(), again.Embeddings.ToArray());
        int rows = a.Vocabulary.Count;

        // Scalar reference: the kept columns are the full run's columns after the first two.
        for (int r = 0; r < rows; r++)
        {
            for (int j = 0; j < 6; j++)
            {
                Assert.Equal(a.Embeddings[(r * 8) + 2 + j], b.Embeddings[(r * 6) + j], 5);
            }
        }

        // The removed columns are principal-component scores: over the tokens each is uncorrelated with every kept
        // column, and holds at least as much variance as any of them.
        double Dot(int p, int q)
        {
            double sum = 0;
            for (int r = 0; r < rows; r++)
            {
                sum += (double)a.Embeddings[(r * 8) + p] * a.Embeddings[(r * 8) + q];
            }

            return sum;
        }

        for (int k = 0; k < 2; k++)
        {
            for (int j = 2; j < 8; j++)
            {
                Assert.True(Math.Abs(Dot(k, j)) < 1e-3 * Math.Sqrt(Dot(k, k) * Dot(j, j)), $"dropped component {k} correlates with kept column {j}");
                Assert.True(Dot(k, k) >= Dot(j, j) * (1 - 1e-6), $"dropped component {k} has less variance than kept column {j}");
            }
        }
    }

    [Fact]
    public async Task Cancellation_and_bad_options_are_reported()
    {
        using OnnxEmbedder teacher = await OnnxEmbedder.LoadAsync(PackagedModels.AllMiniLML6V2, new OnnxEmbedderOptions { IntraOpThreads = 1 });
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new StaticDistiller().DistillAsync(teacher, cancellationToken: cancelled.Token));

        Assert.Throws<ArgumentOutOfRangeException>(() => new StaticDistiller(new StaticDistillerOptions { Dimensions = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new StaticDistiller(new StaticDistillerOptions { SifCoefficient = 1.5 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new StaticDistiller(new StaticDistillerOptions { DroppedLeadingComponents = -1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new StaticDistiller(new StaticDistillerOptions { Dimensions = 4, DroppedLeadingComponents = 4 }));
        Assert.Throws<ArgumentException>(() => new StaticDistiller(new StaticDistillerOptions { ApplyPca = false, DroppedLeadingComponents = 1 }));
        Assert.Contains("'[unused'", Assert.Throws<ArgumentException>(() => new StaticDistiller(new StaticDistillerOptions { TokenRemovePattern = "[unused" })).Message, StringComparison.Ordinal);
        var everything = new StaticDistiller(new StaticDistillerOptions { TokenRemovePattern = "." });
        Assert.Contains("removes all 30522 tokens", (await Assert.ThrowsAsync<InvalidOperationException>(() => everything.DistillAsync(teacher))).Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentNullException>(() => new StaticDistiller().DistillAsync(null!));
        Assert.Contains("null word", Assert.Throws<ArgumentException>(() => new StaticDistiller(new StaticDistillerOptions { Vocabulary = ["a", null!] })).Message, StringComparison.Ordinal);
    }

    private sealed class SynchronousProgress(List<StaticDistillationProgress> reports) : IProgress<StaticDistillationProgress>
    {
        public void Report(StaticDistillationProgress value)
        {
            lock (reports)
            {
                reports.Add(value);
            }
        }
    }
}
