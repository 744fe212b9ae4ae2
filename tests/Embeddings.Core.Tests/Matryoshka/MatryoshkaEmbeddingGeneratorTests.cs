using Embeddings.Core.Tests.Abstractions;
using Embeddings.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Embeddings.Core.Tests.Matryoshka;

public sealed class MatryoshkaEmbeddingGeneratorTests
{
    private static DeterministicEmbedder Mrl(bool truncatesNatively = false) => new(
        DeterministicEmbedder.Create(256, normalized: true, prompts: new EmbeddingPrompts("query: ", "passage: "), matryoshkaDimensions: [64, 128, 256]).Descriptor,
        truncatesNatively);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Returns_the_renormalized_prefix_of_the_full_vector(bool truncatesNatively)
    {
        using DeterministicEmbedder inner = Mrl(truncatesNatively);
        using IEmbeddingGenerator<string, Embedding<float>> pipeline = inner.AsBuilder().UseMatryoshka(128).Build();

        ReadOnlyMemory<float> vector = await pipeline.EmbedQueryAsync("hello");

        float[] expected = MatryoshkaTestHelpers.TruncateAndNormalize(DeterministicEmbedder.VectorFor("query: hello", 256, normalized: true), 128);
        Assert.Equal(128, vector.Length);
        for (int i = 0; i < 128; i++)
        {
            ScalarReference.AssertRelative(expected[i], vector.Span[i], $"dimension {i}");
        }

        // A trained size is asked of the provider (which may produce it natively); the prefix went in once.
        Assert.Equal(128, inner.ReceivedOptions.Single()!.Dimensions);
        Assert.Equal(["query: hello"], inner.Received);
    }

    [Fact]
    public void Publishes_the_truncated_descriptor_fingerprint_and_metadata()
    {
        using DeterministicEmbedder inner = Mrl();
        using var matryoshka = new MatryoshkaEmbeddingGenerator(inner, 64);

        EmbedderDescriptor descriptor = matryoshka.GetService<EmbedderDescriptor>()!;
        Assert.Equal(64, descriptor.Dimensions);
        Assert.Equal([64], descriptor.MatryoshkaDimensions);
        Assert.Equal(inner.Fingerprint.WithDimensions(64, normalized: true), descriptor.Fingerprint);
        Assert.Equal(64, matryoshka.GetService<EmbeddingGeneratorMetadata>()!.DefaultModelDimensions);
        Assert.Equal(inner.Descriptor.ModelId, matryoshka.GetService<EmbeddingGeneratorMetadata>()!.DefaultModelId);

        using IEmbedder embedder = matryoshka.AsEmbedder();
        Assert.Equal(64, embedder.Dimensions);
        Assert.Equal(descriptor.Fingerprint, embedder.Fingerprint);
        Assert.NotEqual(inner.Fingerprint, embedder.Fingerprint);
    }

    [Fact]
    public void An_untrained_size_or_a_non_mrl_model_is_refused_at_construction()
    {
        using DeterministicEmbedder inner = Mrl();
        ArgumentOutOfRangeException untrained = Assert.Throws<ArgumentOutOfRangeException>(() => new MatryoshkaEmbeddingGenerator(inner, 100));
        Assert.Contains("64, 128, 256", untrained.Message, StringComparison.Ordinal);

        using var plain = DeterministicEmbedder.Create(256);
        Assert.Contains("not trained", Assert.Throws<ArgumentOutOfRangeException>(() => plain.AsBuilder().UseMatryoshka(128).Build()).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new MatryoshkaEmbeddingGenerator(inner, 512, allowUntrained: true));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MatryoshkaEmbeddingGenerator(inner, 0));
    }

    [Fact]
    public async Task An_untrained_size_works_when_opted_in()
    {
        using DeterministicEmbedder inner = Mrl();
        using var matryoshka = new MatryoshkaEmbeddingGenerator(inner, 100, allowUntrained: true);

        GeneratedEmbeddings<Embedding<float>> result = await matryoshka.GenerateAsync(["x"]);

        float[] expected = MatryoshkaTestHelpers.TruncateAndNormalize(DeterministicEmbedder.VectorFor("x", 256, normalized: true), 100);
        for (int i = 0; i < 100; i++)
        {
            ScalarReference.AssertRelative(expected[i], result[0].Vector.Span[i], $"dimension {i}");
        }

        // The embedder inside would refuse 100; the decorator asks it for the full vector and truncates itself.
        Assert.Null(inner.ReceivedOptions.Single()?.Dimensions);
    }

    [Fact]
    public async Task A_plain_generator_needs_the_opt_in_because_its_trained_sizes_are_unknown()
    {
        using var plain = new AsEmbedderTests.PlainGenerator(new EmbeddingGeneratorMetadata("plain", null, "m", 32), vectorLength: 32);
        ArgumentException error = Assert.Throws<ArgumentException>(() => new MatryoshkaEmbeddingGenerator(plain, 8));
        Assert.Contains("allowUntrained", error.Message, StringComparison.Ordinal);

        using var matryoshka = new MatryoshkaEmbeddingGenerator(plain, 8, allowUntrained: true);
        GeneratedEmbeddings<Embedding<float>> result = await matryoshka.GenerateAsync(["x"]);
        Assert.Equal(8, result[0].Vector.Length);
        Assert.Equal(8, matryoshka.GetService<EmbeddingGeneratorMetadata>()!.DefaultModelDimensions);
        Assert.Null(matryoshka.GetService<EmbedderDescriptor>());
        Assert.Equal(8, matryoshka.AsEmbedder().Dimensions);
    }

    [Fact]
    public async Task Options_asking_for_another_size_are_refused()
    {
        using DeterministicEmbedder inner = Mrl();
        using var matryoshka = new MatryoshkaEmbeddingGenerator(inner, 64);

        ArgumentOutOfRangeException error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(
            () => matryoshka.GenerateAsync(["x"], new EmbeddingGenerationOptions { Dimensions = 128 }));
        Assert.Contains("64", error.Message, StringComparison.Ordinal);
        Assert.Contains("128", error.Message, StringComparison.Ordinal);

        Assert.Equal(64, (await matryoshka.GenerateAsync(["x"], new EmbeddingGenerationOptions { Dimensions = 64 }))[0].Vector.Length);
    }

    [Fact]
    public async Task A_vector_shorter_than_the_target_is_an_error()
    {
        // Claims 16 dimensions but returns 4: nothing inside checks, so the decorator must.
        using var plain = new AsEmbedderTests.PlainGenerator(new EmbeddingGeneratorMetadata("plain", null, "m", 16), vectorLength: 4);
        using var matryoshka = new MatryoshkaEmbeddingGenerator(plain, 8, allowUntrained: true);
        InvalidOperationException error = await Assert.ThrowsAsync<InvalidOperationException>(() => matryoshka.GenerateAsync(["x"]));
        Assert.Contains("returned 4 dimensions", error.Message, StringComparison.Ordinal);
        Assert.Contains("8", error.Message, StringComparison.Ordinal);
    }
}
