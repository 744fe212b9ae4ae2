using System.Runtime.InteropServices;

namespace Embeddings;

/// <summary>The identity "quantizer": stores float32 values as they are (4 bytes per dimension), for full-precision storage and rescoring behind the same interface as the compact codes.</summary>
public sealed class Float32Quantizer : IVectorQuantizer
{
    /// <summary>Creates the quantizer.</summary>
    /// <param name="dimensions">The vector length.</param>
    public Float32Quantizer(int dimensions)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimensions);
        Dimensions = dimensions;
        BytesPerVector = VectorQuantizer.BytesPerVector(QuantizationKind.Float32, dimensions);
    }

    /// <inheritdoc />
    public QuantizationKind Kind => QuantizationKind.Float32;

    /// <inheritdoc />
    public int Dimensions { get; }

    /// <inheritdoc />
    public int BytesPerVector { get; }

    /// <inheritdoc />
    public void Encode(ReadOnlySpan<float> vector, Span<byte> code)
    {
        VectorQuantizer.CheckVector(Dimensions, vector);
        VectorQuantizer.CheckCode(BytesPerVector, code);
        MemoryMarshal.AsBytes(vector).CopyTo(code);
    }

    /// <inheritdoc />
    public void Decode(ReadOnlySpan<byte> code, Span<float> vector)
    {
        VectorQuantizer.CheckCode(BytesPerVector, code);
        VectorQuantizer.CheckDestination(Dimensions, vector);
        code[..BytesPerVector].CopyTo(MemoryMarshal.AsBytes(vector));
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
        public override float Score(ReadOnlySpan<byte> code) =>
            VectorMath.Score(Metric, query, MemoryMarshal.Cast<byte, float>(code[..BytesPerVector]));
    }
}
