using Embeddings.Testing;

namespace Embeddings.Core.Tests.Pooling;

public sealed class PoolerTests
{
    public enum Padding
    {
        None,
        Right,
        Left,
    }

    public static TheoryData<int, int, Padding> Shapes()
    {
        var data = new TheoryData<int, int, Padding>();
        foreach (Padding padding in Enum.GetValues<Padding>())
        {
            foreach (int length in new[] { 1, 3, 17, 384, 1000 })
            {
                data.Add(length, 3, padding);   // the length as the hidden size
                data.Add(5, length, padding);   // the length as the sequence length
            }

            data.Add(384, 17, padding);
        }

        return data;
    }

    /// <summary>
    /// A batch of 3 rows with 3 different lengths (full, about half, one token) padded as asked. Each hidden
    /// dimension keeps one sign across tokens, so sums do not cancel and a pure relative bound is fair; padded
    /// positions hold NaN, so any leak of padding into a result shows.
    /// </summary>
    private static (float[] States, long[] Mask) Batch(int sequence, int hidden, Padding padding, int seed)
    {
        const int batch = 3;
        var random = new Random(seed);
        var sign = new float[hidden];
        for (int h = 0; h < hidden; h++)
        {
            sign[h] = random.Next(2) == 0 ? -1f : 1f;
        }

        int[] lengths = padding == Padding.None ? [sequence, sequence, sequence] : [sequence, Math.Max(1, sequence / 2), 1];
        var mask = new long[batch * sequence];
        var states = new float[batch * sequence * hidden];
        for (int row = 0; row < batch; row++)
        {
            int start = padding == Padding.Left ? sequence - lengths[row] : 0;
            for (int t = 0; t < sequence; t++)
            {
                bool attended = t >= start && t < start + lengths[row];
                mask[(row * sequence) + t] = attended ? 1 : 0;
                for (int h = 0; h < hidden; h++)
                {
                    states[(((row * sequence) + t) * hidden) + h] = attended ? sign[h] * (float)(0.5 + random.NextDouble()) : float.NaN;
                }
            }
        }

        return (states, mask);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Every_strategy_matches_the_scalar_reference(int sequence, int hidden, Padding padding)
    {
        const int batch = 3;
        (float[] states, long[] mask) = Batch(sequence, hidden, padding, (sequence * 7919) + hidden);
        int[] intMask = mask.Select(m => (int)m).ToArray();

        foreach (PoolingStrategy strategy in Enum.GetValues<PoolingStrategy>())
        {
            double[] expected = ScalarReference.Pool(states, mask, batch, sequence, hidden, strategy);
            var withLongMask = new float[batch * hidden];
            var withIntMask = new float[batch * hidden];
            Pooler.Pool(states, mask, batch, sequence, hidden, strategy, withLongMask);
            Pooler.Pool(states, intMask, batch, sequence, hidden, strategy, withIntMask);

            for (int i = 0; i < expected.Length; i++)
            {
                string at = $"{strategy}, [{batch}, {sequence}, {hidden}], {padding} padding, row {i / hidden}, dimension {i % hidden}";
                ScalarReference.AssertRelative(expected[i], withLongMask[i], at + ", long mask");
                Assert.Equal(withLongMask[i], withIntMask[i]);
            }
        }
    }

    [Fact]
    public void Left_and_right_padding_pool_the_same_tokens_to_the_same_vector()
    {
        const int hidden = 17;
        var random = new Random(5);
        float[] tokens = Enumerable.Range(0, 4 * hidden).Select(_ => (float)random.NextDouble()).ToArray();

        // The same 4 tokens in a sequence of 7: right padded (tokens first) and left padded (tokens last).
        var right = new float[7 * hidden];
        var left = new float[7 * hidden];
        tokens.CopyTo(right, 0);
        tokens.CopyTo(left, 3 * hidden);
        long[] rightMask = [1, 1, 1, 1, 0, 0, 0];
        long[] leftMask = [0, 0, 0, 1, 1, 1, 1];

        foreach (PoolingStrategy strategy in Enum.GetValues<PoolingStrategy>())
        {
            var fromRight = new float[hidden];
            var fromLeft = new float[hidden];
            Pooler.Pool(right, rightMask, 1, 7, hidden, strategy, fromRight);
            Pooler.Pool(left, leftMask, 1, 7, hidden, strategy, fromLeft);
            Assert.Equal(fromRight, fromLeft);
        }

        // Last-token pooling takes the last real token, not the last position.
        var last = new float[hidden];
        Pooler.Pool(right, rightMask, 1, 7, hidden, PoolingStrategy.LastToken, last);
        Assert.Equal(tokens.AsSpan(3 * hidden, hidden).ToArray(), last);
    }

    [Fact]
    public void An_all_zero_mask_row_is_an_error_naming_the_row()
    {
        var states = new float[3 * 4 * 2];
        long[] mask = [1, 1, 0, 0, /* row 1: */ 0, 0, 0, 0, /* row 2: */ 1, 0, 0, 0];
        foreach (PoolingStrategy strategy in Enum.GetValues<PoolingStrategy>())
        {
            ArgumentException error = Assert.Throws<ArgumentException>(() => Pooler.Pool(states, mask, 3, 4, 2, strategy, new float[6]));
            Assert.Contains("Row 1", error.Message, StringComparison.Ordinal);
            Assert.Equal("attentionMask", error.ParamName);

            int[] intMask = mask.Select(m => (int)m).ToArray();
            Assert.Contains("Row 1", Assert.Throws<ArgumentException>(() => Pooler.Pool(states, intMask, 3, 4, 2, strategy, new float[6])).Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Size_mismatches_are_errors_that_name_the_sizes()
    {
        var states = new float[2 * 3 * 4];
        var mask = new long[2 * 3];
        Array.Fill(mask, 1);

        ArgumentException statesError = Assert.Throws<ArgumentException>(() => Pooler.Pool(states.AsSpan(1), mask, 2, 3, 4, PoolingStrategy.Mean, new float[8]));
        Assert.Contains("23", statesError.Message, StringComparison.Ordinal);
        Assert.Contains("24", statesError.Message, StringComparison.Ordinal);

        ArgumentException maskError = Assert.Throws<ArgumentException>(() => Pooler.Pool(states, mask.AsSpan(1), 2, 3, 4, PoolingStrategy.Mean, new float[8]));
        Assert.Contains("5", maskError.Message, StringComparison.Ordinal);
        Assert.Contains("6", maskError.Message, StringComparison.Ordinal);

        ArgumentException destinationError = Assert.Throws<ArgumentException>(() => Pooler.Pool(states, mask, 2, 3, 4, PoolingStrategy.Mean, new float[7]));
        Assert.Contains("7", destinationError.Message, StringComparison.Ordinal);
        Assert.Contains("8", destinationError.Message, StringComparison.Ordinal);

        Assert.Throws<ArgumentOutOfRangeException>(() => Pooler.Pool(states, mask, 0, 3, 4, PoolingStrategy.Mean, new float[8]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Pooler.Pool(states, mask, 2, 3, 4, (PoolingStrategy)99, new float[8]));
    }

    [Fact]
    public void Pooling_a_batch_does_not_allocate()
    {
        (float[] states, long[] mask) = Batch(64, 384, Padding.Right, 3);
        var destination = new float[3 * 384];
        PoolingStrategy[] strategies = Enum.GetValues<PoolingStrategy>();
        foreach (PoolingStrategy strategy in strategies)
        {
            Pooler.Pool(states, mask, 3, 64, 384, strategy, destination);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        foreach (PoolingStrategy strategy in strategies)
        {
            Pooler.Pool(states, mask, 3, 64, 384, strategy, destination);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Theory]
    [InlineData("cls", PoolingStrategy.Cls)]
    [InlineData("pooling_mode_cls_token", PoolingStrategy.Cls)]
    [InlineData(" Mean ", PoolingStrategy.Mean)]
    [InlineData("mean_tokens", PoolingStrategy.Mean)]
    [InlineData("max", PoolingStrategy.Max)]
    [InlineData("lasttoken", PoolingStrategy.LastToken)]
    [InlineData("last-token", PoolingStrategy.LastToken)]
    [InlineData("pooling_mode_mean_sqrt_len_tokens", PoolingStrategy.MeanSqrtLength)]
    public void Parse_reads_sentence_transformers_names(string name, PoolingStrategy expected)
    {
        Assert.Equal(expected, Pooler.Parse(name));
    }

    [Fact]
    public void Names_round_trip_and_unknown_names_are_errors()
    {
        foreach (PoolingStrategy strategy in Enum.GetValues<PoolingStrategy>())
        {
            Assert.Equal(strategy, Pooler.Parse(Pooler.Name(strategy)));
        }

        Assert.Contains("weighted", Assert.Throws<ArgumentException>(() => Pooler.Parse("weighted")).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentNullException>(() => Pooler.Parse(null!));
    }
}
