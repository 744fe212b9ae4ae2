using Microsoft.Extensions.AI;

namespace Embeddings;

/// <summary>
/// A decorator that returns the first <see cref="Dimensions"/> values of each vector, re-normalized when the model normalizes (the rule of <see cref="MatryoshkaTruncation"/>). It asks
/// the inner generator for the smaller size first (providers such as OpenAI produce it natively) and
/// truncates whatever comes back at full length.
/// </summary>
public sealed class MatryoshkaEmbeddingGenerator : DelegatingEmbeddingGenerator<string, Embedding<float>>
{
    private readonly EmbedderDescriptor? _descriptor;
    private readonly bool _innerTruncatesNatively;

    /// <summary>Creates the decorator.</summary>
    /// <param name="innerGenerator">The generator whose vectors are truncated.</param>
    /// <param name="dimensions">The number of leading dimensions to keep.</param>
    /// <param name="allowUntrained">Whether to allow a size the model was not Matryoshka-trained for. Default: <see langword="false"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">The size is not positive, too large, or not trained and <paramref name="allowUntrained"/> is false.</exception>
    public MatryoshkaEmbeddingGenerator(IEmbeddingGenerator<string, Embedding<float>> innerGenerator, int dimensions, bool allowUntrained = false)
        : base(innerGenerator)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimensions);
        EmbedderDescriptor? inner = innerGenerator.GetService<EmbedderDescriptor>();
        if (inner is null)
        {
            if (!allowUntrained)
            {
                throw new ArgumentException(
                    "The inner generator does not describe its model, so its trained Matryoshka sizes are unknown; wrap it with AsEmbedder(descriptor) or pass allowUntrained: true.",
                    nameof(innerGenerator));
            }
        }
        else
        {
            _ = MatryoshkaTruncation.ValidateRequest(inner, dimensions, allowUntrained);
            _descriptor = MatryoshkaTruncation.Describe(inner, dimensions, inner.Normalized);

            // Ask the inner generator for the smaller size only when the model was trained for it: an embedder
            // refuses untrained sizes, and the opt-in given here is not the inner generator's to see.
            _innerTruncatesNatively = dimensions == inner.Dimensions || inner.MatryoshkaDimensions.Contains(dimensions);
        }

        Dimensions = dimensions;
    }

    /// <summary>Gets the number of dimensions kept.</summary>
    public int Dimensions { get; }

    /// <inheritdoc />
    public override async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values,
        EmbeddingGenerationOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        if (options?.Dimensions is int asked && asked != Dimensions)
        {
            throw new ArgumentOutOfRangeException(
                nameof(options), asked, $"This pipeline truncates to {Dimensions} dimensions; the options ask for {asked}.");
        }

        EmbeddingGenerationOptions? forwarded = options;
        if (_innerTruncatesNatively || options?.Dimensions is not null)
        {
            forwarded = options?.Clone() ?? new EmbeddingGenerationOptions();
            forwarded.Dimensions = _innerTruncatesNatively ? Dimensions : null;
        }

        GeneratedEmbeddings<Embedding<float>> result = await base.GenerateAsync(values, forwarded, cancellationToken).ConfigureAwait(false);
        for (int i = 0; i < result.Count; i++)
        {
            Embedding<float> embedding = result[i];
            if (embedding.Vector.Length < Dimensions)
            {
                throw new InvalidOperationException($"The inner generator returned {embedding.Vector.Length} dimensions for input {i}; at least {Dimensions} are needed.");
            }

            // Same rule as EmbedderBase with options.Dimensions, so both ways to truncate give the same vectors.
            result[i] = MatryoshkaTruncation.Truncate(embedding, Dimensions, MatryoshkaTruncation.KeepsUnitLength(_descriptor, embedding.Vector.Span));
        }

        return result;
    }

    /// <inheritdoc />
    public override object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is null && serviceType == typeof(EmbedderDescriptor))
        {
            return _descriptor;
        }

        if (serviceKey is null && serviceType == typeof(EmbeddingGeneratorMetadata) && base.GetService(serviceType) is EmbeddingGeneratorMetadata metadata)
        {
            return new EmbeddingGeneratorMetadata(metadata.ProviderName, metadata.ProviderUri, metadata.DefaultModelId, Dimensions);
        }

        return base.GetService(serviceType, serviceKey);
    }
}
