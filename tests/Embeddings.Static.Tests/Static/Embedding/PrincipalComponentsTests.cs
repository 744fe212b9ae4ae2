using Embeddings.Static;
using Embeddings.Testing.Static;

namespace Embeddings.Static.Tests.Static.Embedding;

public sealed class PrincipalComponentsTests
{
    [Theory]
    [InlineData(1, 3)]
    [InlineData(4096, 4)]
    [InlineData(9000, 7)]
    public void Uncentred_gram_matches_a_scalar_sum_of_outer_products_across_block_boundaries(int rows, int d)
    {
        var random = new Random(rows + d);
        float[] table = [.. Enumerable.Range(0, rows * d).Select(_ => (float)((random.NextDouble() * 2) - 0.5))];

        double[] gram = PrincipalComponents.UncentredGram(table, rows, d);

        for (int i = 0; i < d; i++)
        {
            for (int j = 0; j < d; j++)
            {
                double expected = 0;
                for (int r = 0; r < rows; r++)
                {
                    expected += (double)table[(r * d) + i] * table[(r * d) + j];
                }

                Assert.Equal(expected, gram[(i * d) + j], 1e-9 * Math.Max(1, Math.Abs(expected)));
            }
        }
    }

    [Fact]
    public void Model_components_are_cached_and_a_shorter_request_is_a_prefix_of_a_longer_one()
    {
        StaticEmbeddingModel model = StaticEmbeddingModel.FromWordVectors(TestFiles.Words, TestFiles.Vectors, 3);
        float[][] one = model.GetPrincipalComponents(1);
        float[][] two = model.GetPrincipalComponents(2);
        float[][] oneAgain = model.GetPrincipalComponents(1);

        Assert.Single(one);
        Assert.Equal(2, two.Length);
        Assert.Equal(one[0], two[0]);
        Assert.Equal(one[0], oneAgain[0]);
        Assert.Equal(0f, TensorDot(two[0], two[1]), 5);
    }

    private static float TensorDot(float[] x, float[] y) => x.Select((v, i) => v * y[i]).Sum();
}
