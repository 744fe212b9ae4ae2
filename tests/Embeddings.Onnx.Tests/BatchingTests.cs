using Embeddings.Testing;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.AI;

namespace Embeddings.Onnx.Tests;

/// <summary>Length-sorted batching gives the same vectors as one input at a time, in the caller's order.</summary>
public sealed class BatchingTests
{
    private static readonly string[] Inputs =
    [
        .. TinyModel.Texts,
        "short",
        "a somewhat longer sentence with several more words in it than most",
        "mid length text here",
        "x",
    ];

    public static TheoryData<PoolingStrategy> PoolingModes => [.. Enum.GetValues<PoolingStrategy>()];

    [SharedTheory("models/bert-tiny-random", "reference/bert-tiny-random.transformersjs.json", "reference/texts.json")]
    [MemberData(nameof(PoolingModes))]
    public async Task Batched_and_one_at_a_time_agree_for_every_pooling_mode(PoolingStrategy pooling)
    {
        using OnnxEmbedder batched = OnnxEmbedder.Load(TinyModel.Folder, new OnnxEmbedderOptions { Pooling = pooling, BatchSize = 7 });
        using OnnxEmbedder single = OnnxEmbedder.Load(TinyModel.Folder, new OnnxEmbedderOptions { Pooling = pooling, BatchSize = 1 });
        var all = await batched.GenerateAsync(Inputs);
        for (int i = 0; i < Inputs.Length; i++)
        {
            var one = await single.GenerateAsync([Inputs[i]]);
            AssertClose(one[0].Vector.Span, all[i].Vector.Span, 1e-5f, $"{pooling}, input {i}");
        }
    }

    [SharedFact("models/bert-tiny-random", "reference/bert-tiny-random.transformersjs.json", "reference/texts.json")]
    public async Task A_token_budget_keeps_batches_within_it_and_the_vectors_unchanged()
    {
        using OnnxEmbedder budgeted = OnnxEmbedder.Load(TinyModel.Folder, new OnnxEmbedderOptions { BatchSize = 64, MaxBatchTokens = 24 });
        using OnnxEmbedder single = OnnxEmbedder.Load(TinyModel.Folder, new OnnxEmbedderOptions { BatchSize = 1 });
        var batches = budgeted.PrepareBatches(Inputs);
        Assert.Equal(Inputs.Length, batches.Sum(b => b.Rows));
        Assert.All(batches, b => Assert.True(b.Rows == 1 || b.Rows * b.Length <= 24, $"{b.Rows} rows x {b.Length} tokens"));
        Assert.Contains(batches, b => b.Rows > 1);
        var all = await budgeted.GenerateAsync(Inputs);
        for (int i = 0; i < Inputs.Length; i++)
        {
            var one = await single.GenerateAsync([Inputs[i]]);
            AssertClose(one[0].Vector.Span, all[i].Vector.Span, 1e-5f, $"input {i}");
        }
    }

    [SharedFact("models/bert-tiny-random", "reference/bert-tiny-random.transformersjs.json", "reference/texts.json")]
    public async Task Results_do_not_depend_on_input_order()
    {
        using OnnxEmbedder embedder = OnnxEmbedder.Load(TinyModel.Folder, new OnnxEmbedderOptions { BatchSize = 4 });
        var forward = await embedder.GenerateAsync(Inputs);
        var reversed = await embedder.GenerateAsync(Inputs.Reverse());
        for (int i = 0; i < Inputs.Length; i++)
        {
            AssertClose(forward[i].Vector.Span, reversed[Inputs.Length - 1 - i].Vector.Span, 1e-5f, $"input {i}");
        }
    }

    [SharedFact("models/bert-tiny-random", "reference/bert-tiny-random.transformersjs.json", "reference/texts.json")]
    public async Task Concurrent_calls_give_the_same_vectors_as_sequential_ones()
    {
        using OnnxEmbedder embedder = OnnxEmbedder.Load(TinyModel.Folder, new OnnxEmbedderOptions { BatchSize = 3 });
        var expected = await embedder.GenerateAsync(Inputs);
        var tasks = Enumerable.Range(0, 8).Select(k => Task.Run(() => embedder.GenerateAsync(k % 2 == 0 ? Inputs : Inputs.Reverse()))).ToArray();
        var results = await Task.WhenAll(tasks);
        for (int k = 0; k < results.Length; k++)
        {
            for (int i = 0; i < Inputs.Length; i++)
            {
                int index = k % 2 == 0 ? i : Inputs.Length - 1 - i;
                AssertClose(expected[i].Vector.Span, results[k][index].Vector.Span, 1e-5f, $"task {k}, input {i}");
            }
        }
    }

