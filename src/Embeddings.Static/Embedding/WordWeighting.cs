namespace Embeddings.Static;

/// <summary>How a static embedder weighs token vectors before averaging them.</summary>
public enum WordWeighting
{
    /// <summary>Plain mean pooling: every known token counts once.</summary>
    None = 0,

    /// <summary>
    /// Smooth inverse frequency (Arora et al. 2017): each token's vector is weighted by a / (a + p(w)), so frequent
    /// words count less. p(w) is estimated from the frequency rank r by Zipf's law, p = 1 / (r · H(N)), H(N) the
    /// N-th harmonic number over the N vocabulary rows; for word vectors the file order is the rank. Unless
    /// <see cref="StaticEmbedderOptions.ModelCommonComponents"/> or <see cref="StaticEmbedderOptions.CommonComponents"/>
    /// says otherwise, the first principal component of the model's table is then removed from every pooled vector
    /// (SIF's common-component removal). Model2Vec models carry their own weights and ignore this setting.
    /// </summary>
    Sif,
}
