namespace Embeddings;

/// <summary>
/// Options for one <c>AddEmbeddings</c> registration, bound from the <c>"Embeddings"</c> configuration section
/// (or a named sub-section for keyed registrations). Providers read their own model settings from here.
/// </summary>
public sealed class EmbeddingsOptions
{
    /// <summary>The default configuration section name: <c>"Embeddings"</c>.</summary>
    public const string SectionName = "Embeddings";

    /// <summary>
    /// Gets or sets the model the provider loads, for example <c>BAAI/bge-small-en-v1.5</c> or a folder path.
    /// Default: <see langword="null"/>, meaning the provider's own default or the model given in code.
    /// </summary>
    public string? Model { get; set; }

    /// <summary>Gets or sets the model revision (branch, tag or commit). Default: <see langword="null"/> (the provider's default, usually <c>main</c>).</summary>
    public string? Revision { get; set; }

    /// <summary>
    /// Gets or sets the number of dimensions to truncate to (Matryoshka), applied right after the provider.
    /// Default: <see langword="null"/>, the model's full size.
    /// </summary>
    public int? Dimensions { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether <see cref="Dimensions"/> may name a size the model was not
    /// Matryoshka-trained for. Default: <see langword="false"/>: such a size is an error at startup.
    /// </summary>
    public bool AllowUntrainedDimensions { get; set; }
}
