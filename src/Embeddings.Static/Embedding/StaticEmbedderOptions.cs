namespace Embeddings.Static;

/// <summary>Options of a <see cref="StaticEmbedder"/>.</summary>
public sealed class StaticEmbedderOptions
{
    /// <summary>The SIF smoothing constant used when <see cref="SifSmoothing"/> is not changed: 1e-4.</summary>
    public const double DefaultSifSmoothing = 1e-4;

    /// <summary>
    /// Gets or sets the model file or Model2Vec folder. Default: <see langword="null"/>: the
    /// <c>EMBEDDINGS_STATIC_MODEL</c> environment variable, else the default model embedded in this assembly
    /// (<see cref="StaticDefaultModel"/>, distilled from all-MiniLM-L6-v2; see <see cref="StaticModelLocator.Resolve"/>).
    /// </summary>
    public string? ModelPath { get; set; }

    /// <summary>Gets or sets the file format. Default: <see cref="StaticModelFormat.Auto"/> (chosen from the path).</summary>
    public StaticModelFormat Format { get; set; } = StaticModelFormat.Auto;

    /// <summary>
    /// Gets or sets the model id in the fingerprint. Default: <see langword="null"/>: the model's folder name and,
    /// for a file, its file name (for example <c>glove-6B-100d-top100k/vectors.bin</c>).
    /// </summary>
    public string? ModelId { get; set; }

    /// <summary>Gets or sets how token vectors are weighted. Default: <see cref="WordWeighting.None"/> (plain mean pooling).</summary>
    public WordWeighting Weighting { get; set; } = WordWeighting.None;

    /// <summary>
    /// Gets or sets SIF's smoothing constant a in a / (a + p(w)). Default: <see cref="DefaultSifSmoothing"/> (1e-4;
    /// the SIF paper suggests 1e-4 to 1e-3; with Zipf estimates of p(w) on GloVe, 1e-4 does best on STS-B).
    /// </summary>
    public double SifSmoothing { get; set; } = DefaultSifSmoothing;

    /// <summary>
    /// Gets or sets the common components to remove from every pooled vector (each is projected out:
    /// v -= (v·u) u, with u made unit length). Fit them with <see cref="StaticEmbedder.FitCommonComponents"/>.
    /// Default: <see langword="null"/> (none removed).
    /// </summary>
    public IReadOnlyList<float[]>? CommonComponents { get; set; }

    /// <summary>
    /// Gets or sets how many leading principal components of the model's own embedding table (uncentred, every
    /// row counting once) to project out of every pooled vector: SIF's common-component removal with the component
    /// taken from the model rather than fitted on a corpus, so nothing but the model is needed. Default:
    /// <see langword="null"/>, which means 1 when <see cref="Weighting"/> is <see cref="WordWeighting.Sif"/> on a
    /// word-vector model and no <see cref="CommonComponents"/> are given, and 0 otherwise. Set 0 for SIF weights
    /// alone. When both are in effect, these are removed first, then <see cref="CommonComponents"/>.
    /// </summary>
    public int? ModelCommonComponents { get; set; }

    /// <summary>Gets or sets a value indicating whether to lower-case text before word lookup (word vectors only). Default: <see langword="true"/>.</summary>
    public bool Lowercase { get; set; } = true;

    /// <summary>Gets or sets a value indicating whether output vectors are L2-normalized. Default: <see langword="true"/>. A zero vector stays zero.</summary>
    public bool Normalize { get; set; } = true;
}
