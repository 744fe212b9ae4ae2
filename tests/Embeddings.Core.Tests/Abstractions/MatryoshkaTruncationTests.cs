using Embeddings.Testing;
using Microsoft.Extensions.AI;

namespace Embeddings.Core.Tests.Matryoshka;

public sealed class MatryoshkaTruncationTests
{
    private static readonly EmbedderDescriptor Mrl = new()
    {
        ModelId = "nomic-ai/nomic-embed-text-v1.5",
        Dimensions = 768,
        Normalized = true,
        Pooling = "mean",
        MatryoshkaDimensions = [64, 128, 256, 512, 768],
    };

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(17)]
    [InlineData(384)]
    [InlineData(768)]
    public void Truncate_keeps_the_prefix_and_renormalizes(int dimensions)
    {
        float[] full = DeterministicEmbedder.VectorFor("doc", 768, normalized: true);
        float[] expected = MatryoshkaTestHelpers.TruncateAndNormalize(full, dimensions);

        var destination = new float[dimensions];
        MatryoshkaTruncation.Truncate(full, dimensions, destination, normalize: true);
        for (int i = 0; i < dimensions; i++)
        {
            ScalarReference.AssertRelative(expected[i], destination[i], $"dimension {i} of {dimensions}");
        }

        var raw = new float[dimensions];
        MatryoshkaTruncation.Truncate(full, dimensions, raw, normalize: false);
        Assert.Equal(full.AsSpan(0, dimensions).ToArray(), raw);
        ScalarReference.AssertRelative(Math.Sqrt(raw.Sum(x => (double)x * x)), MatryoshkaTruncation.PrefixNorm(full, dimensions), "prefix norm");
    }

    [Fact]
    public void Truncating_an_embedding_keeps_its_metadata()
    {
        var created = DateTimeOffset.UnixEpoch;
        var embedding = new Embedding<float>(DeterministicEmbedder.VectorFor("x", 16, normalized: false))
        {
            ModelId = "m",
            CreatedAt = created,
            AdditionalProperties = new() { ["k"] = "v" },
        };

        Embedding<float> truncated = MatryoshkaTruncation.Truncate(embedding, 4, normalize: true);
        Assert.Equal(4, truncated.Vector.Length);
        Assert.Equal("m", truncated.ModelId);
        Assert.Equal(created, truncated.CreatedAt);
        Assert.Equal("v", truncated.AdditionalProperties!["k"]);
        ScalarReference.AssertRelative(1, Math.Sqrt(truncated.Vector.ToArray().Sum(x => (double)x * x)), "unit norm");
    }

    [Fact]
    public void Truncate_checks_its_sizes()
    {
        float[] full = new float[8];
        Assert.Throws<ArgumentOutOfRangeException>(() => MatryoshkaTruncation.Truncate(full, 0, new float[8], normalize: true));
        Assert.Throws<ArgumentOutOfRangeException>(() => MatryoshkaTruncation.Truncate(full, 9, new float[9], normalize: true));
        ArgumentException shortDestination = Assert.Throws<ArgumentException>(() => MatryoshkaTruncation.Truncate(full, 4, new float[3], normalize: true));
        Assert.Contains("3", shortDestination.Message, StringComparison.Ordinal);
        Assert.Contains("4", shortDestination.Message, StringComparison.Ordinal);

        // A prefix that is all zero stays zero rather than becoming NaN.
        var zeroPrefix = new float[4];
        MatryoshkaTruncation.Truncate([0f, 0f, 0f, 0f, 1f], 4, zeroPrefix, normalize: true);
        Assert.All(zeroPrefix, x => Assert.Equal(0f, x));
    }

    [Fact]
    public void ValidateRequest_accepts_trained_sizes_and_refuses_the_rest_unless_opted_in()
    {
        Assert.Null(MatryoshkaTruncation.ValidateRequest(Mrl, null, allowUntrained: false));
        Assert.Null(MatryoshkaTruncation.ValidateRequest(Mrl, 768, allowUntrained: false));
        Assert.Equal(256, MatryoshkaTruncation.ValidateRequest(Mrl, 256, allowUntrained: false));

        ArgumentOutOfRangeException untrained = Assert.Throws<ArgumentOutOfRangeException>(() => MatryoshkaTruncation.ValidateRequest(Mrl, 300, allowUntrained: false));
        Assert.Contains("64, 128, 256, 512, 768", untrained.Message, StringComparison.Ordinal);
        Assert.Contains("allowUntrained", untrained.Message, StringComparison.Ordinal);
        Assert.Equal(300, MatryoshkaTruncation.ValidateRequest(Mrl, 300, allowUntrained: true));

        EmbedderDescriptor plain = Mrl with { MatryoshkaDimensions = [] };
        Assert.Contains("not trained for Matryoshka", Assert.Throws<ArgumentOutOfRangeException>(() => MatryoshkaTruncation.ValidateRequest(plain, 256, allowUntrained: false)).Message, StringComparison.Ordinal);
        Assert.Equal(256, MatryoshkaTruncation.ValidateRequest(plain, 256, allowUntrained: true));

        // Larger than the model, or not positive: never, opt-in or not.
        Assert.Contains("has 768", Assert.Throws<ArgumentOutOfRangeException>(() => MatryoshkaTruncation.ValidateRequest(Mrl, 1024, allowUntrained: true)).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => MatryoshkaTruncation.ValidateRequest(Mrl, 0, allowUntrained: true));
    }

    [Fact]
    public void Describe_adjusts_the_descriptor_and_its_fingerprint()
    {
        EmbedderDescriptor small = MatryoshkaTruncation.Describe(Mrl with { Normalized = false }, 256, normalized: true);
        Assert.Equal(256, small.Dimensions);
        Assert.True(small.Normalized);
        Assert.Equal([64, 128, 256], small.MatryoshkaDimensions);
        Assert.Equal(Mrl.Fingerprint.WithDimensions(256, normalized: true), small.Fingerprint);
        Assert.Equal(Mrl.ModelId, small.ModelId);
    }
}
