using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.Extensions.AI;

namespace Embeddings;

/// <summary>
/// Scalar int8 quantization with a range per dimension: 256 evenly spaced levels from the range's minimum to
/// its maximum, one byte per dimension; maps to Microsoft.Extensions.AI's <see cref="Embedding{T}"/> of <see cref="sbyte"/>.
/// </summary>
/// <remarks>
/// Level <c>u</c> in 0..255 is stored as the sbyte <c>u - 128</c> and decodes to <c>min + u * (max - min) / 255</c>.
/// Values outside the range are clipped to its ends, never wrapped. A dimension whose range is a single point
/// decodes to that point. Ranges come from <see cref="Calibrate(ReadOnlySpan{float}, int, float, float)"/> or are given.
/// </remarks>
public sealed class ScalarInt8Quantizer : IVectorQuantizer
{
    private const int Levels = 255;
    private readonly float[] _minimums;
    private readonly float[] _maximums;
    private readonly float[] _steps;
    private readonly float[] _inverseSteps;
    private readonly float[] _centers;

    /// <summary>Creates the quantizer from given ranges.</summary>
    /// <param name="minimums">The lowest value of each dimension.</param>
    /// <param name="maximums">The highest value of each dimension; as long as <paramref name="minimums"/>, each at least its minimum.</param>
    /// <exception cref="ArgumentException">The arrays are empty, differ in length, hold non-finite values, or a maximum is below its minimum.</exception>
    public ScalarInt8Quantizer(ReadOnlySpan<float> minimums, ReadOnlySpan<float> maximums)
    {
        VectorMath.EnsureFinite(minimums, nameof(minimums));
        VectorMath.EnsureFinite(maximums, nameof(maximums));
        VectorMath.EnsureSameLength(minimums.Length, maximums.Length);
        int d = minimums.Length;
        _minimums = minimums.ToArray();
        _maximums = maximums.ToArray();
        _steps = new float[d];
        _inverseSteps = new float[d];
        _centers = new float[d];
        for (int i = 0; i < d; i++)
        {
            if (_maximums[i] < _minimums[i])
            {
                throw new ArgumentException($"Dimension {i}: the maximum {_maximums[i]} is below the minimum {_minimums[i]}.", nameof(maximums));
            }

            float step = (_maximums[i] - _minimums[i]) / Levels;
            _steps[i] = step;
            _inverseSteps[i] = step > 0f ? 1f / step : 0f;
            _centers[i] = _minimums[i] + (128 * step);
        }

        Dimensions = d;
    }

    /// <inheritdoc />
    public QuantizationKind Kind => QuantizationKind.ScalarInt8;

    /// <inheritdoc />
    public int Dimensions { get; }

    /// <inheritdoc />
    public int BytesPerVector => Dimensions;

    /// <summary>Gets the lowest representable value of each dimension.</summary>
    public ReadOnlySpan<float> Minimums => _minimums;

    /// <summary>Gets the highest representable value of each dimension.</summary>
    public ReadOnlySpan<float> Maximums => _maximums;

