using System.Numerics;
using System.Numerics.Tensors;

namespace Embeddings;

/// <summary>
/// Pools transformer hidden states into one vector per row, honouring the attention mask. Allocation-free:
/// the caller owns every buffer.
/// </summary>
public static class Pooler
{
    /// <summary>Pools a batch of hidden states with an <see cref="long"/> attention mask (the ONNX Runtime type).</summary>
    /// <param name="hiddenStates">Row-major <c>[batchSize, sequenceLength, hiddenSize]</c> values.</param>
    /// <param name="attentionMask">Row-major <c>[batchSize, sequenceLength]</c>; non-zero marks a real token.</param>
    /// <param name="batchSize">The number of rows.</param>
    /// <param name="sequenceLength">The padded sequence length.</param>
    /// <param name="hiddenSize">The hidden size.</param>
    /// <param name="strategy">The pooling strategy.</param>
    /// <param name="destination">Receives <c>[batchSize, hiddenSize]</c> pooled vectors.</param>
    /// <exception cref="ArgumentException">A size does not match, or a row's mask is all zero (the message names the row).</exception>
    public static void Pool(
        ReadOnlySpan<float> hiddenStates,
        ReadOnlySpan<long> attentionMask,
        int batchSize,
        int sequenceLength,
        int hiddenSize,
        PoolingStrategy strategy,
        Span<float> destination) =>
        PoolCore(hiddenStates, attentionMask, batchSize, sequenceLength, hiddenSize, strategy, destination);

    /// <summary>Pools a batch of hidden states with an <see cref="int"/> attention mask.</summary>
    /// <param name="hiddenStates">Row-major <c>[batchSize, sequenceLength, hiddenSize]</c> values.</param>
    /// <param name="attentionMask">Row-major <c>[batchSize, sequenceLength]</c>; non-zero marks a real token.</param>
    /// <param name="batchSize">The number of rows.</param>
    /// <param name="sequenceLength">The padded sequence length.</param>
    /// <param name="hiddenSize">The hidden size.</param>
    /// <param name="strategy">The pooling strategy.</param>
    /// <param name="destination">Receives <c>[batchSize, hiddenSize]</c> pooled vectors.</param>
    /// <exception cref="ArgumentException">A size does not match, or a row's mask is all zero (the message names the row).</exception>
    public static void Pool(
        ReadOnlySpan<float> hiddenStates,
        ReadOnlySpan<int> attentionMask,
        int batchSize,
        int sequenceLength,
        int hiddenSize,
        PoolingStrategy strategy,
        Span<float> destination) =>
        PoolCore(hiddenStates, attentionMask, batchSize, sequenceLength, hiddenSize, strategy, destination);

    /// <summary>Parses a pooling name as sentence-transformers and Hugging Face write it.</summary>
    /// <param name="name">For example <c>cls</c>, <c>mean</c>, <c>max</c>, <c>lasttoken</c>, <c>mean_sqrt_len_tokens</c>.</param>
    /// <returns>The strategy.</returns>
    /// <exception cref="ArgumentException">The name is unknown.</exception>
    public static PoolingStrategy Parse(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.Trim().ToLowerInvariant().Replace("-", "_", StringComparison.Ordinal) switch
        {
            "cls" or "cls_token" or "pooling_mode_cls_token" => PoolingStrategy.Cls,
            "mean" or "mean_tokens" or "pooling_mode_mean_tokens" => PoolingStrategy.Mean,
            "max" or "max_tokens" or "pooling_mode_max_tokens" => PoolingStrategy.Max,
            "lasttoken" or "last_token" or "last" or "pooling_mode_lasttoken" => PoolingStrategy.LastToken,
            "mean_sqrt_len" or "mean_sqrt_len_tokens" or "meansqrtlength" or "pooling_mode_mean_sqrt_len_tokens" => PoolingStrategy.MeanSqrtLength,
            _ => throw new ArgumentException($"Unknown pooling '{name}'. Known: cls, mean, max, lasttoken, mean_sqrt_len_tokens.", nameof(name)),
        };
    }

    /// <summary>Returns the lower-case name used in fingerprints: <c>cls</c>, <c>mean</c>, <c>max</c>, <c>lasttoken</c>, <c>mean_sqrt_len</c>.</summary>
    /// <param name="strategy">The strategy.</param>
    /// <returns>The name.</returns>
    public static string Name(PoolingStrategy strategy) => strategy switch
    {
        PoolingStrategy.Cls => "cls",
        PoolingStrategy.Mean => "mean",
        PoolingStrategy.Max => "max",
        PoolingStrategy.LastToken => "lasttoken",
        PoolingStrategy.MeanSqrtLength => "mean_sqrt_len",
        _ => throw new ArgumentOutOfRangeException(nameof(strategy), strategy, "Unknown pooling strategy."),
    };

