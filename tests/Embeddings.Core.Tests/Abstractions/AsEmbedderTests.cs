using Embeddings.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging.Abstractions;

namespace Embeddings.Core.Tests.Abstractions;

public sealed class AsEmbedderTests
{
    private static readonly EmbeddingPrompts E5 = new("query: ", "passage: ");

    [Fact]
    public async Task A_plain_generator_is_described_by_its_metadata()
    {
        using var plain = new PlainGenerator(new EmbeddingGeneratorMetadata("plain", new Uri("http://127.0.0.1/"), "org/plain-model", 12), vectorLength: 12);
        using IEmbedder embedder = plain.AsEmbedder();

        Assert.Equal(12, embedder.Dimensions);
        Assert.Equal("org/plain-model", embedder.Descriptor.ModelId);
        Assert.Equal("plain", embedder.Descriptor.ProviderName);
        Assert.Equal(new EmbedderFingerprint("org/plain-model", null, null, false, 12), embedder.Fingerprint);
        Assert.Null(embedder.MaxInputTokens);
        Assert.Same(embedder.Descriptor, embedder.GetService<EmbedderDescriptor>());
        Assert.Same(plain, embedder.GetService<PlainGenerator>());

        GeneratedEmbeddings<Embedding<float>> result = await embedder.GenerateAsync(["x", "y"]);
        Assert.Equal(2, result.Count);
        Assert.Equal(["x", "y"], plain.Received);
    }

    [Fact]
    public void A_generator_without_model_metadata_needs_a_descriptor()
    {
        using var anonymous = new PlainGenerator(new EmbeddingGeneratorMetadata("plain"), vectorLength: 4);
        InvalidOperationException error = Assert.Throws<InvalidOperationException>(() => anonymous.AsEmbedder());
        Assert.Contains("DefaultModelId", error.Message, StringComparison.Ordinal);
        Assert.Contains("EmbedderDescriptor", error.Message, StringComparison.Ordinal);

        using var noDimensions = new PlainGenerator(new EmbeddingGeneratorMetadata("plain", null, "model"), vectorLength: 4);
        Assert.Throws<InvalidOperationException>(() => noDimensions.AsEmbedder());

        using IEmbedder described = anonymous.AsEmbedder(new EmbedderDescriptor { ModelId = "given", Dimensions = 4 });
        Assert.Equal("given", described.Fingerprint.ModelId);
        Assert.Throws<ArgumentNullException>(() => ((IEmbeddingGenerator<string, Embedding<float>>)null!).AsEmbedder());
    }

    [Fact]
    public async Task A_descriptor_given_to_a_plain_generator_brings_its_prefixes()
    {
        using var plain = new PlainGenerator(new EmbeddingGeneratorMetadata("plain"), vectorLength: 4);
        using IEmbedder embedder = plain.AsEmbedder(new EmbedderDescriptor { ModelId = "e5", Dimensions = 4, Prompts = E5 });

        await embedder.EmbedQueryAsync("q");
        await embedder.EmbedDocumentsAsync(["d"]);
        await embedder.GenerateAsync(["u"]);
        Assert.Equal(["query: q", "passage: d", "u"], plain.Received);
    }

    [Fact]
    public async Task Prefixes_are_applied_exactly_once_when_an_embedder_is_inside_the_pipeline()
    {
        using var inner = DeterministicEmbedder.Create(8, prompts: E5);
        using IEmbeddingGenerator<string, Embedding<float>> pipeline = inner.AsBuilder().UseLogging(NullLoggerFactory.Instance).Build();

        using IEmbedder fromPipeline = pipeline.AsEmbedder();
        using IEmbedder withDescriptor = pipeline.AsEmbedder(inner.Descriptor);
        using IEmbedder twice = fromPipeline.AsEmbedder(inner.Descriptor);

        await fromPipeline.EmbedQueryAsync("a");
        await withDescriptor.EmbedQueryAsync("b");
        await twice.EmbedDocumentsAsync(["c"]);

        Assert.Equal(["query: a", "query: b", "passage: c"], inner.Received);
        Assert.Equal(inner.Descriptor, fromPipeline.Descriptor);
    }

    [Fact]
    public void An_embedder_is_returned_unchanged()
    {
        using var embedder = DeterministicEmbedder.Create(8);
        Assert.Same(embedder, embedder.AsEmbedder());
    }

    [Fact]
    public async Task Checks_inputs_and_the_vectors_that_come_back()
    {
        using var plain = new PlainGenerator(new EmbeddingGeneratorMetadata("plain", null, "m", 12), vectorLength: 10);
        using IEmbedder embedder = plain.AsEmbedder();

        InvalidOperationException length = await Assert.ThrowsAsync<InvalidOperationException>(() => embedder.GenerateAsync(["x"]));
        Assert.Contains("10 dimensions", length.Message, StringComparison.Ordinal);
        Assert.Contains("expected 12", length.Message, StringComparison.Ordinal);

        plain.Received.Clear();
        await Assert.ThrowsAsync<ArgumentNullException>(() => embedder.GenerateAsync(null!));
        await Assert.ThrowsAsync<ArgumentException>(() => embedder.GenerateAsync([]));
        Assert.Contains("Input 1", (await Assert.ThrowsAsync<ArgumentException>(() => embedder.GenerateAsync(["a", null!]))).Message, StringComparison.Ordinal);
        Assert.Empty(plain.Received);

        using var dropping = new PlainGenerator(new EmbeddingGeneratorMetadata("plain", null, "m", 4), vectorLength: 4) { DropLast = true };
        using IEmbedder droppingEmbedder = dropping.AsEmbedder();
        Assert.Contains("1 embeddings for 2 inputs", (await Assert.ThrowsAsync<InvalidOperationException>(() => droppingEmbedder.GenerateAsync(["a", "b"]))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Disposing_the_wrapper_disposes_the_generator_it_wraps()
    {
        var plain = new PlainGenerator(new EmbeddingGeneratorMetadata("plain", null, "m", 4), vectorLength: 4);
        plain.AsEmbedder().Dispose();
        Assert.True(plain.Disposed);
    }

    /// <summary>A Microsoft.Extensions.AI generator that is not an <see cref="IEmbedder"/>: returns constant vectors and records its inputs.</summary>
    internal sealed class PlainGenerator(EmbeddingGeneratorMetadata metadata, int vectorLength) : IEmbeddingGenerator<string, Embedding<float>>
    {
        public List<string> Received { get; } = [];

        public bool DropLast { get; init; }

        public bool Disposed { get; private set; }

        public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
            IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
        {
            List<string> inputs = values.ToList();
            Received.AddRange(inputs);
            int count = DropLast ? inputs.Count - 1 : inputs.Count;
            int length = options?.Dimensions ?? vectorLength;
            return Task.FromResult(new GeneratedEmbeddings<Embedding<float>>(
                inputs.Take(count).Select(text => new Embedding<float>(DeterministicEmbedder.VectorFor(text, length, normalized: false)))));
        }

        public object? GetService(Type serviceType, object? serviceKey = null) =>
            serviceKey is not null ? null
            : serviceType == typeof(EmbeddingGeneratorMetadata) ? metadata
            : serviceType.IsInstanceOfType(this) ? this
            : null;

        public void Dispose() => Disposed = true;
    }
}
