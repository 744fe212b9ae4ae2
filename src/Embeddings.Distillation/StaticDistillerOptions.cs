namespace Embeddings.Distillation;

/// <summary>Options of a <see cref="StaticDistiller"/>. The defaults are Model2Vec's <c>distill</c> defaults, except the weighting (see <see cref="Weighting"/>).</summary>
public sealed class StaticDistillerOptions
{
    /// <summary>The default of <see cref="Dimensions"/>: 256, Model2Vec's <c>pca_dims</c> default.</summary>
    public const int DefaultDimensions = 256;

    /// <summary>The default of <see cref="SifCoefficient"/>: 1e-4, Model2Vec's default.</summary>
    public const double DefaultSifCoefficient = 1e-4;

    /// <summary>The default of <see cref="TokenRemovePattern"/>: <c>\[unused\d+\]</c>, Model2Vec's default (BERT's placeholder tokens).</summary>
    public const string DefaultTokenRemovePattern = @"\[unused\d+\]";

    /// <summary>
    /// Gets or sets the output dimensions: the number of principal components kept. Default: <see cref="DefaultDimensions"/> (256).
    /// A value at or above the teacher's dimensions keeps them all (PCA still rotates and centres, as Model2Vec's <c>pca_dims="auto"</c>).
    /// Ignored when <see cref="ApplyPca"/> is off.
    /// </summary>
    public int Dimensions { get; set; } = DefaultDimensions;

    /// <summary>Gets or sets a value indicating whether to apply PCA (Model2Vec's <c>pca_dims=None</c> when off: rows are the teacher's). Default: <see langword="true"/>.</summary>
    public bool ApplyPca { get; set; } = true;

    /// <summary>
    /// Gets or sets how many leading principal components are removed from the rows after PCA, so the output has
    /// <see cref="Dimensions"/> minus this many columns. The first components of a token table mostly carry what every
    /// token shares (frequency, position), which crowds out meaning in a pooled sentence; removing them is the
    /// "all-but-the-top" post-processing. Default: 0: none removed (Model2Vec's behaviour). Must be less than the
    /// number of components kept, and needs <see cref="ApplyPca"/>.
    /// </summary>
    public int DroppedLeadingComponents { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether each token vector is scaled to unit length before PCA, so the weighting
    /// alone sets the rows' lengths. Default: <see langword="false"/> (Model2Vec keeps the teacher's lengths).
    /// </summary>
    public bool NormalizeBeforePca { get; set; }

    /// <summary>
    /// Gets or sets the token weighting. Default: <see cref="TokenWeighting.ZipfLogRank"/>, Model2Vec's original
    /// <c>apply_zipf</c> weighting (its newer releases default to <see cref="TokenWeighting.Sif"/>).
    /// </summary>
    public TokenWeighting Weighting { get; set; } = TokenWeighting.ZipfLogRank;

    /// <summary>Gets or sets the SIF coefficient a of <see cref="TokenWeighting.Sif"/>, in (0, 1). Default: <see cref="DefaultSifCoefficient"/> (1e-4).</summary>
    public double SifCoefficient { get; set; } = DefaultSifCoefficient;

    /// <summary>
    /// Gets or sets a regular expression; tokens it matches at their start are dropped from the vocabulary (and the ids
    /// after them move down). <see langword="null"/> or empty keeps every token. Default: <see cref="DefaultTokenRemovePattern"/>.
    /// </summary>
    public string? TokenRemovePattern { get; set; } = DefaultTokenRemovePattern;

    /// <summary>
    /// Gets or sets whole words to add to the vocabulary, as Model2Vec's <c>vocabulary</c> argument does for a WordPiece
    /// teacher: each word the teacher's tokenizer splits into two or more pieces goes through the teacher as
    /// <c>[CLS] pieces [SEP]</c>, pooled with the teacher's pooling, and becomes one row after the teacher's tokens, so
    /// one lookup replaces a mean of pieces. The word is added to the WordPiece vocabulary in the form the tokenizer
    /// produces (lower-cased and accent-stripped as the teacher's tokenizer does); WordPiece's longest-match-first then
    /// picks it whole, in our reader and in Python's. Words that are already one token, that the tokenizer splits at
    /// punctuation or whitespace, that hold an unknown piece, or that repeat are skipped. Their order sets their rank
    /// for <see cref="Weighting"/>, so give them most frequent first. Default: <see langword="null"/>: no words added.
    /// </summary>
    public IReadOnlyList<string>? Vocabulary { get; set; }

    /// <summary>Gets or sets how many tokens go through the teacher in one batch. Default: 1024, Model2Vec's batch size.</summary>
    public int BatchSize { get; set; } = 1024;

    /// <summary>Gets or sets the model id recorded in <c>config.json</c> as <c>tokenizer_name</c>. Default: <see langword="null"/>: the teacher's model id.</summary>
    public string? TeacherName { get; set; }

    internal StaticDistillerOptions Clone()
    {
        var clone = (StaticDistillerOptions)MemberwiseClone();
        clone.Vocabulary = Vocabulary?.ToArray();
        return clone;
    }

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Dimensions, nameof(Dimensions));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(BatchSize, nameof(BatchSize));
        ArgumentOutOfRangeException.ThrowIfNegative(DroppedLeadingComponents, nameof(DroppedLeadingComponents));
        if (DroppedLeadingComponents > 0 && !ApplyPca)
        {
            throw new ArgumentException("Dropping leading principal components needs PCA (ApplyPca).", nameof(DroppedLeadingComponents));
        }

        if (DroppedLeadingComponents >= Dimensions)
        {
            throw new ArgumentOutOfRangeException(nameof(DroppedLeadingComponents), DroppedLeadingComponents, "The dropped leading components must be fewer than the dimensions kept.");
        }
        if (!(SifCoefficient > 0 && SifCoefficient < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(SifCoefficient), SifCoefficient, "The SIF coefficient must be greater than 0 and less than 1.");
        }

        if (Vocabulary is not null && Vocabulary.Any(w => w is null))
        {
            throw new ArgumentException("The added vocabulary holds a null word.", nameof(Vocabulary));
        }

        if (!Enum.IsDefined(Weighting))
        {
            throw new ArgumentOutOfRangeException(nameof(Weighting), Weighting, "Unknown token weighting.");
        }
    }
}
