namespace Embeddings.Testing;

/// <summary>Plain loops accumulating in double: what every kernel and pooling mode is checked against.</summary>
public static class ScalarReference
{
    public static double Dot(float[] a, float[] b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++)
        {
            sum += (double)a[i] * b[i];
        }

        return sum;
    }

    public static double Cosine(float[] a, float[] b)
    {
        double na = Math.Sqrt(Dot(a, a));
        double nb = Math.Sqrt(Dot(b, b));
        return na == 0 || nb == 0 ? 0 : Dot(a, b) / (na * nb);
    }

    public static double EuclideanSquared(float[] a, float[] b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++)
        {
            double d = (double)a[i] - b[i];
            sum += d * d;
        }

        return sum;
    }

    public static double Euclidean(float[] a, float[] b) => Math.Sqrt(EuclideanSquared(a, b));

    public static double Manhattan(float[] a, float[] b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++)
        {
            sum += Math.Abs((double)a[i] - b[i]);
        }

        return sum;
    }

    /// <summary>Counts differing bits one at a time, without PopCount, so it shares nothing with the kernel.</summary>
    public static int Hamming(ulong[] a, ulong[] b)
    {
        int count = 0;
        for (int i = 0; i < a.Length; i++)
        {
            ulong x = a[i] ^ b[i];
            for (int bit = 0; bit < 64; bit++)
            {
                count += (int)((x >> bit) & 1UL);
            }
        }

        return count;
    }

    public static double[] Normalize(float[] v)
    {
        double norm = Math.Sqrt(v.Sum(x => (double)x * x));
        return v.Select(x => norm == 0 ? 0d : x / norm).ToArray();
    }

    /// <summary>Pools one batch the way sentence-transformers defines each mode, in double precision.</summary>
    public static double[] Pool(float[] states, long[] mask, int batch, int sequence, int hidden, PoolingStrategy strategy)
    {
        var result = new double[batch * hidden];
        for (int row = 0; row < batch; row++)
        {
            var attended = new List<int>();
            for (int t = 0; t < sequence; t++)
            {
                if (mask[(row * sequence) + t] != 0)
                {
                    attended.Add(t);
                }
            }

            for (int h = 0; h < hidden; h++)
            {
                double Value(int t) => states[(((row * sequence) + t) * hidden) + h];
                result[(row * hidden) + h] = strategy switch
                {
                    PoolingStrategy.Cls => Value(attended[0]),
                    PoolingStrategy.LastToken => Value(attended[^1]),
                    PoolingStrategy.Max => attended.Max(Value),
                    PoolingStrategy.Mean => attended.Sum(Value) / attended.Count,
                    PoolingStrategy.MeanSqrtLength => attended.Sum(Value) / Math.Sqrt(attended.Count),
                    _ => throw new ArgumentOutOfRangeException(nameof(strategy)),
                };
            }
        }

        return result;
    }

    /// <summary>Asserts |actual - expected| &lt;= 1e-5 * |expected| (a pure relative bound; exact zeros must match exactly).</summary>
    public static void AssertRelative(double expected, double actual, string what, double tolerance = 1e-5)
    {
        double error = Math.Abs(actual - expected);
        Assert.True(
            error <= tolerance * Math.Abs(expected),
            $"{what}: expected {expected:R}, got {actual:R} (relative error {(expected == 0 ? double.PositiveInfinity : error / Math.Abs(expected)):E2}, allowed {tolerance:E0}).");
    }
}
