namespace Embeddings.PgVector.Tests.Indexing;

/// <summary>Seeded random vectors and a brute-force scalar reference ranking.</summary>
internal static class TestVectors
{
    public static float[][] Random(int count, int dimensions, int seed)
    {
        var random = new Random(seed);
        var vectors = new float[count][];
        for (int i = 0; i < count; i++)
        {
            vectors[i] = new float[dimensions];
            for (int j = 0; j < dimensions; j++)
            {
                vectors[i][j] = (float)((random.NextDouble() * 2) - 1);
            }
        }

        return vectors;
    }

    /// <summary>Scores with a plain double-precision loop, independent of the library's kernels and of pgvector.</summary>
    public static double Score(DistanceMetric metric, float[] a, float[] b)
    {
        double dot = 0, na = 0, nb = 0, l2 = 0, l1 = 0;
        for (int i = 0; i < a.Length; i++)
        {
            dot += (double)a[i] * b[i];
            na += (double)a[i] * a[i];
            nb += (double)b[i] * b[i];
            double d = (double)a[i] - b[i];
            l2 += d * d;
            l1 += Math.Abs(d);
        }

        return metric switch
        {
            DistanceMetric.Cosine => na == 0 || nb == 0 ? 0 : dot / Math.Sqrt(na * nb),
            DistanceMetric.DotProduct => dot,
            DistanceMetric.Euclidean => -Math.Sqrt(l2),
            DistanceMetric.EuclideanSquared => -l2,
            DistanceMetric.Manhattan => -l1,
            DistanceMetric.Hamming => -Enumerable.Range(0, a.Length).Count(i => (a[i] > 0) != (b[i] > 0)),
            _ => throw new ArgumentOutOfRangeException(nameof(metric)),
        };
    }

    public static (string Key, double Score)[] Ranking(DistanceMetric metric, float[][] vectors, float[] query, Func<int, bool>? admit = null) =>
        Enumerable.Range(0, vectors.Length)
            .Where(i => admit?.Invoke(i) ?? true)
            .Select(i => (Key: Key(i), Score: Score(metric, vectors[i], query)))
            .OrderByDescending(x => x.Score)
            .ToArray();

    public static string Key(int i) => "k" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static VectorRecord[] Records(float[][] vectors, Func<int, IReadOnlyDictionary<string, object?>?>? metadata = null) =>
        vectors.Select((v, i) => new VectorRecord(Key(i), v, metadata?.Invoke(i))).ToArray();
}
