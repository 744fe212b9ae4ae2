using System.Collections.Concurrent;
using Microsoft.Extensions.AI;

namespace Embeddings.Testing;

/// <summary>
/// A provider for tests: derives from <see cref="EmbedderBase"/>, so it exercises the base's checks, prefixes and
/// Matryoshka handling, and turns each text into a fixed pseudo-random vector (<see cref="VectorFor"/>). It records
/// what reached it, so tests can see which prefixes were applied and how often the provider was called.
/// </summary>
public sealed class DeterministicEmbedder : EmbedderBase
{
    private readonly ConcurrentQueue<string> _received = new();
    private readonly ConcurrentQueue<EmbeddingGenerationOptions?> _receivedOptions = new();
    private int _calls;
    private int _disposeCount;

    /// <summary>Creates the embedder.</summary>
    /// <param name="descriptor">What it claims to be; its dimensions, normalization and prompts drive the output.</param>
    /// <param name="truncatesNatively">
    /// Whether it honours <see cref="EmbeddingGenerationOptions.Dimensions"/> itself (as OpenAI does) instead of returning
    /// full-length vectors for <see cref="EmbedderBase"/> to truncate. Default: <see langword="false"/>.
    /// </param>
    public DeterministicEmbedder(EmbedderDescriptor descriptor, bool truncatesNatively = false)
        : base(descriptor)
    {
        TruncatesNatively = truncatesNatively;
    }

    /// <summary>Gets a value indicating whether the embedder truncates to <see cref="EmbeddingGenerationOptions.Dimensions"/> itself.</summary>
    public bool TruncatesNatively { get; }

    /// <summary>Gets every text that reached <see cref="GenerateCoreAsync"/>, prefixes included, in arrival order.</summary>
    public IReadOnlyCollection<string> Received => _received;

    /// <summary>Gets the options of every call that reached the provider.</summary>
    public IReadOnlyCollection<EmbeddingGenerationOptions?> ReceivedOptions => _receivedOptions;

    /// <summary>Gets the number of calls that reached the provider.</summary>
    public int Calls => Volatile.Read(ref _calls);

    /// <summary>Gets how many times <see cref="EmbedderBase.Dispose(bool)"/> ran.</summary>
    public int DisposeCount => Volatile.Read(ref _disposeCount);

    /// <summary>Creates an embedder with a simple descriptor.</summary>
    /// <param name="dimensions">The vector length.</param>
    /// <param name="modelId">The model id. Default: <c>test/deterministic</c>.</param>
    /// <param name="normalized">Whether vectors are unit length. Default: <see langword="true"/>.</param>
    /// <param name="prompts">The prefixes; <see langword="null"/> for none.</param>
    /// <param name="matryoshkaDimensions">The trained Matryoshka sizes; <see langword="null"/> for none.</param>
    /// <returns>The embedder.</returns>
    public static DeterministicEmbedder Create(
        int dimensions,
        string modelId = "test/deterministic",
        bool normalized = true,
        EmbeddingPrompts? prompts = null,
        IReadOnlyList<int>? matryoshkaDimensions = null) =>
        new(new EmbedderDescriptor
        {
            ModelId = modelId,
            Revision = "r1",
            Dimensions = dimensions,
            Pooling = "mean",
            Normalized = normalized,
            MaxInputTokens = 512,
            Prompts = prompts ?? EmbeddingPrompts.None,
            MatryoshkaDimensions = matryoshkaDimensions ?? [],
            ProviderName = "deterministic",
        });

    /// <summary>
    /// Returns the vector this embedder produces for <paramref name="text"/> (exactly as received, prefix included):
    /// values from a generator seeded by a stable hash of the text, unit length when <paramref name="normalized"/>.
    /// </summary>
    /// <param name="text">The text as the provider sees it.</param>
    /// <param name="dimensions">The vector length.</param>
    /// <param name="normalized">Whether to scale to unit length.</param>
    /// <returns>A new vector.</returns>
    public static float[] VectorFor(string text, int dimensions, bool normalized)
    {
        ArgumentNullException.ThrowIfNull(text);
        ulong state = 14695981039346656037UL;
        foreach (char c in text)
        {
            state = (state ^ c) * 1099511628211UL;
        }

        var vector = new float[dimensions];
        for (int i = 0; i < dimensions; i++)
        {
            // SplitMix64: a stable sequence across runtimes, unlike System.Random's unseeded algorithms.
            state += 0x9E3779B97F4A7C15UL;
            ulong z = state;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            z ^= z >> 31;
            vector[i] = (float)(((z >> 11) * (1.0 / (1UL << 53)) * 2.0) - 1.0);
        }

        if (normalized)
        {
            VectorMath.Normalize(vector);
        }

        return vector;
    }

    /// <inheritdoc />
    protected override Task<GeneratedEmbeddings<Embedding<float>>> GenerateCoreAsync(
        IReadOnlyList<string> inputs,
        EmbeddingGenerationOptions? options,
        CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Interlocked.Increment(ref _calls);
        _receivedOptions.Enqueue(options);
        int length = TruncatesNatively && options?.Dimensions is int requested ? requested : Dimensions;
        var result = new GeneratedEmbeddings<Embedding<float>>(inputs.Count);
        foreach (string input in inputs)
        {
            _received.Enqueue(input);
            float[] full = VectorFor(input, Dimensions, Descriptor.Normalized);
            float[] vector = length == Dimensions ? full : MatryoshkaTestHelpers.TruncateAndNormalize(full, length);
            result.Add(new Embedding<float>(vector) { ModelId = Descriptor.ModelId });
        }

        return Task.FromResult(result);
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        Interlocked.Increment(ref _disposeCount);
        base.Dispose(disposing);
    }
}