    private static void PoolCore<TMask>(
        ReadOnlySpan<float> hiddenStates,
        ReadOnlySpan<TMask> attentionMask,
        int batchSize,
        int sequenceLength,
        int hiddenSize,
        PoolingStrategy strategy,
        Span<float> destination)
        where TMask : IBinaryInteger<TMask>
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sequenceLength);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(hiddenSize);
        if ((long)batchSize * sequenceLength * hiddenSize != hiddenStates.Length)
        {
            throw new ArgumentException(
                $"Hidden states hold {hiddenStates.Length} values; [{batchSize}, {sequenceLength}, {hiddenSize}] needs {(long)batchSize * sequenceLength * hiddenSize}.",
                nameof(hiddenStates));
        }

        if ((long)batchSize * sequenceLength != attentionMask.Length)
        {
            throw new ArgumentException(
                $"The attention mask holds {attentionMask.Length} values; [{batchSize}, {sequenceLength}] needs {(long)batchSize * sequenceLength}.",
                nameof(attentionMask));
        }

        if (destination.Length < batchSize * hiddenSize)
        {
            throw new ArgumentException($"The destination holds {destination.Length} values; {batchSize * hiddenSize} are needed.", nameof(destination));
        }

        for (int row = 0; row < batchSize; row++)
        {
            ReadOnlySpan<TMask> mask = attentionMask.Slice(row * sequenceLength, sequenceLength);
            ReadOnlySpan<float> states = hiddenStates.Slice(row * sequenceLength * hiddenSize, sequenceLength * hiddenSize);
            Span<float> output = destination.Slice(row * hiddenSize, hiddenSize);
            PoolRow(states, mask, hiddenSize, strategy, output, row);
        }
    }

    private static void PoolRow<TMask>(
        ReadOnlySpan<float> states,
        ReadOnlySpan<TMask> mask,
        int hiddenSize,
        PoolingStrategy strategy,
        Span<float> output,
        int row)
        where TMask : IBinaryInteger<TMask>
    {
        switch (strategy)
        {
            case PoolingStrategy.Cls:
                states.Slice(FirstAttended(mask, row) * hiddenSize, hiddenSize).CopyTo(output);
                break;

            case PoolingStrategy.LastToken:
                states.Slice(LastAttended(mask, row) * hiddenSize, hiddenSize).CopyTo(output);
                break;

            case PoolingStrategy.Max:
            {
                int first = FirstAttended(mask, row);
                states.Slice(first * hiddenSize, hiddenSize).CopyTo(output);
                for (int t = first + 1; t < mask.Length; t++)
                {
                    if (!TMask.IsZero(mask[t]))
                    {
                        TensorPrimitives.Max(output, states.Slice(t * hiddenSize, hiddenSize), output);
                    }
                }

                break;
            }

            case PoolingStrategy.Mean:
            case PoolingStrategy.MeanSqrtLength:
            {
                int first = FirstAttended(mask, row);
                states.Slice(first * hiddenSize, hiddenSize).CopyTo(output);
                int count = 1;
                for (int t = first + 1; t < mask.Length; t++)
                {
                    if (!TMask.IsZero(mask[t]))
                    {
                        TensorPrimitives.Add(output, states.Slice(t * hiddenSize, hiddenSize), output);
                        count++;
                    }
                }

                float scale = strategy == PoolingStrategy.Mean ? 1f / count : 1f / MathF.Sqrt(count);
                TensorPrimitives.Multiply(output, scale, output);
                break;
            }

            default:
                throw new ArgumentOutOfRangeException(nameof(strategy), strategy, "Unknown pooling strategy.");
        }
    }

    private static int FirstAttended<TMask>(ReadOnlySpan<TMask> mask, int row)
        where TMask : IBinaryInteger<TMask>
    {
        for (int t = 0; t < mask.Length; t++)
        {
            if (!TMask.IsZero(mask[t]))
            {
                return t;
            }
        }

        throw AllZeroMask(row);
    }

    private static int LastAttended<TMask>(ReadOnlySpan<TMask> mask, int row)
        where TMask : IBinaryInteger<TMask>
    {
        for (int t = mask.Length - 1; t >= 0; t--)
        {
            if (!TMask.IsZero(mask[t]))
            {
                return t;
            }
        }

        throw AllZeroMask(row);
    }

    private static ArgumentException AllZeroMask(int row) =>
        new($"Row {row} of the attention mask is all zero: there is no token to pool.", "attentionMask");
}
