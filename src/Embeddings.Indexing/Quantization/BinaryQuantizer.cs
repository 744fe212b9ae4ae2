using System.Collections;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.Extensions.AI;

namespace Embeddings;

/// <summary>
/// Binary quantization: one sign bit per dimension (set when the value is above zero), packed least-significant
/// bit first into 64-bit little-endian words; maps to Microsoft.Extensions.AI's <see cref="BinaryEmbedding"/>.
/// </summary>
/// <remarks>
/// A code takes <c>ceil(dimensions / 64) * 8</c> bytes (48 for 384 dimensions); unused bits of the last word are
/// zero. Codes decode to ±1 per dimension. Queries score codes either symmetrically (<see cref="DistanceMetric.Hamming"/>
/// between sign bits, through <see cref="VectorMath.Hamming"/>) or asymmetrically (the float query against the ±1
/// vector a code stands for), which ranks better and is what rescoring uses.
/// </remarks>
public sealed class BinaryQuantizer : IVectorQuantizer
{
    /// <summary>Creates the quantizer.</summary>
    /// <param name="dimensions">The vector length.</param>
    public BinaryQuantizer(int dimensions)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimensions);
        Dimensions = dimensions;
        Words = WordsFor(dimensions);
    }

    /// <inheritdoc />
    public QuantizationKind Kind => QuantizationKind.Binary;

    /// <inheritdoc />
    public int Dimensions { get; }

    /// <summary>Gets the number of 64-bit words per code.</summary>
    public int Words { get; }

    /// <inheritdoc />
    public int BytesPerVector => Words * sizeof(ulong);

    /// <inheritdoc />
    public void Encode(ReadOnlySpan<float> vector, Span<byte> code)
    {
        VectorQuantizer.CheckVector(Dimensions, vector);
        VectorQuantizer.CheckCode(BytesPerVector, code);
        Pack(vector, MemoryMarshal.Cast<byte, ulong>(code[..BytesPerVector]));
    }

    /// <summary>Packs the sign bits of <paramref name="vector"/> into <paramref name="words"/>.</summary>
    /// <param name="vector">The vector, <see cref="Dimensions"/> long.</param>
    /// <param name="words">Receives <see cref="Words"/> words.</param>
    public void Encode(ReadOnlySpan<float> vector, Span<ulong> words)
    {
        VectorQuantizer.CheckVector(Dimensions, vector);
        if (words.Length < Words)
        {
            throw new ArgumentException($"The destination has {words.Length} words; {Words} are needed.", nameof(words));
        }

        Pack(vector, words[..Words]);
    }

    /// <inheritdoc />
    /// <remarks>Each dimension decodes to +1 when its bit is set and -1 otherwise.</remarks>
    public void Decode(ReadOnlySpan<byte> code, Span<float> vector)
    {
        VectorQuantizer.CheckCode(BytesPerVector, code);
        VectorQuantizer.CheckDestination(Dimensions, vector);
        ReadOnlySpan<ulong> words = MemoryMarshal.Cast<byte, ulong>(code[..BytesPerVector]);
        for (int i = 0; i < Dimensions; i++)
        {
            vector[i] = ((words[i >> 6] >> (i & 63)) & 1UL) != 0 ? 1f : -1f;
        }
    }

    /// <summary>Converts a float embedding to Microsoft.Extensions.AI's binary embedding (bit i set when value i is above zero).</summary>
    /// <param name="embedding">The float embedding, <see cref="Dimensions"/> long.</param>
    /// <returns>The binary embedding.</returns>
    public BinaryEmbedding ToEmbedding(Embedding<float> embedding)
    {
        ArgumentNullException.ThrowIfNull(embedding);
        ReadOnlySpan<float> values = embedding.Vector.Span;
        VectorQuantizer.CheckVector(Dimensions, values);
        var bits = new BitArray(Dimensions);
        for (int i = 0; i < values.Length; i++)
        {
            bits[i] = values[i] > 0f;
        }

        return new BinaryEmbedding(bits) { ModelId = embedding.ModelId, CreatedAt = embedding.CreatedAt, AdditionalProperties = embedding.AdditionalProperties };
    }

    /// <summary>Packs a <see cref="BinaryEmbedding"/> into this quantizer's code layout.</summary>
    /// <param name="embedding">The binary embedding, <see cref="Dimensions"/> bits.</param>
    /// <param name="code">Receives <see cref="BytesPerVector"/> bytes.</param>
    public void Encode(BinaryEmbedding embedding, Span<byte> code)
    {
        ArgumentNullException.ThrowIfNull(embedding);
        VectorMath.EnsureSameLength(Dimensions, embedding.Vector.Length);
        VectorQuantizer.CheckCode(BytesPerVector, code);
        Span<ulong> words = MemoryMarshal.Cast<byte, ulong>(code[..BytesPerVector]);
        words.Clear();
        for (int i = 0; i < Dimensions; i++)
        {
            if (embedding.Vector[i])
            {
                words[i >> 6] |= 1UL << (i & 63);
            }
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// <see cref="DistanceMetric.Hamming"/> scores <c>-hamming(bits(query), code)</c>. The other metrics are
    /// asymmetric: they compare the float query with the ±1 vector the code decodes to.
    /// </remarks>
    public QuantizedQueryScorer CreateScorer(ReadOnlySpan<float> query, DistanceMetric metric)
    {
        VectorQuantizer.CheckVector(Dimensions, query);
        if (!Enum.IsDefined(metric))
        {
            throw new ArgumentException($"Unknown metric {metric}.", nameof(metric));
        }

        if (metric == DistanceMetric.Hamming)
        {
            var words = new ulong[Words];
            Pack(query, words);
            return new HammingScorer(words, BytesPerVector);
        }

        return metric == DistanceMetric.Manhattan
            ? new DecodingScorer(this, query)
            : new AsymmetricScorer(query, metric, BytesPerVector);
    }

    /// <inheritdoc />
    public void Save(Stream stream)
    {
        QuantizerFormat.Write(stream, Kind, Dimensions);
    }

    internal static int WordsFor(int dimensions) => (int)(((long)dimensions + 63) / 64);

    private static void Pack(ReadOnlySpan<float> vector, Span<ulong> words)
    {
        words.Clear();
        for (int i = 0; i < vector.Length; i++)
        {
            if (vector[i] > 0f)
            {
                words[i >> 6] |= 1UL << (i & 63);
            }
        }
    }

    private sealed class HammingScorer(ulong[] query, int bytesPerVector) : QuantizedQueryScorer(DistanceMetric.Hamming, bytesPerVector)
    {
        public override float Score(ReadOnlySpan<byte> code) =>
            -VectorMath.Hamming(query, MemoryMarshal.Cast<byte, ulong>(code[..BytesPerVector]));

        protected override void ScoreManyCore(ReadOnlySpan<byte> codes, Span<float> scores)
        {
            ReadOnlySpan<ulong> words = MemoryMarshal.Cast<byte, ulong>(codes);
            ref ulong w = ref MemoryMarshal.GetReference(words);
            ref float s = ref MemoryMarshal.GetReference(scores);
            int n = query.Length;
            int count = scores.Length;

            // Short codes are unrolled here; the loop call overhead would dominate two POPCNTs.
            if (n == 1)
            {
                ulong q0 = query[0];
                for (int i = 0; i < count; i++)
                {
                    Unsafe.Add(ref s, i) = -BitOperations.PopCount(Unsafe.Add(ref w, i) ^ q0);
                }
            }
            else if (n == 2)
            {
                ulong q0 = query[0], q1 = query[1];
                for (int i = 0; i < count; i++)
                {
                    ref ulong code = ref Unsafe.Add(ref w, 2 * i);
                    Unsafe.Add(ref s, i) = -(BitOperations.PopCount(code ^ q0) + BitOperations.PopCount(Unsafe.Add(ref code, 1) ^ q1));
                }
            }
            else
            {
                for (int i = 0; i < count; i++)
                {
                    Unsafe.Add(ref s, i) = -VectorMath.Hamming(query, words.Slice(i * n, n));
                }
            }
        }
    }

    private sealed class AsymmetricScorer : QuantizedQueryScorer
    {
        private readonly float[] _query;
        private readonly float _sum;
        private readonly float _normSquared;

        public AsymmetricScorer(ReadOnlySpan<float> query, DistanceMetric metric, int bytesPerVector)
            : base(metric, bytesPerVector)
        {
            _query = query.ToArray();
            _sum = System.Numerics.Tensors.TensorPrimitives.Sum(query);
            _normSquared = System.Numerics.Tensors.TensorPrimitives.Dot(query, query);
        }

        public override float Score(ReadOnlySpan<byte> code)
        {
            ReadOnlySpan<ulong> words = MemoryMarshal.Cast<byte, ulong>(code[..BytesPerVector]);

            // q · s with s = ±1 equals 2 Σ(q over set bits) - Σ q.
            float setSum = 0f;
            for (int w = 0; w < words.Length; w++)
            {
                ulong bits = words[w];
                while (bits != 0)
                {
                    setSum += _query[(w << 6) + BitOperations.TrailingZeroCount(bits)];
                    bits &= bits - 1;
                }
            }

            float dot = (2f * setSum) - _sum;
            int d = _query.Length;
            return Metric switch
            {
                DistanceMetric.DotProduct => dot,
                DistanceMetric.Cosine => _normSquared > 0f ? Math.Clamp(dot / MathF.Sqrt(_normSquared * d), -1f, 1f) : 0f,
                DistanceMetric.EuclideanSquared => -(_normSquared - (2f * dot) + d),
                _ => -MathF.Sqrt(MathF.Max(0f, _normSquared - (2f * dot) + d)),
            };
        }
    }

    private sealed class DecodingScorer(BinaryQuantizer quantizer, ReadOnlySpan<float> query) : QuantizedQueryScorer(DistanceMetric.Manhattan, quantizer.BytesPerVector)
    {
        private readonly float[] _query = query.ToArray();
        private readonly float[] _decoded = new float[query.Length];

        public override float Score(ReadOnlySpan<byte> code)
        {
            quantizer.Decode(code, _decoded);
            return VectorMath.Score(Metric, _query, _decoded);
        }
    }
}
