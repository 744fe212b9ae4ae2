namespace Embeddings;

/// <summary>How <see cref="ProductQuantizer.Train(ReadOnlySpan{float}, int, int, ProductQuantizerOptions?, CancellationToken)"/> trains its codebooks.</summary>
public sealed class ProductQuantizerOptions
{
    /// <summary>Gets or sets the bits per sub-code: each subspace has 2^bits centroids and takes one byte per vector. 1 to 8; default: 8 (256 centroids).</summary>
    public int BitsPerCode { get; set; } = 8;

    /// <summary>Gets or sets the number of Lloyd iterations after k-means++ initialisation. Default: 25 (FAISS's default).</summary>
    public int Iterations { get; set; } = 25;

    /// <summary>Gets or sets the seed of the sampling and the k-means++ draws; the same seed and data give the same codebooks. Default: 1234.</summary>
    public int Seed { get; set; } = 1234;

    /// <summary>
    /// Gets or sets how many training vectors each centroid gets at most: when more are given, a seeded random
    /// sample of <c>MaxVectorsPerCentroid × 2^bits</c> is used. Default: 256 (FAISS's default); 0 means use all.
    /// </summary>
    public int MaxVectorsPerCentroid { get; set; } = 256;
}
