using Embeddings.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging.Abstractions;

namespace Embeddings.Core.Tests.Abstractions;

public sealed class EmbedderBaseTests
{
    private static readonly EmbeddingPrompts E5 = new("query: ", "passage: ");

    [Fact]
    public async Task Embeds_each_input_in_order_with_the_promised_length()
    {
        using var embedder = DeterministicEmbedder.Create(64);
        GeneratedEmbeddings<Embedding<float>> result = await embedder.GenerateAsync(["alpha", "beta", ""]);

        Assert.Equal(3, result.Count);
        Assert.Equal(DeterministicEmbedder.VectorFor("alpha", 64, normalized: true), result[0].Vector.ToArray());
        Assert.Equal(DeterministicEmbedder.VectorFor("beta", 64, normalized: true), result[1].Vector.ToArray());
        Assert.Equal(DeterministicEmbedder.VectorFor(string.Empty, 64, normalized: true), result[2].Vector.ToArray());
        Assert.Equal(["alpha", "beta", ""], embedder.Received);
    }

    [Fact]
    public async Task Null_and_empty_input_lists_and_null_strings_are_clear_errors()
    {
        using var embedder = DeterministicEmbedder.Create(8);

        await Assert.ThrowsAsync<ArgumentNullException>("values", () => embedder.GenerateAsync(null!));

        ArgumentException empty = await Assert.ThrowsAsync<ArgumentException>("values", () => embedder.GenerateAsync([]));
        Assert.Contains("empty", empty.Message, StringComparison.Ordinal);

        ArgumentException nullString = await Assert.ThrowsAsync<ArgumentException>("values", () => embedder.GenerateAsync(["a", "b", null!]));
        Assert.Contains("Input 2 is null", nullString.Message, StringComparison.Ordinal);

        // A lazy sequence is materialized once and checked the same way.
        ArgumentException lazy = await Assert.ThrowsAsync<ArgumentException>(() => embedder.GenerateAsync(Enumerable.Range(0, 3).Select(i => i == 1 ? null! : "x")));
        Assert.Contains("Input 1 is null", lazy.Message, StringComparison.Ordinal);

        Assert.Equal(0, embedder.Calls);
    }

    [Fact]
    public async Task Prefixes_follow_the_input_kind_in_the_options()
    {
        using var embedder = DeterministicEmbedder.Create(16, prompts: E5);

        ReadOnlyMemory<float> query = await embedder.EmbedQueryAsync("what is rust?");
        GeneratedEmbeddings<Embedding<float>> documents = await embedder.EmbedDocumentsAsync(["Rust is a language."]);
        await embedder.GenerateAsync(["plain"]);
        await embedder.GenerateAsync(["by options"], new EmbeddingGenerationOptions().WithInputKind(EmbeddingInputKind.Query));

        Assert.Equal(["query: what is rust?", "passage: Rust is a language.", "plain", "query: by options"], embedder.Received);
        Assert.Equal(DeterministicEmbedder.VectorFor("query: what is rust?", 16, normalized: true), query.ToArray());
        Assert.Equal(DeterministicEmbedder.VectorFor("passage: Rust is a language.", 16, normalized: true), documents[0].Vector.ToArray());
    }

    [Fact]
    public async Task The_input_kind_survives_middleware_that_clones_the_options()
    {
        using var embedder = DeterministicEmbedder.Create(16, prompts: E5);
        using IEmbeddingGenerator<string, Embedding<float>> pipeline = embedder.AsBuilder()
            .ConfigureOptions(options => options.ModelId = "cloned")
            .UseLogging(NullLoggerFactory.Instance)
            .ConfigureOptions(options => options.AdditionalProperties!["other"] = "value")
            .Build();

        var callerOptions = new EmbeddingGenerationOptions().WithInputKind(EmbeddingInputKind.Document);
        await pipeline.GenerateAsync(["doc"], callerOptions);
        await pipeline.EmbedQueryAsync("q");

        Assert.Equal(["passage: doc", "query: q"], embedder.Received);
        Assert.All(embedder.ReceivedOptions, options => Assert.Equal("cloned", options!.ModelId));
        Assert.False(callerOptions.AdditionalProperties!.ContainsKey("other"));
    }

    [Fact]
    public async Task A_requested_trained_size_is_truncated_and_renormalized()
    {
        using var embedder = DeterministicEmbedder.Create(256, matryoshkaDimensions: [64, 128]);
        GeneratedEmbeddings<Embedding<float>> result = await embedder.GenerateAsync(["text"], new EmbeddingGenerationOptions { Dimensions = 64 });

        float[] full = DeterministicEmbedder.VectorFor("text", 256, normalized: true);
        float[] expected = MatryoshkaTestHelpers.TruncateAndNormalize(full, 64);
        float[] actual = result[0].Vector.ToArray();
        Assert.Equal(64, actual.Length);
        for (int i = 0; i < 64; i++)
        {
            ScalarReference.AssertRelative(expected[i], actual[i], $"dimension {i}");
        }

        Assert.Equal(64, embedder.ReceivedOptions.Single()!.Dimensions);
    }

