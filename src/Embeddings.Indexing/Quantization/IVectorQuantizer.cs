namespace Embeddings;

/// <summary>
/// Turns float vectors into compact fixed-size codes that an index stores directly, back into (approximate)
/// float vectors, and scores codes against a prepared query without decoding them.
/// </summary>
/// <remarks>
/// Codes of many vectors are meant to lie back to back in one buffer, <see cref="BytesPerVector"/> each; every
/// member works on spans and allocates nothing per vector. A quantizer is immutable once built and safe to use
/// from several threads; the scorers it creates are not (each holds its query's scratch state).
/// </remarks>
public interface IVectorQuantizer
{
    /// <summary>Gets the representation this quantizer produces.</summary>
    QuantizationKind Kind { get; }

    /// <summary>Gets the length of the float vectors it encodes.</summary>
    int Dimensions { get; }

    /// <summary>Gets the exact size of one code in bytes: the memory one stored vector takes.</summary>
    int BytesPerVector { get; }

    /// <summary>Encodes <paramref name="vector"/> into <paramref name="code"/>.</summary>
    /// <param name="vector">The vector, <see cref="Dimensions"/> long, finite.</param>
    /// <param name="code">Receives the code; at least <see cref="BytesPerVector"/> long.</param>
    /// <exception cref="ArgumentException">A length is wrong.</exception>
    void Encode(ReadOnlySpan<float> vector, Span<byte> code);

    /// <summary>Reconstructs the vector a code stands for.</summary>
    /// <param name="code">The code, at least <see cref="BytesPerVector"/> long.</param>
    /// <param name="vector">Receives <see cref="Dimensions"/> values.</param>
    /// <exception cref="ArgumentException">A length is wrong.</exception>
    void Decode(ReadOnlySpan<byte> code, Span<float> vector);

    /// <summary>Prepares <paramref name="query"/> for scoring many codes (asymmetric: the query stays float).</summary>
    /// <param name="query">The float query, <see cref="Dimensions"/> long.</param>
    /// <param name="metric">How to score; see each quantizer for the metrics it supports.</param>
    /// <returns>A scorer for this query; not thread-safe.</returns>
    /// <exception cref="ArgumentException">The query length is wrong or the metric is not supported.</exception>
    QuantizedQueryScorer CreateScorer(ReadOnlySpan<float> query, DistanceMetric metric);

    /// <summary>Writes the quantizer's parameters (ranges, codebooks, ...) so that <see cref="VectorQuantizer.Load(Stream)"/> restores it bit-exactly.</summary>
    /// <param name="stream">The destination stream.</param>
    void Save(Stream stream);
}
