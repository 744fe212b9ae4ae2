using System.Globalization;
using Embeddings.Static;

namespace Embeddings.Distillation;

/// <summary>The table a <see cref="StaticDistiller"/> made: one row per kept vocabulary token, in id order.</summary>
public sealed class StaticDistillation
{
    private readonly float[] _embeddings;

    internal StaticDistillation(
        string teacher,
        string[] vocabulary,
        float[] embeddings,
        int dimensions,
        int teacherDimensions,
        double explainedVarianceRatio,
        StaticDistillerOptions options,
        bool lowerCase,
        bool stripAccents,
        bool tokenizeChineseChars,
        string unknownToken,
        int addedWords)
    {
        Teacher = teacher;
        Vocabulary = vocabulary;
        _embeddings = embeddings;
        Dimensions = dimensions;
        TeacherDimensions = teacherDimensions;
        ExplainedVarianceRatio = explainedVarianceRatio;
        Options = options;
        LowerCase = lowerCase;
        StripAccents = stripAccents;
        TokenizeChineseChars = tokenizeChineseChars;
        UnknownToken = unknownToken;
        AddedWords = addedWords;
    }

    /// <summary>Gets the teacher's model id.</summary>
    public string Teacher { get; }

    /// <summary>Gets the kept tokens, by their new id, then the added words (see <see cref="StaticDistillerOptions.Vocabulary"/>).</summary>
    public IReadOnlyList<string> Vocabulary { get; }

    /// <summary>Gets the table, row-major: row <c>i</c> is token <c>i</c>, weighting applied.</summary>
    public ReadOnlySpan<float> Embeddings => _embeddings;

    /// <summary>Gets the vector length.</summary>
    public int Dimensions { get; }

    /// <summary>Gets the teacher's vector length.</summary>
    public int TeacherDimensions { get; }

    /// <summary>Gets the share of the token vectors' variance the kept components explain (1 without PCA or when every component is kept).</summary>
    public double ExplainedVarianceRatio { get; }

    /// <summary>Gets the options that made it.</summary>
    public StaticDistillerOptions Options { get; }

    /// <summary>Gets a value indicating whether the teacher's tokenizer lower-cases.</summary>
    public bool LowerCase { get; }

    /// <summary>Gets a value indicating whether the teacher's tokenizer strips accents.</summary>
    public bool StripAccents { get; }

    /// <summary>Gets a value indicating whether the teacher's tokenizer splits CJK characters.</summary>
    public bool TokenizeChineseChars { get; }

    /// <summary>Gets how many whole words of <see cref="StaticDistillerOptions.Vocabulary"/> were added: the last rows of <see cref="Vocabulary"/>.</summary>
    public int AddedWords { get; }

    /// <summary>Gets the teacher's unknown token.</summary>
    public string UnknownToken { get; }

    /// <summary>
    /// Gets the folder name that says what the model is: teacher, dimensions and weighting, for example
    /// <c>all-MiniLM-L6-v2-static-256d-zipf</c>, then <c>-nopca</c> without PCA, <c>-unit</c> when token vectors were
    /// scaled to unit length before PCA, <c>-drop</c> and the count of leading components removed, and <c>-w</c> and the
    /// count when words were added (<c>all-MiniLM-L6-v2-static-382d-sif0.0001-unit-drop2</c>). The static embedder uses
    /// the folder name as its fingerprint's model id.
    /// </summary>
    public string SuggestedName
    {
        get
        {
            string teacher = Teacher[(Teacher.LastIndexOf('/') + 1)..];
            string weighting = Options.Weighting switch
            {
                TokenWeighting.ZipfLogRank => "zipf",
                TokenWeighting.Sif => string.Create(CultureInfo.InvariantCulture, $"sif{Options.SifCoefficient:R}"),
                _ => "unweighted",
            };
            string recipe = string.Concat(
                Options.ApplyPca ? string.Empty : "-nopca",
                Options.NormalizeBeforePca ? "-unit" : string.Empty,
                Options.DroppedLeadingComponents > 0 ? string.Create(CultureInfo.InvariantCulture, $"-drop{Options.DroppedLeadingComponents}") : string.Empty,
                AddedWords > 0 ? string.Create(CultureInfo.InvariantCulture, $"-w{AddedWords}") : string.Empty);
            return string.Create(CultureInfo.InvariantCulture, $"{teacher}-static-{Dimensions}d-{weighting}{recipe}");
        }
    }

    /// <summary>Writes the table as a Model2Vec folder (see <see cref="Model2VecWriter"/>), with the teacher's tokenizer settings and the recipe in <c>config.json</c>.</summary>
    /// <param name="directory">The folder to create or replace.</param>
    /// <param name="storage">The element type of the table. Default: <see cref="Model2VecStorage.Float32"/>.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    public void Save(string directory, Model2VecStorage storage = Model2VecStorage.Float32, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        var options = new Model2VecWriterOptions
        {
            Storage = storage,
            LowerCase = LowerCase,
            StripAccents = StripAccents,
            TokenizeChineseChars = TokenizeChineseChars,
            UnknownToken = UnknownToken,
        };
        options.Config["tokenizer_name"] = Teacher;
        // apply_pca is the PCA size, as in Model2Vec; the rows are that size minus the dropped leading components.
        options.Config["apply_pca"] = Options.ApplyPca ? Options.Dimensions : null;
        options.Config["normalize_before_pca"] = Options.NormalizeBeforePca;
        options.Config["dropped_leading_components"] = Options.DroppedLeadingComponents;
        options.Config["apply_zipf"] = Options.Weighting == TokenWeighting.ZipfLogRank;
        options.Config["sif_coefficient"] = Options.Weighting == TokenWeighting.Sif ? Options.SifCoefficient : null;
        options.Config["explained_variance_ratio"] = Math.Round(ExplainedVarianceRatio, 6);
        options.Config["added_words"] = AddedWords;
        options.Config["distilled_by"] = "Embeddings.Distillation";
        options.Config["storage"] = storage.ToString();
        Model2VecWriter.Write(directory, Vocabulary, _embeddings, Dimensions, weights: null, options, cancellationToken);
    }
}
