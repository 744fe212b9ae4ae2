using Microsoft.Extensions.AI;

namespace Embeddings;

/// <summary>
/// Adapts a float embedding generator into one of Microsoft.Extensions.AI's compact embedding types
/// (<see cref="Embedding{T}"/> of <see cref="sbyte"/> or <see cref="Half"/>, <see cref="BinaryEmbedding"/>);
/// made by <see cref="QuantizedEmbeddingGeneratorExtensions"/>.
/// </summary>
/// <typeparam name="TEmbedding">The compact embedding type.</typeparam>
internal sealed class QuantizedEmbeddingGenerator<TEmbedding> : IEmbeddingGenerator<string, TEmbedding>
    where TEmbedding : Embedding
{
    private readonly IEmbeddingGenerator<string, Embedding<float>> _inner;
    private readonly Func<Embedding<float>, TEmbedding> _convert;

    /// <summary>Creates the adapter.</summary>
    /// <param name="inner">The float generator.</param>
    /// <param name="quantizer">The quantizer behind <paramref name="convert"/>.</param>
    /// <param name="convert">Converts one float embedding.</param>
    public QuantizedEmbeddingGenerator(IEmbeddingGenerator<string, Embedding<float>> inner, IVectorQuantizer quantizer, Func<Embedding<float>, TEmbedding> convert)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(quantizer);
        ArgumentNullException.ThrowIfNull(convert);
        _inner = inner;
        Quantizer = quantizer;
        _convert = convert;
    }

    /// <summary>Gets the quantizer.</summary>
    public IVectorQuantizer Quantizer { get; }

    /// <inheritdoc />
    public async Task<GeneratedEmbeddings<TEmbedding>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        GeneratedEmbeddings<Embedding<float>> floats = await _inner.GenerateAsync(values, options, cancellationToken).ConfigureAwait(false);
        var result = new GeneratedEmbeddings<TEmbedding>(floats.Count)
        {
            Usage = floats.Usage,
            AdditionalProperties = floats.AdditionalProperties,
        };
        foreach (Embedding<float> embedding in floats)
        {
            result.Add(_convert(embedding));
        }

        return result;
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is null && serviceType.IsInstanceOfType(this))
        {
            return this;
        }

        if (serviceKey is null && serviceType.IsInstanceOfType(Quantizer))
        {
            return Quantizer;
        }

        return _inner.GetService(serviceType, serviceKey);
    }

    /// <inheritdoc />
    public void Dispose() => _inner.Dispose();
}
