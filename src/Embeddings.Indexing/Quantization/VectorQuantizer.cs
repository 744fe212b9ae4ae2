namespace Embeddings;

/// <summary>Loads any saved <see cref="IVectorQuantizer"/> and reports the memory each representation takes.</summary>
public static class VectorQuantizer
{
    /// <summary>Reads a quantizer written by <see cref="IVectorQuantizer.Save(Stream)"/>.</summary>
    /// <param name="stream">The source stream, positioned at the quantizer.</param>
    /// <returns>The quantizer, equal bit for bit to the one saved.</returns>
    /// <exception cref="InvalidDataException">The data is not a quantizer, has an unknown version or kind, is truncated, fails its CRC-32C checksum, declares sizes its bytes do not hold, or holds non-finite values.</exception>
    public static IVectorQuantizer Load(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        try
        {
            (QuantizationKind kind, int dimensions, BinaryReader reader) = QuantizerFormat.ReadFrame(stream);
            using (reader)
            {
                if (dimensions <= 0)
                {
                    throw QuantizerFormat.Corrupt($"the dimension count {dimensions} is not positive");
                }

                IVectorQuantizer quantizer;
                try
                {
                    quantizer = kind switch
                    {
                        QuantizationKind.Float32 => new Float32Quantizer(dimensions),
                        QuantizationKind.Float16 => new Float16Quantizer(dimensions),
                        QuantizationKind.ScalarInt8 => ScalarInt8Quantizer.ReadBody(reader, dimensions),
                        QuantizationKind.Binary => new BinaryQuantizer(dimensions),
                        QuantizationKind.Product => ProductQuantizer.ReadBody(reader, dimensions),
                        QuantizationKind.MatryoshkaPrefix => MatryoshkaPrefixQuantizer.ReadBody(reader, dimensions),
                        _ => throw QuantizerFormat.Corrupt($"the quantizer kind {(int)kind} is unknown"),
                    };
                }
                catch (ArgumentException e)
                {
                    throw QuantizerFormat.Corrupt($"a {kind} quantizer of {dimensions} dimensions cannot be built ({e.Message})");
                }

                if (reader.BaseStream.CanSeek && reader.BaseStream != stream && reader.BaseStream.Position != reader.BaseStream.Length)
                {
                    throw QuantizerFormat.Corrupt($"{reader.BaseStream.Length - reader.BaseStream.Position} bytes remain after the {kind} quantizer's body");
                }

                return quantizer;
            }
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException("The quantizer data is corrupt: it ends early.", e);
        }
    }

    /// <summary>Returns the exact bytes one vector takes in a representation.</summary>
    /// <param name="kind">The representation.</param>
    /// <param name="dimensions">The vector length.</param>
    /// <param name="subspacesOrPrefix">For <see cref="QuantizationKind.Product"/> the number of subspaces m; for <see cref="QuantizationKind.MatryoshkaPrefix"/> the kept dimensions; ignored otherwise.</param>
    /// <returns>For 384 dimensions: 1536 (float32), 768 (float16), 384 (int8), 48 (binary), m (PQ with 8-bit codes).</returns>
    public static int BytesPerVector(QuantizationKind kind, int dimensions, int subspacesOrPrefix = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimensions);
        return kind switch
        {
            QuantizationKind.Float32 => dimensions <= MaxFloatDimensions ? dimensions * sizeof(float) : throw TooManyDimensions(dimensions, sizeof(float)),
            QuantizationKind.Float16 => dimensions <= int.MaxValue / 2 ? dimensions * 2 : throw TooManyDimensions(dimensions, 2),
            QuantizationKind.ScalarInt8 => dimensions,
            QuantizationKind.Binary => BinaryQuantizer.WordsFor(dimensions) * sizeof(ulong),
            QuantizationKind.Product => subspacesOrPrefix > 0 ? subspacesOrPrefix : throw new ArgumentOutOfRangeException(nameof(subspacesOrPrefix), subspacesOrPrefix, "Product quantization needs the number of subspaces."),
            QuantizationKind.MatryoshkaPrefix => subspacesOrPrefix > MaxFloatDimensions && subspacesOrPrefix <= dimensions
                ? throw TooManyDimensions(subspacesOrPrefix, sizeof(float))
                : subspacesOrPrefix > 0 && subspacesOrPrefix <= dimensions
                ? subspacesOrPrefix * sizeof(float)
                : throw new ArgumentOutOfRangeException(nameof(subspacesOrPrefix), subspacesOrPrefix, $"A Matryoshka prefix keeps 1 to {dimensions} dimensions."),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown quantization kind."),
        };
    }

    /// <summary>The most float32 dimensions whose code still fits an <see cref="int"/> byte count.</summary>
    internal const int MaxFloatDimensions = int.MaxValue / sizeof(float);

    private static ArgumentOutOfRangeException TooManyDimensions(int dimensions, int bytesPerDimension) =>
        new("dimensions", dimensions, $"{dimensions} dimensions of {bytesPerDimension} bytes do not fit one code; the most is {int.MaxValue / bytesPerDimension}.");

    internal static void CheckVector(int dimensions, ReadOnlySpan<float> vector)
    {
        if (vector.Length != dimensions)
        {
            throw new ArgumentException($"Dimension mismatch: expected {dimensions} dimensions, got {vector.Length}.", nameof(vector));
        }

        // Every quantizer's Encode and CreateScorer come through here, so NaN and infinities are refused by all alike.
        VectorMath.EnsureFinite(vector, nameof(vector));
    }

    /// <summary>Throws when a value lies beyond ±65504, which half precision would store as an infinity.</summary>
    internal static void CheckHalfRange(ReadOnlySpan<float> vector, string paramName)
    {
        const float max = 65504f;
        if (System.Numerics.Tensors.TensorPrimitives.MaxMagnitude(vector) is float largest && MathF.Abs(largest) <= max)
        {
            return;
        }

        for (int i = 0; i < vector.Length; i++)
        {
            if (MathF.Abs(vector[i]) > max)
            {
                throw new ArgumentException($"The vector holds {vector[i]} at index {i}; half precision stores values within ±65504 only, and this one would become an infinity.", paramName);
            }
        }
    }

    internal static void CheckCode(int bytesPerVector, ReadOnlySpan<byte> code)
    {
        if (code.Length < bytesPerVector)
        {
            throw new ArgumentException($"The code has {code.Length} bytes; {bytesPerVector} are needed.", nameof(code));
        }
    }

    internal static void CheckCode(int bytesPerVector, Span<byte> code)
    {
        if (code.Length < bytesPerVector)
        {
            throw new ArgumentException($"The code buffer has {code.Length} bytes; {bytesPerVector} are needed.", nameof(code));
        }
    }

    internal static void CheckDestination(int dimensions, Span<float> vector)
    {
        if (vector.Length < dimensions)
        {
            throw new ArgumentException($"The destination has {vector.Length} elements; {dimensions} are needed.", nameof(vector));
        }
    }

    internal static void CheckFloatMetric(DistanceMetric metric)
    {
        if (metric is DistanceMetric.Hamming || !Enum.IsDefined(metric))
        {
            throw new ArgumentException($"The metric {metric} does not apply to float vectors; use Cosine, DotProduct, Euclidean, EuclideanSquared or Manhattan.", nameof(metric));
        }
    }
}
