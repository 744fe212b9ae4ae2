using Microsoft.Extensions.AI;

namespace Embeddings;

/// <summary>
/// Presents any Microsoft.Extensions.AI generator (or pipeline) as an <see cref="IEmbedder"/>. Inputs are
/// checked, the query or document prefix is applied when no <see cref="IEmbedder"/> further in does it, and
/// vector lengths are checked against the descriptor.
/// </summary>
internal sealed class GeneratorEmbedder : DelegatingEmbeddingGenerator<string, Embedding<float>>, IEmbedder
{
    private readonly bool _appliesPrompts;
    private readonly bool _ownsInnerGenerator;

    /// <param name="innerGenerator">The generator or pipeline to present.</param>
    /// <param name="descriptor">What its vectors are, or <see langword="null"/> to read it from the pipeline.</param>
    /// <param name="ownsInnerGenerator">
    /// Whether disposing this also disposes <paramref name="innerGenerator"/>: true for <c>AsEmbedder</c>, as for every
    /// Microsoft.Extensions.AI decorator; false where a container owns the pipeline and disposes it itself.
    /// </param>
    public GeneratorEmbedder(IEmbeddingGenerator<string, Embedding<float>> innerGenerator, EmbedderDescriptor? descriptor, bool ownsInnerGenerator = true)
        : base(innerGenerator)
    {
        _ownsInnerGenerator = ownsInnerGenerator;
        _appliesPrompts = innerGenerator.GetService<IEmbedder>() is null;

        // Read once, so a model that nothing describes fails at wrap time rather than at first use.
        Descriptor = descriptor
            ?? innerGenerator.GetService<EmbedderDescriptor>()
            ?? FromMetadata(innerGenerator.GetService<EmbeddingGeneratorMetadata>());
    }

    public EmbedderDescriptor Descriptor { get; }

    public int Dimensions => Descriptor.Dimensions;

    public EmbedderFingerprint Fingerprint => Descriptor.Fingerprint;

    public int? MaxInputTokens => Descriptor.MaxInputTokens;

    public override async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values,
        EmbeddingGenerationOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        IReadOnlyList<string> inputs = EmbeddingInputs.Validate(values);
        EmbedderDescriptor descriptor = Descriptor;
        if (_appliesPrompts)
        {
            EmbeddingInputKind kind = options.GetInputKind();
            if (descriptor.Prompts.For(kind).Length > 0)
            {
                inputs = inputs.Select(text => descriptor.Prompts.Apply(text, kind)).ToArray();
            }
        }

        GeneratedEmbeddings<Embedding<float>> result = await base.GenerateAsync(inputs, options, cancellationToken).ConfigureAwait(false);
        if (result.Count != inputs.Count)
        {
            throw new InvalidOperationException($"The generator returned {result.Count} embeddings for {inputs.Count} inputs.");
        }

        int expected = options?.Dimensions ?? descriptor.Dimensions;
        for (int i = 0; i < result.Count; i++)
        {
            if (result[i].Vector.Length != expected)
            {
                throw new InvalidOperationException(
                    $"The generator returned a vector of {result[i].Vector.Length} dimensions for input {i}; expected {expected}.");
            }
        }

        return result;
    }

    public override object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is null && serviceType == typeof(EmbedderDescriptor))
        {
            return Descriptor;
        }

        return base.GetService(serviceType, serviceKey);
    }

    protected override void Dispose(bool disposing)
    {
        if (_ownsInnerGenerator)
        {
            base.Dispose(disposing);
        }
    }

    private static EmbedderDescriptor FromMetadata(EmbeddingGeneratorMetadata? metadata)
    {
        if (metadata?.DefaultModelId is { Length: > 0 } modelId && metadata.DefaultModelDimensions is int dimensions and > 0)
        {
            return new EmbedderDescriptor { ModelId = modelId, Dimensions = dimensions, ProviderName = metadata.ProviderName };
        }

        throw new InvalidOperationException(
            "The generator does not say which model it runs or how many dimensions it returns (EmbeddingGeneratorMetadata.DefaultModelId and DefaultModelDimensions); pass an EmbedderDescriptor to AsEmbedder.");
    }
}