    /// <summary>
    /// Calibrates per-dimension ranges from sample vectors stored back to back: the minimum and maximum, or
    /// the given quantiles (which clip outliers).
    /// </summary>
    /// <param name="vectors">The calibration vectors, <paramref name="dimensions"/> values each, back to back; at least two vectors.</param>
    /// <param name="dimensions">The vector length.</param>
    /// <param name="lowerQuantile">The quantile that becomes each range's minimum, in [0, 1). Default: 0 (the minimum).</param>
    /// <param name="upperQuantile">The quantile that becomes each range's maximum, in (lowerQuantile, 1]. Default: 1 (the maximum).</param>
    /// <returns>The calibrated quantizer.</returns>
    /// <exception cref="ArgumentException">Fewer than two vectors, a length that is not a multiple of <paramref name="dimensions"/>, non-finite values, or quantiles out of order.</exception>
    public static ScalarInt8Quantizer Calibrate(ReadOnlySpan<float> vectors, int dimensions, float lowerQuantile = 0f, float upperQuantile = 1f)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimensions);
        if (!(lowerQuantile >= 0f && lowerQuantile < upperQuantile && upperQuantile <= 1f))
        {
            throw new ArgumentException($"The quantiles must satisfy 0 <= lower < upper <= 1; got {lowerQuantile} and {upperQuantile}.", nameof(lowerQuantile));
        }

        if (vectors.Length % dimensions != 0)
        {
            throw new ArgumentException($"{vectors.Length} values are not a whole number of {dimensions}-dimensional vectors.", nameof(vectors));
        }

        int count = vectors.Length / dimensions;
        if (count < 2)
        {
            throw new ArgumentException($"Calibrating int8 ranges needs at least 2 vectors; got {count}.", nameof(vectors));
        }

        VectorMath.EnsureFinite(vectors, nameof(vectors));
        var minimums = new float[dimensions];
        var maximums = new float[dimensions];
        if (lowerQuantile == 0f && upperQuantile == 1f)
        {
            vectors[..dimensions].CopyTo(minimums);
            vectors[..dimensions].CopyTo(maximums);
            for (int v = 1; v < count; v++)
            {
                ReadOnlySpan<float> row = vectors.Slice(v * dimensions, dimensions);
                System.Numerics.Tensors.TensorPrimitives.Min(minimums, row, minimums);
                System.Numerics.Tensors.TensorPrimitives.Max(maximums, row, maximums);
            }
        }
        else
        {
            var column = new float[count];
            for (int i = 0; i < dimensions; i++)
            {
                for (int v = 0; v < count; v++)
                {
                    column[v] = vectors[(v * dimensions) + i];
                }

                Array.Sort(column);
                minimums[i] = Quantile(column, lowerQuantile);
                maximums[i] = Quantile(column, upperQuantile);
            }
        }

        return new ScalarInt8Quantizer(minimums, maximums);
    }

    /// <summary>Calibrates per-dimension ranges from a list of vectors; see <see cref="Calibrate(ReadOnlySpan{float}, int, float, float)"/>.</summary>
    /// <param name="vectors">The calibration vectors, all of one length; at least two.</param>
    /// <param name="lowerQuantile">The quantile that becomes each range's minimum. Default: 0.</param>
    /// <param name="upperQuantile">The quantile that becomes each range's maximum. Default: 1.</param>
    /// <returns>The calibrated quantizer.</returns>
    public static ScalarInt8Quantizer Calibrate(IReadOnlyList<ReadOnlyMemory<float>> vectors, float lowerQuantile = 0f, float upperQuantile = 1f)
    {
        ArgumentNullException.ThrowIfNull(vectors);
        if (vectors.Count < 2)
        {
            throw new ArgumentException($"Calibrating int8 ranges needs at least 2 vectors; got {vectors.Count}.", nameof(vectors));
        }

        int d = vectors[0].Length;
        var flat = new float[checked(vectors.Count * d)];
        for (int v = 0; v < vectors.Count; v++)
        {
            VectorMath.EnsureSameLength(d, vectors[v].Length);
            vectors[v].Span.CopyTo(flat.AsSpan(v * d));
        }

        return Calibrate(flat, d, lowerQuantile, upperQuantile);
    }

    /// <inheritdoc />
    /// <remarks>Values outside a dimension's range are clipped to its nearest end.</remarks>
    public void Encode(ReadOnlySpan<float> vector, Span<byte> code)
    {
        VectorQuantizer.CheckVector(Dimensions, vector);
        VectorQuantizer.CheckCode(BytesPerVector, code);
        VectorMath.EnsureFinite(vector, nameof(vector));
        for (int i = 0; i < vector.Length; i++)
        {
            float level = (vector[i] - _minimums[i]) * _inverseSteps[i];
            level = Math.Clamp(level, 0f, Levels);
            code[i] = (byte)(sbyte)((int)MathF.Round(level) - 128);
        }
    }

    /// <inheritdoc />
    public void Decode(ReadOnlySpan<byte> code, Span<float> vector)
    {
        VectorQuantizer.CheckCode(BytesPerVector, code);
        VectorQuantizer.CheckDestination(Dimensions, vector);
        ReadOnlySpan<sbyte> codes = MemoryMarshal.Cast<byte, sbyte>(code);
        for (int i = 0; i < Dimensions; i++)
        {
            vector[i] = MathF.FusedMultiplyAdd(codes[i], _steps[i], _centers[i]);
        }
    }

    /// <summary>Quantizes a float embedding to Microsoft.Extensions.AI's int8 embedding, keeping model id, time and properties.</summary>
    /// <param name="embedding">The float embedding, <see cref="Dimensions"/> long.</param>
    /// <returns>The int8 embedding; its values are the codes (decode them with <see cref="ToFloatEmbedding"/>).</returns>
    public Embedding<sbyte> ToEmbedding(Embedding<float> embedding)
    {
        ArgumentNullException.ThrowIfNull(embedding);
        var codes = new sbyte[Dimensions];
        Encode(embedding.Vector.Span, MemoryMarshal.AsBytes(codes.AsSpan()));
        return new Embedding<sbyte>(codes) { ModelId = embedding.ModelId, CreatedAt = embedding.CreatedAt, AdditionalProperties = embedding.AdditionalProperties };
    }

    /// <summary>Decodes an int8 embedding made by <see cref="ToEmbedding"/> back to floats.</summary>
    /// <param name="embedding">The int8 embedding, <see cref="Dimensions"/> long.</param>
    /// <returns>The dequantized float embedding.</returns>
    public Embedding<float> ToFloatEmbedding(Embedding<sbyte> embedding)
    {
        ArgumentNullException.ThrowIfNull(embedding);
        VectorMath.EnsureSameLength(Dimensions, embedding.Vector.Length);
        var values = new float[Dimensions];
        Decode(MemoryMarshal.AsBytes(embedding.Vector.Span), values);
        return new Embedding<float>(values) { ModelId = embedding.ModelId, CreatedAt = embedding.CreatedAt, AdditionalProperties = embedding.AdditionalProperties };
    }

    /// <inheritdoc />
    /// <remarks>
    /// Dot product and (squared) Euclidean distance run directly on the codes (the query folds in each
    /// dimension's step and center); cosine and Manhattan decode into scratch first.
    /// </remarks>
    public QuantizedQueryScorer CreateScorer(ReadOnlySpan<float> query, DistanceMetric metric)
    {
        VectorQuantizer.CheckVector(Dimensions, query);
        VectorQuantizer.CheckFloatMetric(metric);
        return metric switch
        {
            DistanceMetric.DotProduct => new DotScorer(this, query),
            DistanceMetric.EuclideanSquared or DistanceMetric.Euclidean => new EuclideanScorer(this, query, metric),
            _ => new DecodingScorer(this, query, metric),
        };
    }

    /// <inheritdoc />
    public void Save(Stream stream)
    {
        QuantizerFormat.Write(stream, Kind, Dimensions, writer =>
        {
            QuantizerFormat.WriteFloats(writer, _minimums);
            QuantizerFormat.WriteFloats(writer, _maximums);
        });
    }

    internal static ScalarInt8Quantizer ReadBody(BinaryReader reader, int dimensions)
    {
        QuantizerFormat.RequireBytes(reader, 2L * dimensions * sizeof(float), $"the ranges of {dimensions} dimensions");
        float[] minimums = QuantizerFormat.ReadFloats(reader, dimensions, "the minimums");
        float[] maximums = QuantizerFormat.ReadFloats(reader, dimensions, "the maximums");
        try
        {
            return new ScalarInt8Quantizer(minimums, maximums);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"The quantizer data is corrupt: {e.Message}", e);
        }
    }

    private static float Quantile(float[] sorted, float q)
    {
        double position = q * (sorted.Length - 1);
        int lower = (int)Math.Floor(position);
        int upper = Math.Min(lower + 1, sorted.Length - 1);
        double fraction = position - lower;
        return (float)(sorted[lower] + ((sorted[upper] - sorted[lower]) * fraction));
    }

    private sealed class DotScorer : QuantizedQueryScorer
    {
        private readonly float[] _weights;
        private readonly float _bias;

        public DotScorer(ScalarInt8Quantizer quantizer, ReadOnlySpan<float> query)
            : base(DistanceMetric.DotProduct, quantizer.BytesPerVector)
        {
            // q · (center + step * c) = q · center + Σ (q * step) c
            _weights = new float[query.Length];
            System.Numerics.Tensors.TensorPrimitives.Multiply(query, quantizer._steps, _weights);
            _bias = System.Numerics.Tensors.TensorPrimitives.Dot(query, quantizer._centers);
        }

        public override float Score(ReadOnlySpan<byte> code)
        {
            VectorQuantizer.CheckCode(BytesPerVector, code);
            return _bias + Int8Kernels.WeightedSum(_weights, MemoryMarshal.Cast<byte, sbyte>(code)[.._weights.Length]);
        }

        protected override void ScoreManyCore(ReadOnlySpan<byte> codes, Span<float> scores)
        {
            ref float w = ref MemoryMarshal.GetArrayDataReference(_weights);
            ref sbyte c = ref Unsafe.As<byte, sbyte>(ref MemoryMarshal.GetReference(codes));
            int d = _weights.Length;
            for (int i = 0; i < scores.Length; i++)
            {
                scores[i] = _bias + Int8Kernels.WeightedSum(ref w, ref Unsafe.Add(ref c, i * d), d);
            }
        }
    }

    private sealed class EuclideanScorer : QuantizedQueryScorer
    {
        private readonly float[] _residuals;
        private readonly float[] _negativeSteps;
        private readonly bool _squared;

        public EuclideanScorer(ScalarInt8Quantizer quantizer, ReadOnlySpan<float> query, DistanceMetric metric)
            : base(metric, quantizer.BytesPerVector)
        {
            // q - (center + step * c) = (q - center) + (-step) c
            _residuals = new float[query.Length];
            System.Numerics.Tensors.TensorPrimitives.Subtract(query, quantizer._centers, _residuals);
            _negativeSteps = new float[query.Length];
            System.Numerics.Tensors.TensorPrimitives.Negate(quantizer._steps, _negativeSteps);
            _squared = metric == DistanceMetric.EuclideanSquared;
        }

        public override float Score(ReadOnlySpan<byte> code)
        {
            VectorQuantizer.CheckCode(BytesPerVector, code);
            float squared = Int8Kernels.SquaredResidual(_residuals, _negativeSteps, MemoryMarshal.Cast<byte, sbyte>(code)[.._residuals.Length]);
            return _squared ? -squared : -MathF.Sqrt(squared);
        }

        protected override void ScoreManyCore(ReadOnlySpan<byte> codes, Span<float> scores)
        {
            ref float a = ref MemoryMarshal.GetArrayDataReference(_residuals);
            ref float s = ref MemoryMarshal.GetArrayDataReference(_negativeSteps);
            ref sbyte c = ref Unsafe.As<byte, sbyte>(ref MemoryMarshal.GetReference(codes));
            int d = _residuals.Length;
            for (int i = 0; i < scores.Length; i++)
            {
                float squared = Int8Kernels.SquaredResidual(ref a, ref s, ref Unsafe.Add(ref c, i * d), d);
                scores[i] = _squared ? -squared : -MathF.Sqrt(squared);
            }
        }
    }

    private sealed class DecodingScorer(ScalarInt8Quantizer quantizer, ReadOnlySpan<float> query, DistanceMetric metric)
        : QuantizedQueryScorer(metric, quantizer.BytesPerVector)
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
