using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using Microsoft.Extensions.AI;

namespace Embeddings;

/// <summary>IEEE half precision (2 bytes per dimension); maps to Microsoft.Extensions.AI's <see cref="Embedding{T}"/> of <see cref="Half"/>.</summary>
/// <remarks>
/// Values beyond ±65504 (the largest finite half) are refused with an <see cref="ArgumentException"/> rather than
/// clamped or stored as infinities: a clamped value silently changes scores, an infinity poisons them. Embeddings
/// are far inside that range; normalize or rescale vectors that are not.
/// </remarks>
public sealed class Float16Quantizer : IVectorQuantizer
{
    /// <summary>Creates the quantizer.</summary>
    /// <param name="dimensions">The vector length.</param>
    public Float16Quantizer(int dimensions)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimensions);
        Dimensions = dimensions;
        BytesPerVector = VectorQuantizer.BytesPerVector(QuantizationKind.Float16, dimensions);
    }

    /// <inheritdoc />
    public QuantizationKind Kind => QuantizationKind.Float16;

    /// <inheritdoc />
    public int Dimensions { get; }

    /// <inheritdoc />
    public int BytesPerVector { get; }

    /// <inheritdoc />
    public void Encode(ReadOnlySpan<float> vector, Span<byte> code)
    {
        VectorQuantizer.CheckVector(Dimensions, vector);
        VectorQuantizer.CheckCode(BytesPerVector, code);
        VectorQuantizer.CheckHalfRange(vector, nameof(vector));
        TensorPrimitives.ConvertToHalf(vector, MemoryMarshal.Cast<byte, Half>(code[..BytesPerVector]));
    }

    /// <inheritdoc />
    public void Decode(ReadOnlySpan<byte> code, Span<float> vector)
    {
        VectorQuantizer.CheckCode(BytesPerVector, code);
        VectorQuantizer.CheckDestination(Dimensions, vector);
        TensorPrimitives.ConvertToSingle(MemoryMarshal.Cast<byte, Half>(code[..BytesPerVector]), vector[..Dimensions]);
    }

    /// <summary>Converts a float embedding to Microsoft.Extensions.AI's half-precision embedding, keeping model id, time and properties.</summary>
    /// <param name="embedding">The float embedding, <see cref="Dimensions"/> long.</param>
    /// <returns>The half-precision embedding.</returns>
    public Embedding<Half> ToEmbedding(Embedding<float> embedding)
    {
        ArgumentNullException.ThrowIfNull(embedding);
        VectorQuantizer.CheckVector(Dimensions, embedding.Vector.Span);
        VectorQuantizer.CheckHalfRange(embedding.Vector.Span, nameof(embedding));
        var values = new Half[Dimensions];
        TensorPrimitives.ConvertToHalf(embedding.Vector.Span, values);
        return new Embedding<Half>(values) { ModelId = embedding.ModelId, CreatedAt = embedding.CreatedAt, AdditionalProperties = embedding.AdditionalProperties };
    }

    /// <inheritdoc />
    /// <remarks>Supports every metric but <see cref="DistanceMetric.Hamming"/>.</remarks>
    public QuantizedQueryScorer CreateScorer(ReadOnlySpan<float> query, DistanceMetric metric)
    {
        VectorQuantizer.CheckVector(Dimensions, query);
        VectorQuantizer.CheckFloatMetric(metric);
        return new Scorer(query.ToArray(), metric, BytesPerVector);
    }

    /// <inheritdoc />
    public void Save(Stream stream)
    {
        QuantizerFormat.Write(stream, Kind, Dimensions);
    }

    private sealed class Scorer(float[] query, DistanceMetric metric, int bytesPerVector) : QuantizedQueryScorer(metric, bytesPerVector)
    {
        private readonly float[] _decoded = new float[query.Length];

        public override float Score(ReadOnlySpan<byte> code)
        {
            TensorPrimitives.ConvertToSingle(MemoryMarshal.Cast<byte, Half>(code[..BytesPerVector]), _decoded);
            return VectorMath.Score(Metric, query, _decoded);
        }
    }
}
