namespace Embeddings.Testing;

/// <summary>Scalar Matryoshka reference for tests: independent of the library's SIMD code.</summary>
public static class MatryoshkaTestHelpers
{
    /// <summary>Returns the first <paramref name="dimensions"/> values of <paramref name="vector"/>, scaled to unit length in double precision.</summary>
    /// <param name="vector">The full vector.</param>
    /// <param name="dimensions">How many leading values to keep.</param>
    /// <returns>A new vector.</returns>
    public static float[] TruncateAndNormalize(ReadOnlySpan<float> vector, int dimensions)
    {
        double sumOfSquares = 0;
        for (int i = 0; i < dimensions; i++)
        {
            sumOfSquares += (double)vector[i] * vector[i];
        }

        double norm = Math.Sqrt(sumOfSquares);
        var result = new float[dimensions];
        for (int i = 0; i < dimensions; i++)
        {
            result[i] = norm == 0 ? 0f : (float)(vector[i] / norm);
        }

        return result;
    }
}
