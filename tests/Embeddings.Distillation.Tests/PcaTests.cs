using Embeddings.Distillation;

namespace Embeddings.Distillation.Tests;

public sealed class PcaTests
{
    [Fact]
    public void The_Jacobi_eigensolver_diagonalizes_a_symmetric_matrix()
    {
        const int n = 12;
        var random = new Random(3);
        double[] b = Enumerable.Range(0, n * n).Select(_ => random.NextDouble() - 0.5).ToArray();
        var a = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                a[(i * n) + j] = b[(i * n) + j] + b[(j * n) + i];
            }
        }

        (double[] values, double[] vectors) = Pca.SymmetricEigen(a, n, CancellationToken.None);
        for (int c = 0; c < n; c++)
        {
            // A v = λ v, checked with a plain matrix-vector product.
            for (int i = 0; i < n; i++)
            {
                double av = 0;
                for (int j = 0; j < n; j++)
                {
                    av += a[(i * n) + j] * vectors[(j * n) + c];
                }

                Assert.Equal(values[c] * vectors[(i * n) + c], av, 9);
            }

            for (int other = 0; other < n; other++)
            {
                double dot = 0;
                for (int i = 0; i < n; i++)
                {
                    dot += vectors[(i * n) + c] * vectors[(i * n) + other];
                }

                Assert.Equal(c == other ? 1.0 : 0.0, dot, 9);
            }
        }
    }

    [Fact]
    public void PCA_centres_orders_components_by_variance_and_keeping_all_reconstructs_the_rows()
    {
        const int rows = 500;
        const int d = 6;
        var random = new Random(11);
        float[] scales = [5f, 0.1f, 3f, 1f, 0.5f, 2f];
        float[] table = new float[rows * d];
        for (int r = 0; r < rows; r++)
        {
            for (int j = 0; j < d; j++)
            {
                table[(r * d) + j] = 10f + (scales[j] * (float)((random.NextDouble() * 2) - 1));
            }
        }

        Pca.Fit fit = Pca.FitTable(table, rows, d, d, CancellationToken.None);
        float[] projected = Pca.Transform(fit, table, rows, d, CancellationToken.None);

        // The first component is the axis of the largest spread (column 0), the last that of the smallest (column 1).
        Assert.True(Math.Abs(fit.Components[0]) > 0.99);
        Assert.True(Math.Abs(fit.Components[((d - 1) * d) + 1]) > 0.99);
        for (int c = 0; c < d; c++)
        {
            double mean = 0;
            double variance = 0;
            for (int r = 0; r < rows; r++)
            {
                mean += projected[(r * d) + c];
            }

            mean /= rows;
            for (int r = 0; r < rows; r++)
            {
                variance += Math.Pow(projected[(r * d) + c] - mean, 2);
            }

            Assert.Equal(0, mean, 3);
            Assert.Equal(fit.Eigenvalues[c], variance / (rows - 1), 3);
            if (c > 0)
            {
                Assert.True(fit.Eigenvalues[c] <= fit.Eigenvalues[c - 1]);
            }
        }

        for (int r = 0; r < rows; r++)
        {
            for (int j = 0; j < d; j++)
            {
                double value = fit.Mean[j];
                for (int c = 0; c < d; c++)
                {
                    value += projected[(r * d) + c] * fit.Components[(c * d) + j];
                }

                Assert.Equal(table[(r * d) + j], value, 3);
            }
        }

        Assert.Equal(1, fit.ExplainedVarianceRatio, 9);
    }

    [Fact]
    public void Zipf_and_SIF_weights_follow_Model2Vec_formulas()
    {
        double[] zipf = StaticDistiller.Weights(5, new StaticDistillerOptions());
        Assert.Equal([0, Math.Log(2), Math.Log(3), Math.Log(4), Math.Log(5)], zipf);

        double[] sif = StaticDistiller.Weights(3, new StaticDistillerOptions { Weighting = TokenWeighting.Sif, SifCoefficient = 0.1 });
        double total = (1 / 2.0) + (1 / 3.0) + (1 / 4.0);
        for (int r = 0; r < 3; r++)
        {
            double p = 1.0 / (r + 2) / total;
            Assert.Equal(0.1 / (0.1 + p), sif[r], 12);
        }

        Assert.Equal([1.0, 1.0], StaticDistiller.Weights(2, new StaticDistillerOptions { Weighting = TokenWeighting.None }));
    }
}
