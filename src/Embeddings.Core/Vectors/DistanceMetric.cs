namespace Embeddings;

/// <summary>
/// How two vectors are compared. Every metric has a <em>score</em> (higher is more similar) and a
/// <em>distance</em> (lower is more similar); see <see cref="VectorMath.Score"/> and <see cref="VectorMath.Distance"/>.
/// </summary>
/// <remarks>
/// The convention, used by every index and search result in this library:
/// <list type="table">
/// <listheader><term>metric</term><description>score (higher is better) / distance (lower is better)</description></listheader>
/// <item><term><see cref="Cosine"/></term><description>cos(a, b) in [-1, 1] / 1 - cos(a, b) in [0, 2]</description></item>
/// <item><term><see cref="DotProduct"/></term><description>a · b / -(a · b)</description></item>
/// <item><term><see cref="Euclidean"/></term><description>-‖a - b‖ / ‖a - b‖</description></item>
/// <item><term><see cref="EuclideanSquared"/></term><description>-‖a - b‖² / ‖a - b‖²</description></item>
/// <item><term><see cref="Manhattan"/></term><description>-Σ|aᵢ - bᵢ| / Σ|aᵢ - bᵢ|</description></item>
/// <item><term><see cref="Hamming"/></term><description>-(differing bits) / differing bits, over packed bit codes</description></item>
/// </list>
/// So <c>score == -distance</c> for every metric but cosine, where <c>score == 1 - distance</c>.
/// </remarks>
public enum DistanceMetric
{
    /// <summary>Cosine similarity. A zero vector has similarity 0 with everything.</summary>
    Cosine = 0,

    /// <summary>Inner (dot) product; equals cosine for normalized vectors and is cheaper.</summary>
    DotProduct = 1,

    /// <summary>Euclidean (L2) distance.</summary>
    Euclidean = 2,

    /// <summary>Squared Euclidean distance: same order as <see cref="Euclidean"/>, without the square root.</summary>
    EuclideanSquared = 3,

    /// <summary>Manhattan (L1) distance.</summary>
    Manhattan = 4,

    /// <summary>Hamming distance over bit codes packed into <see cref="ulong"/> words.</summary>
    Hamming = 5,
}