    [SharedFact("models/bert-tiny-random", "reference/bert-tiny-random.transformersjs.json", "reference/texts.json")]
    public async Task Progress_is_reported_after_every_batch()
    {
        using OnnxEmbedder embedder = OnnxEmbedder.Load(TinyModel.Folder, new OnnxEmbedderOptions { BatchSize = 5 });
        var reports = new List<EmbeddingProgress>();
        var progress = new SynchronousProgress<EmbeddingProgress>(reports.Add);
        await embedder.GenerateAsync(Inputs, new EmbeddingGenerationOptions().WithProgress(progress));
        Assert.Equal([5, 10, 15, 19], reports.Select(r => r.Completed));
        Assert.All(reports, r => Assert.Equal(Inputs.Length, r.Total));
    }

    [SharedFact("models/bert-tiny-random", "reference/bert-tiny-random.transformersjs.json", "reference/texts.json")]
    public async Task Cancellation_is_checked_between_batches()
    {
        using OnnxEmbedder embedder = OnnxEmbedder.Load(TinyModel.Folder, new OnnxEmbedderOptions { BatchSize = 2 });
        using var cts = new CancellationTokenSource();
        int reports = 0;
        var progress = new SynchronousProgress<EmbeddingProgress>(_ =>
        {
            reports++;
            cts.Cancel();
        });
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => embedder.GenerateAsync(Inputs, new EmbeddingGenerationOptions().WithProgress(progress), cts.Token));
        Assert.Equal(1, reports);
    }

    [SharedFact("models/bert-tiny-random", "reference/bert-tiny-random.transformersjs.json", "reference/texts.json")]
    public async Task Overlong_inputs_are_truncated_and_reported()
    {
        using OnnxEmbedder embedder = OnnxEmbedder.Load(TinyModel.Folder, new OnnxEmbedderOptions { MaxTokens = 8 });
        string longText = TinyModel.Texts.Single(t => t.StartsWith("The quick brown fox", StringComparison.Ordinal));
        long counted = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == OnnxEmbedder.MeterName && instrument.Name == OnnxEmbedder.TruncatedInputsCounterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref counted, value));
        listener.Start();

        var result = await embedder.GenerateAsync([longText, "short"]);

        Assert.Equal(1, result.AdditionalProperties![OnnxEmbedder.TruncatedInputsPropertyKey]);
        Assert.Equal(true, result[0].AdditionalProperties![OnnxEmbedder.TruncatedPropertyKey]);
        Assert.Equal(32, result[0].AdditionalProperties![OnnxEmbedder.InputTokenCountPropertyKey]);
        Assert.Null(result[1].AdditionalProperties);
        Assert.True(Interlocked.Read(ref counted) >= 1);
        IReadOnlyList<int> ids = embedder.Tokenize(longText);
        Assert.Equal(8, ids.Count);
        Assert.Equal(102, ids[^1]);
        Assert.Equal(TinyModel.Reference.Single(r => r.Text == longText).InputIds[..7], ids.Take(7));
    }

    [SharedFact("models/bert-tiny-random", "reference/bert-tiny-random.transformersjs.json", "reference/texts.json")]
    public async Task Overlong_inputs_throw_with_their_index_when_asked()
    {
        using OnnxEmbedder embedder = OnnxEmbedder.Load(TinyModel.Folder, new OnnxEmbedderOptions { MaxTokens = 8, OverlongInput = OverlongInputPolicy.Throw });
        string longText = TinyModel.Texts.Single(t => t.StartsWith("The quick brown fox", StringComparison.Ordinal));
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => embedder.GenerateAsync(["fine", longText]));
        Assert.Contains("Input 1 has 32 tokens", ex.Message, StringComparison.Ordinal);
    }

    [SharedFact("models/bert-tiny-random", "reference/bert-tiny-random.transformersjs.json", "reference/texts.json")]
    public async Task Usage_counts_the_tokens_fed_to_the_model()
    {
        using OnnxEmbedder embedder = OnnxEmbedder.Load(TinyModel.Folder);
        var result = await embedder.GenerateAsync(TinyModel.Reference.Select(r => r.Text));
        Assert.Equal(TinyModel.Reference.Sum(r => r.InputIds.Length), result.Usage!.InputTokenCount);
    }

    private static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, float tolerance, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int d = 0; d < expected.Length; d++)
        {
            Assert.True(Math.Abs(expected[d] - actual[d]) <= tolerance, $"{what}, component {d}: {expected[d]} vs {actual[d]}");
        }
    }

    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
