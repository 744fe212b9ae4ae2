namespace Embeddings.Core.Tests.Vectors;

public sealed class VectorMathSmokeTests
{
    [Fact]
    public void Dot_of_orthogonal_vectors_is_zero()
    {
        Assert.Equal(0f, VectorMath.Dot([1f, 0f, 0f], [0f, 1f, 0f]));
    }
}
