using System.Globalization;

namespace Embeddings;

/// <summary>
/// What makes two vectors comparable: the same model at the same revision, pooled and normalized the same
/// way, with the same number of dimensions. Vectors whose fingerprints differ must never be mixed in one index
/// or cache; indexes and caches store the fingerprint and refuse vectors from another one.
/// </summary>
/// <remarks>
/// The canonical text form (see <see cref="ToString"/>) is stable across versions of this library and is what
/// persistent stores write: <c>model=BAAI/bge-small-en-v1.5;revision=main;pooling=cls;normalized=true;dimensions=384</c>.
/// </remarks>
public sealed record EmbedderFingerprint
{
    /// <summary>Creates a fingerprint.</summary>
    /// <param name="modelId">The model identifier, for example a Hugging Face repository id; not empty.</param>
    /// <param name="revision">The model revision (commit, tag or version); <see langword="null"/> or empty when unknown.</param>
    /// <param name="pooling">The pooling applied, in lower case (for example <c>mean</c>); <see langword="null"/> or empty when the provider does not say.</param>
    /// <param name="normalized">Whether vectors are L2-normalized.</param>
    /// <param name="dimensions">The vector length; positive.</param>
    /// <exception cref="ArgumentException"><paramref name="modelId"/> is empty, or a value contains <c>;</c>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dimensions"/> is not positive.</exception>
    public EmbedderFingerprint(string modelId, string? revision, string? pooling, bool normalized, int dimensions)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelId);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimensions);
        RejectSeparator(modelId, nameof(modelId));
        RejectSeparator(revision, nameof(revision));
        RejectSeparator(pooling, nameof(pooling));
        ModelId = modelId;
        Revision = string.IsNullOrEmpty(revision) ? null : revision;
        Pooling = string.IsNullOrEmpty(pooling) ? null : pooling.ToLowerInvariant();
        Normalized = normalized;
        Dimensions = dimensions;
    }

    /// <summary>Gets the model identifier.</summary>
    public string ModelId { get; }

    /// <summary>Gets the model revision, or <see langword="null"/> when unknown.</summary>
    public string? Revision { get; }

    /// <summary>Gets the pooling applied, in lower case, or <see langword="null"/> when the provider does not say.</summary>
    public string? Pooling { get; }

    /// <summary>Gets a value indicating whether vectors are L2-normalized.</summary>
    public bool Normalized { get; }

    /// <summary>Gets the vector length.</summary>
    public int Dimensions { get; }

    /// <summary>Returns the same fingerprint with another dimension count, as after Matryoshka truncation.</summary>
    /// <param name="dimensions">The new vector length.</param>
    /// <param name="normalized">Whether the truncated vectors are normalized.</param>
    /// <returns>A new fingerprint.</returns>
    public EmbedderFingerprint WithDimensions(int dimensions, bool normalized) =>
        new(ModelId, Revision, Pooling, normalized, dimensions);

    /// <summary>Returns the canonical text form, which <see cref="Parse"/> reads back.</summary>
    /// <returns>The canonical text form.</returns>
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"model={ModelId};revision={Revision};pooling={Pooling};normalized={(Normalized ? "true" : "false")};dimensions={Dimensions}");

    /// <summary>Parses the canonical text form written by <see cref="ToString"/>.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The fingerprint.</returns>
    /// <exception cref="FormatException">The text is not a fingerprint.</exception>
    public static EmbedderFingerprint Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string part in text.Split(';'))
        {
            int eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new FormatException($"'{text}' is not an embedder fingerprint: field '{part}' has no name.");
            }

            fields[part[..eq]] = part[(eq + 1)..];
        }

        string Field(string name) => fields.TryGetValue(name, out string? value)
            ? value
            : throw new FormatException($"'{text}' is not an embedder fingerprint: field '{name}' is missing.");

        string normalized = Field("normalized");
        if (normalized is not ("true" or "false"))
        {
            throw new FormatException($"'{text}' is not an embedder fingerprint: normalized must be true or false, not '{normalized}'.");
        }

        if (!int.TryParse(Field("dimensions"), NumberStyles.None, CultureInfo.InvariantCulture, out int dimensions) || dimensions <= 0)
        {
            throw new FormatException($"'{text}' is not an embedder fingerprint: dimensions '{Field("dimensions")}' is not a positive integer.");
        }

        return new EmbedderFingerprint(Field("model"), Field("revision"), Field("pooling"), normalized == "true", dimensions);
    }

    /// <summary>Throws when <paramref name="other"/> differs from this fingerprint, naming both.</summary>
    /// <param name="other">The fingerprint of the vectors that arrive.</param>
    /// <param name="what">What holds this fingerprint, for the message (for example "index 'docs'").</param>
    /// <exception cref="EmbedderMismatchException">The fingerprints differ.</exception>
    public void EnsureCompatible(EmbedderFingerprint other, string what)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (!Equals(other))
        {
            throw new EmbedderMismatchException(this, other, what);
        }
    }

    private static void RejectSeparator(string? value, string paramName)
    {
        if (value is not null && value.Contains(';', StringComparison.Ordinal))
        {
            throw new ArgumentException($"A fingerprint field may not contain ';' (got '{value}').", paramName);
        }
    }
}
