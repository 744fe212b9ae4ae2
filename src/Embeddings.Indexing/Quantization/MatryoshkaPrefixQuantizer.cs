using System.Runtime.InteropServices;

namespace Embeddings;

/// <summary>
/// Stores only the first <see cref="PrefixDimensions"/> float32 values of each vector (a Matryoshka prefix),
/// re-normalized when asked: the coarse stage of two-stage retrieval for Matryoshka-trained models.
/// </summary>
/// <remarks>Decoding fills the dimensions past the prefix with zeros. Queries are truncated (and re-normalized) the same way before scoring.</remarks>
public sealed class MatryoshkaPrefixQuantizer : IVectorQuantizer
{
    /// <summary>Creates the quantizer.</summary>
    /// <param name="dimensions">The full vector length.</param>
    /// <param name="prefixDimensions">How many leading dimensions to keep; 1 to <paramref name="dimensions"/>.</param>
    /// <param name="normalize">Whether to re-normalize the prefix to unit length. Default: <see langword="true"/>.</param>
    public MatryoshkaPrefixQuantizer(int dimensions, int prefixDimensions, bool normalize = true)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimensions);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(prefixDimensions);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(prefixDimensions, dimensions);
        Dimensions = dimensions;
        PrefixDimensions = prefixDimensions;
        Normalize = normalize;
        BytesPerVector = VectorQuantizer.BytesPerVector(QuantizationKind.MatryoshkaPrefix, dimensions, prefixDimensions);
    }

    /// <inheritdoc />
    public QuantizationKind Kind => QuantizationKind.MatryoshkaPrefix;

    /// <inheritdoc />
    public int Dimensions { get; }

    /// <summary>Gets the number of leading dimensions kept.</summary>
    public int PrefixDimensions { get; }

    /// <summary>Gets whether prefixes are re-normalized to unit length.</summary>
    public bool Normalize { get; }

    /// <inheritdoc />
    public int BytesPerVector { get; }

    /// <inheritdoc />
    public void Encode(ReadOnlySpan<float> vector, Span<byte> code)
    {
        VectorQuantizer.CheckVector(Dimensions, vector);
        VectorQuantizer.CheckCode(BytesPerVector, code);
        MatryoshkaTruncation.Truncate(vector, PrefixDimensions, MemoryMarshal.Cast<byte, float>(code[..BytesPerVector]), Normalize);
    }

    /// <inheritdoc />
    public void Decode(ReadOnlySpan<byte> code, Span<float> vector)
    {
        VectorQuantizer.CheckCode(BytesPerVector, code);
        VectorQuantizer.CheckDestination(Dimensions, vector);
        MemoryMarshal.Cast<byte, float>(code[..BytesPerVector]).CopyTo(vector);
        vector[PrefixDimensions..Dimensions].Clear();
    }

    /// <inheritdoc />
    /// <remarks>Supports every metric but <see cref="DistanceMetric.Hamming"/>; scores compare prefixes.</remarks>
    public QuantizedQueryScorer CreateScorer(ReadOnlySpan<float> query, DistanceMetric metric)
    {
        VectorQuantizer.CheckVector(Dimensions, query);
        VectorQuantizer.CheckFloatMetric(metric);
        var prefix = new float[PrefixDimensions];
        MatryoshkaTruncation.Truncate(query, PrefixDimensions, prefix, Normalize);
        return new Scorer(prefix, metric, BytesPerVector);
    }

    /// <inheritdoc />
    public void Save(Stream stream)
    {
        QuantizerFormat.Write(stream, Kind, Dimensions, writer =>
        {
            writer.Write(PrefixDimensions);
            writer.Write(Normalize);
        });
    }

    internal static MatryoshkaPrefixQuantizer ReadBody(BinaryReader reader, int dimensions)
    {
        int prefix = reader.ReadInt32();
        bool normalize = reader.ReadBoolean();
        if (prefix <= 0 || prefix > dimensions)
        {
            throw QuantizerFormat.Corrupt($"the prefix length {prefix} is outside 1..{dimensions}");
        }

        return new MatryoshkaPrefixQuantizer(dimensions, prefix, normalize);
    }

    private sealed class Scorer(float[] query, DistanceMetric metric, int bytesPerVector) : QuantizedQueryScorer(metric, bytesPerVector)
    {
        public override float Score(ReadOnlySpan<byte> code) =>
            VectorMath.Score(Metric, query, MemoryMarshal.Cast<byte, float>(code[..BytesPerVector]));
    }
}
