using Microsoft.Extensions.AI;

namespace Embeddings;

/// <summary>
/// A base for <see cref="IEmbedder"/> providers: it checks the inputs, applies the query or document prefix,
/// honours <see cref="EmbeddingGenerationOptions.Dimensions"/> by Matryoshka truncation when the provider
/// returns full-length vectors, and checks that every vector has the promised length.
/// </summary>
/// <remarks>Derived classes implement <see cref="GenerateCoreAsync"/> and must be thread-safe.</remarks>
public abstract class EmbedderBase : IEmbedder
{
    private readonly EmbeddingGeneratorMetadata _metadata;
    private int _disposed;

    /// <summary>Initializes the embedder.</summary>
    /// <param name="descriptor">What the provider's vectors are.</param>
    protected EmbedderBase(EmbedderDescriptor descriptor)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(descriptor.Dimensions);
        Descriptor = descriptor;
        _metadata = new EmbeddingGeneratorMetadata(descriptor.ProviderName, providerUri: null, descriptor.ModelId, descriptor.Dimensions);
    }

    /// <inheritdoc />
    public EmbedderDescriptor Descriptor { get; }

    /// <inheritdoc />
    public int Dimensions => Descriptor.Dimensions;

    /// <inheritdoc />
    public EmbedderFingerprint Fingerprint => Descriptor.Fingerprint;

    /// <inheritdoc />
    public int? MaxInputTokens => Descriptor.MaxInputTokens;

    /// <inheritdoc />
    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values,
        EmbeddingGenerationOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        IReadOnlyList<string> inputs = EmbeddingInputs.Validate(values);
        EmbeddingInputKind kind = options.GetInputKind();
        int? requested = MatryoshkaTruncation.ValidateRequest(Descriptor, options?.Dimensions, allowUntrained: false);
        cancellationToken.ThrowIfCancellationRequested();

        IReadOnlyList<string> prefixed = ApplyPrompt(inputs, kind);
        GeneratedEmbeddings<Embedding<float>> result = await GenerateCoreAsync(prefixed, options, cancellationToken).ConfigureAwait(false);

        if (result.Count != inputs.Count)
        {
            throw new InvalidOperationException($"{GetType().Name} returned {result.Count} embeddings for {inputs.Count} inputs.");
        }

        int expected = requested ?? Dimensions;
        for (int i = 0; i < result.Count; i++)
        {
            Embedding<float> embedding = result[i];
            if (embedding.Vector.Length == expected)
            {
                continue;
            }

            if (requested is int target && embedding.Vector.Length == Dimensions)
            {
                result[i] = MatryoshkaTruncation.Truncate(embedding, target, MatryoshkaTruncation.KeepsUnitLength(Descriptor, embedding.Vector.Span));
                continue;
            }

            throw new InvalidOperationException(
                $"{GetType().Name} returned a vector of {embedding.Vector.Length} dimensions for input {i}; expected {expected}.");
        }

        return result;
    }

    /// <summary>Embeds inputs that are already checked and prefixed.</summary>
    /// <param name="inputs">The inputs: at least one, none null, prefixes applied.</param>
    /// <param name="options">The caller's options, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>One embedding per input, in input order.</returns>
    protected abstract Task<GeneratedEmbeddings<Embedding<float>>> GenerateCoreAsync(
        IReadOnlyList<string> inputs,
        EmbeddingGenerationOptions? options,
        CancellationToken cancellationToken);

    /// <inheritdoc />
    public virtual object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null)
        {
            return null;
        }

        if (serviceType == typeof(EmbedderDescriptor))
        {
            return Descriptor;
        }

        if (serviceType == typeof(EmbeddingGeneratorMetadata))
        {
            return _metadata;
        }

        return serviceType.IsInstanceOfType(this) ? this : null;
    }

    /// <summary>Releases the provider's resources. Calls after the first do nothing.</summary>
    /// <remarks>
    /// A provider is often disposed twice (by the container that registered it and by a pipeline that wraps it),
    /// so <see cref="Dispose(bool)"/> runs once only.
    /// </remarks>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            Dispose(disposing: true);
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the provider's resources; called once, by the first <see cref="Dispose()"/>.</summary>
    /// <param name="disposing"><see langword="true"/> when called from <see cref="Dispose()"/>.</param>
    protected virtual void Dispose(bool disposing)
    {
    }

    private IReadOnlyList<string> ApplyPrompt(IReadOnlyList<string> inputs, EmbeddingInputKind kind)
    {
        string prefix = Descriptor.Prompts.For(kind);
        if (prefix.Length == 0)
        {
            return inputs;
        }

        var prefixed = new string[inputs.Count];
        for (int i = 0; i < prefixed.Length; i++)
        {
            prefixed[i] = string.Concat(prefix, inputs[i]);
        }

        return prefixed;
    }
}
