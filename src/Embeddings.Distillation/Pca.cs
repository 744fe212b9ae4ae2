using System.Numerics.Tensors;

namespace Embeddings.Distillation;

/// <summary>
/// Principal component analysis as scikit-learn's <c>PCA(svd_solver="full", whiten=False)</c> computes it: centre
/// the rows, take the eigenvectors of the covariance matrix by descending eigenvalue, project the centred rows on the
/// first k. The eigenvectors come from a cyclic Jacobi eigensolver in double precision, which is deterministic.
/// </summary>
internal static class Pca
{
    private const int Block = 2048;

    /// <summary>The fitted PCA: the mean, the components (row-major, k x d) and every eigenvalue, descending.</summary>
    public sealed record Fit(double[] Mean, float[] Components, int Count, double[] Eigenvalues)
    {
        public double ExplainedVarianceRatio
        {
            get
            {
                double total = Eigenvalues.Sum(e => Math.Max(e, 0));
                return total == 0 ? 0 : Eigenvalues.Take(Count).Sum(e => Math.Max(e, 0)) / total;
            }
        }
    }

    public static Fit FitTable(float[] table, int rows, int dimensions, int components, CancellationToken cancellationToken)
    {
        double[] mean = new double[dimensions];
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> row = table.AsSpan(r * dimensions, dimensions);
            for (int d = 0; d < dimensions; d++)
            {
                mean[d] += row[d];
            }
        }

        for (int d = 0; d < dimensions; d++)
        {
            mean[d] /= rows;
        }

        double[] covariance = Covariance(table, rows, dimensions, mean, cancellationToken);
        (double[] values, double[] vectors) = SymmetricEigen(covariance, dimensions, cancellationToken);
        int[] order = [.. Enumerable.Range(0, dimensions).OrderByDescending(i => values[i]).ThenBy(i => i)];
        var result = new float[components * dimensions];
        for (int c = 0; c < components; c++)
        {
            int column = order[c];

            // Sign convention: the largest-magnitude entry is positive, so the output does not depend on the solver's sign.
            int largest = 0;
            for (int d = 1; d < dimensions; d++)
            {
                if (Math.Abs(vectors[(d * dimensions) + column]) > Math.Abs(vectors[(largest * dimensions) + column]))
                {
                    largest = d;
                }
            }

            double sign = vectors[(largest * dimensions) + column] < 0 ? -1 : 1;
            for (int d = 0; d < dimensions; d++)
            {
                result[(c * dimensions) + d] = (float)(sign * vectors[(d * dimensions) + column]);
            }
        }

        return new Fit(mean, result, components, [.. order.Select(i => values[i])]);
    }

    /// <summary>Projects every centred row on the components: out[r, c] = (row_r - mean) · component_c.</summary>
    public static float[] Transform(Fit fit, float[] table, int rows, int dimensions, CancellationToken cancellationToken)
    {
        int k = fit.Count;
        var output = new float[rows * k];
        var centred = new float[dimensions];
        var mean = fit.Mean.Select(m => (float)m).ToArray();
        for (int r = 0; r < rows; r++)
        {
            if ((r & 4095) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            TensorPrimitives.Subtract(table.AsSpan(r * dimensions, dimensions), mean, centred);
            for (int c = 0; c < k; c++)
            {
                output[(r * k) + c] = TensorPrimitives.Dot(centred, fit.Components.AsSpan(c * dimensions, dimensions));
            }
        }

        return output;
    }

    /// <summary>The sample covariance (divided by rows - 1) of the centred table, accumulated in double precision.</summary>
    private static double[] Covariance(float[] table, int rows, int dimensions, double[] mean, CancellationToken cancellationToken)
    {
        int d = dimensions;
        var covariance = new double[d * d];
        var columns = new double[d * Block];
        for (int start = 0; start < rows; start += Block)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int count = Math.Min(Block, rows - start);
            for (int r = 0; r < count; r++)
            {
                ReadOnlySpan<float> row = table.AsSpan((start + r) * d, d);
                for (int i = 0; i < d; i++)
                {
                    columns[(i * Block) + r] = row[i] - mean[i];
                }
            }

            for (int i = 0; i < d; i++)
            {
                ReadOnlySpan<double> ci = columns.AsSpan(i * Block, count);
                for (int j = i; j < d; j++)
                {
                    covariance[(i * d) + j] += TensorPrimitives.Dot(ci, columns.AsSpan(j * Block, count));
                }
            }
        }

        double divisor = Math.Max(1, rows - 1);
        for (int i = 0; i < d; i++)
        {
            for (int j = i; j < d; j++)
            {
                covariance[(i * d) + j] /= divisor;
                covariance[(j * d) + i] = covariance[(i * d) + j];
            }
        }

        return covariance;
    }

    /// <summary>
    /// Eigenvalues and eigenvectors (columns of the returned row-major matrix) of a symmetric matrix by cyclic Jacobi
    /// rotations, until every off-diagonal entry is negligible next to the diagonal.
    /// </summary>
    public static (double[] Values, double[] Vectors) SymmetricEigen(double[] matrix, int n, CancellationToken cancellationToken)
    {
        double[] a = (double[])matrix.Clone();
        var v = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            v[(i * n) + i] = 1;
        }

        for (int sweep = 0; sweep < 100; sweep++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            double off = 0;
            double diagonal = 0;
            for (int i = 0; i < n; i++)
            {
                diagonal += a[(i * n) + i] * a[(i * n) + i];
                for (int j = i + 1; j < n; j++)
                {
                    off += a[(i * n) + j] * a[(i * n) + j];
                }
            }

            if (off <= 1e-30 * Math.Max(diagonal, double.Epsilon))
            {
                break;
            }

            for (int p = 0; p < n - 1; p++)
            {
                for (int q = p + 1; q < n; q++)
                {
                    double apq = a[(p * n) + q];
                    if (Math.Abs(apq) < 1e-300)
                    {
                        continue;
                    }

                    double app = a[(p * n) + p];
                    double aqq = a[(q * n) + q];
                    double theta = (aqq - app) / (2 * apq);
                    double t = Math.Sign(theta) / (Math.Abs(theta) + Math.Sqrt((theta * theta) + 1));
                    if (theta == 0)
                    {
                        t = 1;
                    }

                    double c = 1 / Math.Sqrt((t * t) + 1);
                    double s = t * c;
                    for (int k = 0; k < n; k++)
                    {
                        double akp = a[(k * n) + p];
                        double akq = a[(k * n) + q];
                        a[(k * n) + p] = (c * akp) - (s * akq);
                        a[(k * n) + q] = (s * akp) + (c * akq);
                    }

                    for (int k = 0; k < n; k++)
                    {
                        double apk = a[(p * n) + k];
                        double aqk = a[(q * n) + k];
                        a[(p * n) + k] = (c * apk) - (s * aqk);
                        a[(q * n) + k] = (s * apk) + (c * aqk);
                    }

                    for (int k = 0; k < n; k++)
                    {
                        double vkp = v[(k * n) + p];
                        double vkq = v[(k * n) + q];
                        v[(k * n) + p] = (c * vkp) - (s * vkq);
                        v[(k * n) + q] = (s * vkp) + (c * vkq);
                    }
                }
            }
        }

        var values = new double[n];
        for (int i = 0; i < n; i++)
        {
            values[i] = a[(i * n) + i];
        }

        return (values, v);
    }
}
