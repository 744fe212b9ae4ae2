using System.Numerics.Tensors;

namespace Embeddings.Static;

/// <summary>Leading eigenvectors of a small symmetric matrix by power iteration with deflation.</summary>
internal static class PrincipalComponents
{
    private const int Block = 4096;

    /// <summary>
    /// The uncentred Gram matrix (sum over rows of v vᵀ, in double precision) of a row-major table, as a full
    /// <paramref name="dimensions"/> x <paramref name="dimensions"/> row-major matrix.
    /// </summary>
    public static double[] UncentredGram(ReadOnlySpan<float> table, int rows, int dimensions, CancellationToken cancellationToken = default)
    {
        int d = dimensions;
        var gram = new double[d * d];

        // Columns of a block of rows, in double, so that each Gram entry of the block is one vectorized dot product.
        var columns = new double[d * Block];
        for (int start = 0; start < rows; start += Block)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int count = Math.Min(Block, rows - start);
            for (int r = 0; r < count; r++)
            {
                ReadOnlySpan<float> row = table.Slice((start + r) * d, d);
                for (int i = 0; i < d; i++)
                {
                    columns[(i * Block) + r] = row[i];
                }
            }

            for (int i = 0; i < d; i++)
            {
                ReadOnlySpan<double> ci = columns.AsSpan(i * Block, count);
                for (int j = i; j < d; j++)
                {
                    gram[(i * d) + j] += TensorPrimitives.Dot(ci, columns.AsSpan(j * Block, count));
                }
            }
        }

        MirrorUpperTriangle(gram, d);

        return gram;
    }

    /// <summary>Copies the upper triangle of a symmetric row-major <paramref name="size"/> x <paramref name="size"/> matrix, accumulated alone, onto the lower one.</summary>
    public static void MirrorUpperTriangle(double[] matrix, int size)
    {
        for (int i = 0; i < size; i++)
        {
            for (int j = 0; j < i; j++)
            {
                matrix[(i * size) + j] = matrix[(j * size) + i];
            }
        }
    }

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
