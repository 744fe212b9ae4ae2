using Microsoft.Extensions.AI;

namespace Embeddings;

/// <summary>Convenience methods for embedding queries and documents and for adapting generators.</summary>
public static class EmbedderExtensions
{
    /// <summary>
    /// Presents <paramref name="generator"/> as an <see cref="IEmbedder"/>. Returns it unchanged when it already is one.
    /// </summary>
    /// <param name="generator">Any Microsoft.Extensions.AI generator or pipeline.</param>
    /// <param name="descriptor">
    /// What its vectors are. When <see langword="null"/>, it is read from the pipeline (an <see cref="EmbedderDescriptor"/>
    /// service) or from <see cref="EmbeddingGeneratorMetadata"/>'s model id and dimensions.
    /// </param>
    /// <returns>The embedder.</returns>
    /// <exception cref="InvalidOperationException">No descriptor was given and the generator does not describe itself.</exception>
    public static IEmbedder AsEmbedder(this IEmbeddingGenerator<string, Embedding<float>> generator, EmbedderDescriptor? descriptor = null)
    {
        ArgumentNullException.ThrowIfNull(generator);
        if (descriptor is null && generator is IEmbedder embedder)
        {
            return embedder;
        }

        return new GeneratorEmbedder(generator, descriptor);
    }

    /// <summary>Embeds one search query, with the model's query prefix.</summary>
    /// <param name="generator">The generator.</param>
    /// <param name="query">The query text.</param>
    /// <param name="options">Options, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The query vector.</returns>
    public static async Task<ReadOnlyMemory<float>> EmbedQueryAsync(
        this IEmbeddingGenerator<string, Embedding<float>> generator,
        string query,
        EmbeddingGenerationOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(generator);
        ArgumentNullException.ThrowIfNull(query);
        GeneratedEmbeddings<Embedding<float>> result = await generator
            .GenerateAsync([query], options.WithInputKind(EmbeddingInputKind.Query), cancellationToken)
            .ConfigureAwait(false);
        return result[0].Vector;
    }

    /// <summary>Embeds documents, with the model's document prefix.</summary>
    /// <param name="generator">The generator.</param>
    /// <param name="documents">The document texts.</param>
    /// <param name="options">Options, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>One embedding per document, in order.</returns>
    public static Task<GeneratedEmbeddings<Embedding<float>>> EmbedDocumentsAsync(
        this IEmbeddingGenerator<string, Embedding<float>> generator,
        IEnumerable<string> documents,
        EmbeddingGenerationOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(generator);
        ArgumentNullException.ThrowIfNull(documents);
        return generator.GenerateAsync(documents, options.WithInputKind(EmbeddingInputKind.Document), cancellationToken);
    }

    /// <summary>Embeds many texts in calls of at most <paramref name="batchSize"/> texts, reporting progress after each call.</summary>
    /// <param name="generator">The generator.</param>
    /// <param name="texts">The texts; none may be null.</param>
    /// <param name="kind">Whether the texts are queries or documents (the model's prefix is applied once).</param>
    /// <param name="batchSize">How many texts go into one call; positive. Default: 64.</param>
    /// <param name="progress">Receives the number of texts embedded so far after each call; <see langword="null"/> for none.</param>
    /// <param name="cancellationToken">Cancels between and during calls.</param>
    /// <returns>One vector per text, in order.</returns>
    /// <exception cref="InvalidOperationException">The generator returned a different number of vectors than it was given texts.</exception>
    public static async Task<ReadOnlyMemory<float>[]> EmbedInBatchesAsync(
        this IEmbeddingGenerator<string, Embedding<float>> generator,
        IReadOnlyList<string> texts,
        EmbeddingInputKind kind,
        int batchSize = 64,
        IProgress<int>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(generator);
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        var vectors = new ReadOnlyMemory<float>[texts.Count];
        EmbeddingGenerationOptions options = new EmbeddingGenerationOptions().WithInputKind(kind);
        for (int start = 0; start < texts.Count; start += batchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int count = Math.Min(batchSize, texts.Count - start);
            var batch = new string[count];
            for (int i = 0; i < count; i++)
            {
                batch[i] = texts[start + i];
            }

            GeneratedEmbeddings<Embedding<float>> embeddings = await generator.GenerateAsync(batch, options, cancellationToken).ConfigureAwait(false);
            if (embeddings.Count != count)
            {
                throw new InvalidOperationException($"The generator returned {embeddings.Count} vectors for the {count} texts starting at position {start}.");
            }

            for (int i = 0; i < count; i++)
            {
                vectors[start + i] = embeddings[i].Vector;
            }

            progress?.Report(start + count);
        }

        return vectors;
    }
}
