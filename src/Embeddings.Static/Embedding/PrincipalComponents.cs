namespace Embeddings.Static;

/// <summary>Leading eigenvectors of a small symmetric matrix by power iteration with deflation.</summary>
internal static class PrincipalComponents
{
    public static float[][] TopEigenvectors(double[] matrix, int size, int count)
    {
        double[] work = (double[])matrix.Clone();
        var result = new float[count][];
        var vector = new double[size];
        var next = new double[size];
        for (int c = 0; c < count; c++)
        {
            // A deterministic start that is unlikely to be orthogonal to the leading eigenvector.
            for (int i = 0; i < size; i++)
            {
                vector[i] = 1.0 + (0.01 * i);
            }

            Normalize(vector);
            double eigenvalue = 0;
            for (int iteration = 0; iteration < 1000; iteration++)
            {
                Multiply(work, size, vector, next);
                double norm = Normalize(next);
                double change = 0;
                for (int i = 0; i < size; i++)
                {
                    change = Math.Max(change, Math.Abs(next[i] - vector[i]));
                }

                (vector, next) = (next, vector);
                eigenvalue = norm;
                if (change < 1e-10 || norm == 0)
                {
                    break;
                }
            }

            // Sign convention: the largest-magnitude entry is positive, so results do not flip between runs.
            int largest = 0;
            for (int i = 1; i < size; i++)
            {
                if (Math.Abs(vector[i]) > Math.Abs(vector[largest]))
                {
                    largest = i;
                }
            }

            double sign = vector[largest] < 0 ? -1 : 1;
            result[c] = vector.Select(v => (float)(v * sign)).ToArray();
            for (int i = 0; i < size; i++)
            {
                for (int j = 0; j < size; j++)
                {
                    work[(i * size) + j] -= eigenvalue * vector[i] * vector[j];
                }
            }
        }

        return result;
    }

    private static void Multiply(double[] matrix, int size, double[] vector, double[] destination)
    {
        for (int i = 0; i < size; i++)
        {
            double sum = 0;
            for (int j = 0; j < size; j++)
            {
                sum += matrix[(i * size) + j] * vector[j];
            }

            destination[i] = sum;
        }
    }

    private static double Normalize(double[] vector)
    {
        double norm = Math.Sqrt(vector.Sum(v => v * v));
        if (norm > 0)
        {
            for (int i = 0; i < vector.Length; i++)
            {
                vector[i] /= norm;
            }
        }

        return norm;
    }
}
