namespace Embeddings.Core.Tests.Quantization;

internal static class QuantizationTestData
{
    /// <summary>Seeded Gaussian-ish vectors (sum of uniforms), back to back.</summary>
    public static float[] RandomVectors(int count, int dimensions, int seed, bool normalize = false)
    {
        var random = new Random(seed);
        var values = new float[count * dimensions];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (float)(random.NextDouble() + random.NextDouble() + random.NextDouble() - 1.5);
        }

        if (normalize)
        {
            for (int i = 0; i < count; i++)
            {
                VectorMath.Normalize(values.AsSpan(i * dimensions, dimensions));
            }
        }

        return values;
    }

    public static byte[] SaveBytes(IVectorQuantizer quantizer)
    {
        using var stream = new MemoryStream();
        quantizer.Save(stream);
        return stream.ToArray();
    }

    public static IVectorQuantizer RoundTrip(IVectorQuantizer quantizer)
    {
        using var stream = new MemoryStream(SaveBytes(quantizer));
        return VectorQuantizer.Load(stream);
    }

    public static byte[] EncodeAll(IVectorQuantizer quantizer, float[] vectors)
    {
        int d = quantizer.Dimensions;
        int n = vectors.Length / d;
        var codes = new byte[n * quantizer.BytesPerVector];
        for (int i = 0; i < n; i++)
        {
            quantizer.Encode(vectors.AsSpan(i * d, d), codes.AsSpan(i * quantizer.BytesPerVector, quantizer.BytesPerVector));
        }

        return codes;
    }

    public static float ScalarDot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++)
        {
            sum += (double)a[i] * b[i];
        }

        return (float)sum;
    }

    public static float ScalarSquaredDistance(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++)
        {
            double d = (double)a[i] - b[i];
            sum += d * d;
        }

        return (float)sum;
    }
}
