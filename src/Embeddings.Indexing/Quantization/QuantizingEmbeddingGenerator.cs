using Microsoft.Extensions.AI;

namespace Embeddings;

/// <summary>
/// A decorator that passes every vector through a quantizer and back (encode, then decode), so that whatever
/// sits downstream (a cache, an index holding float vectors, an evaluation) sees exactly the values an index
/// storing the quantizer's codes will reconstruct.
/// </summary>
/// <remarks>
/// Queries stay full precision by default (<c>quantizeQueries: false</c>): quantized indexes score a float
/// query against stored codes (asymmetric scoring), which ranks better than comparing two quantized vectors.
/// A request is a query when its options say so (<see cref="EmbeddingGenerationOptionsExtensions.WithInputKind"/>,
/// as <c>EmbedQueryAsync</c> does). To obtain Microsoft.Extensions.AI's compact types instead
/// (<see cref="Embedding{T}"/> of <see cref="sbyte"/> or <see cref="Half"/>, <see cref="BinaryEmbedding"/>),
/// use <see cref="QuantizedEmbeddingGeneratorExtensions"/>. The pipeline order is pool, truncate, normalize, quantize.
/// </remarks>
public sealed class QuantizingEmbeddingGenerator : DelegatingEmbeddingGenerator<string, Embedding<float>>
{
    /// <summary>Creates the decorator.</summary>
    /// <param name="innerGenerator">The generator whose vectors are quantized.</param>
    /// <param name="quantizer">The quantizer; its dimensions must match the vectors.</param>
    /// <param name="quantizeQueries">Whether queries are quantized too. Default: <see langword="false"/>.</param>
    public QuantizingEmbeddingGenerator(IEmbeddingGenerator<string, Embedding<float>> innerGenerator, IVectorQuantizer quantizer, bool quantizeQueries = false)
        : base(innerGenerator)
    {
        ArgumentNullException.ThrowIfNull(quantizer);
        Quantizer = quantizer;
        QuantizeQueries = quantizeQueries;
    }

    /// <summary>Gets the quantizer.</summary>
    public IVectorQuantizer Quantizer { get; }

    /// <summary>Gets whether queries are quantized too.</summary>
    public bool QuantizeQueries { get; }

    /// <inheritdoc />
    public override async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values,
        EmbeddingGenerationOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        GeneratedEmbeddings<Embedding<float>> result = await base.GenerateAsync(values, options, cancellationToken).ConfigureAwait(false);
        if (!QuantizeQueries && options.GetInputKind() == EmbeddingInputKind.Query)
        {
            return result;
        }

        var code = new byte[Quantizer.BytesPerVector];
        for (int i = 0; i < result.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Embedding<float> embedding = result[i];
            if (embedding.Vector.Length != Quantizer.Dimensions)
            {
                throw new InvalidOperationException($"The inner generator returned {embedding.Vector.Length} dimensions for input {i}; the quantizer expects {Quantizer.Dimensions}.");
            }

            var restored = new float[Quantizer.Dimensions];
            Quantizer.Encode(embedding.Vector.Span, code);
            Quantizer.Decode(code, restored);
            result[i] = new Embedding<float>(restored)
            {
                ModelId = embedding.ModelId,
                CreatedAt = embedding.CreatedAt,
                AdditionalProperties = embedding.AdditionalProperties,
            };
        }

        return result;
    }

    /// <inheritdoc />
    public override object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is null && serviceType.IsInstanceOfType(Quantizer))
        {
            return Quantizer;
        }

        return base.GetService(serviceType, serviceKey);
    }
}