    [Fact]
    public async Task A_provider_that_truncates_natively_is_taken_as_is()
    {
        var descriptor = DeterministicEmbedder.Create(256, matryoshkaDimensions: [64]).Descriptor;
        using var embedder = new DeterministicEmbedder(descriptor, truncatesNatively: true);
        GeneratedEmbeddings<Embedding<float>> result = await embedder.GenerateAsync(["text"], new EmbeddingGenerationOptions { Dimensions = 64 });
        Assert.Equal(64, result[0].Vector.Length);
    }

    [Theory]
    [InlineData(100, "64, 128")]
    [InlineData(512, "has 256")]
    public async Task An_untrained_or_impossible_size_is_refused(int dimensions, string because)
    {
        using var embedder = DeterministicEmbedder.Create(256, matryoshkaDimensions: [64, 128]);
        ArgumentOutOfRangeException error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(
            () => embedder.GenerateAsync(["text"], new EmbeddingGenerationOptions { Dimensions = dimensions }));
        Assert.Contains(dimensions.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message, StringComparison.Ordinal);
        Assert.Contains(because, error.Message, StringComparison.Ordinal);
        Assert.Equal(0, embedder.Calls);
    }

    [Fact]
    public async Task A_model_not_trained_for_matryoshka_refuses_any_smaller_size()
    {
        using var embedder = DeterministicEmbedder.Create(256);
        ArgumentOutOfRangeException error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(
            () => embedder.GenerateAsync(["text"], new EmbeddingGenerationOptions { Dimensions = 128 }));
        Assert.Contains("not trained for Matryoshka", error.Message, StringComparison.Ordinal);

        // Its full size is always fine.
        Assert.Equal(256, (await embedder.GenerateAsync(["text"], new EmbeddingGenerationOptions { Dimensions = 256 }))[0].Vector.Length);
    }

    [Fact]
    public async Task A_provider_returning_the_wrong_length_or_count_is_caught_naming_both_sizes()
    {
        using var shortVectors = new MisbehavingEmbedder(dimensions: 8, returnLength: 5, dropLast: false);
        InvalidOperationException length = await Assert.ThrowsAsync<InvalidOperationException>(() => shortVectors.GenerateAsync(["a", "b"]));
        Assert.Contains("5 dimensions", length.Message, StringComparison.Ordinal);
        Assert.Contains("expected 8", length.Message, StringComparison.Ordinal);

        using var missing = new MisbehavingEmbedder(dimensions: 8, returnLength: 8, dropLast: true);
        InvalidOperationException count = await Assert.ThrowsAsync<InvalidOperationException>(() => missing.GenerateAsync(["a", "b"]));
        Assert.Contains("1 embeddings for 2 inputs", count.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cancelled_token_stops_the_call_before_the_provider()
    {
        using var embedder = DeterministicEmbedder.Create(8);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => embedder.GenerateAsync(["a"], cancellationToken: cancelled.Token));
        Assert.Equal(0, embedder.Calls);
    }

    [Fact]
    public void Describes_itself_through_properties_and_GetService()
    {
        using var embedder = DeterministicEmbedder.Create(32, modelId: "org/model");

        Assert.Equal(32, embedder.Dimensions);
        Assert.Equal(512, embedder.MaxInputTokens);
        Assert.Equal(new EmbedderFingerprint("org/model", "r1", "mean", true, 32), embedder.Fingerprint);
        Assert.Same(embedder.Descriptor, embedder.GetService<EmbedderDescriptor>());
        Assert.Same(embedder, embedder.GetService<IEmbedder>());
        Assert.Same(embedder, embedder.GetService<DeterministicEmbedder>());
        Assert.Null(embedder.GetService<IEmbedder>("some key"));
        Assert.Null(embedder.GetService<string>());

        EmbeddingGeneratorMetadata metadata = embedder.GetService<EmbeddingGeneratorMetadata>()!;
        Assert.Equal("org/model", metadata.DefaultModelId);
        Assert.Equal(32, metadata.DefaultModelDimensions);
        Assert.Equal("deterministic", metadata.ProviderName);
    }

    [Fact]
    public void A_descriptor_without_dimensions_is_refused_and_dispose_runs_once()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => DeterministicEmbedder.Create(0));
        Assert.Throws<ArgumentNullException>(() => new DeterministicEmbedder(null!));

        var embedder = DeterministicEmbedder.Create(4);
        embedder.Dispose();
        embedder.Dispose();
        Assert.Equal(1, embedder.DisposeCount);
    }

    private sealed class MisbehavingEmbedder(int dimensions, int returnLength, bool dropLast)
        : EmbedderBase(new EmbedderDescriptor { ModelId = "test/misbehaving", Dimensions = dimensions })
    {
        protected override Task<GeneratedEmbeddings<Embedding<float>>> GenerateCoreAsync(
            IReadOnlyList<string> inputs, EmbeddingGenerationOptions? options, CancellationToken cancellationToken)
        {
            int count = dropLast ? inputs.Count - 1 : inputs.Count;
            return Task.FromResult(new GeneratedEmbeddings<Embedding<float>>(
                Enumerable.Range(0, count).Select(_ => new Embedding<float>(new float[returnLength]))));
        }
    }
}
