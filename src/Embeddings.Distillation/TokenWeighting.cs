namespace Embeddings.Distillation;

/// <summary>How a <see cref="StaticDistiller"/> scales each token's row, from the token's rank (its id, after removed tokens) as a stand-in for its frequency.</summary>
public enum TokenWeighting
{
    /// <summary>No weighting: rows stay as the teacher and PCA made them.</summary>
    None = 0,

    /// <summary>
    /// Model2Vec's Zipf weighting: row r (0-based) is multiplied by log(1 + r), so the frequent tokens of a
    /// WordPiece vocabulary (low ids after the special tokens) count less. Model2Vec's <c>apply_zipf=True</c>.
    /// </summary>
    ZipfLogRank,

    /// <summary>
    /// Smooth inverse frequency from Zipf's law, Model2Vec's <c>sif_coefficient</c>: with p(r) = (1 / (r + 2)) / Σ 1 / (k + 2),
    /// row r is multiplied by a / (a + p(r)), a = <see cref="StaticDistillerOptions.SifCoefficient"/>.
    /// </summary>
    Sif,
}
