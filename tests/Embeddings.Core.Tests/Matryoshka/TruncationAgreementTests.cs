using Embeddings.Core.Tests.Abstractions;
using Embeddings.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Embeddings.Core.Tests.Matryoshka;

/// <summary>The three ways to truncate (request option, UseMatryoshka, EmbeddingsOptions.Dimensions) follow one normalization rule.</summary>
public sealed class TruncationAgreementTests
{
    private static DeterministicEmbedder Model(bool normalized) =>
        DeterministicEmbedder.Create(256, normalized: normalized, matryoshkaDimensions: [64, 128, 256]);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Request_option_decorator_and_registration_option_give_the_same_vectors(bool normalized)
    {
        using DeterministicEmbedder viaOption = Model(normalized);
        float[] byRequest = (await viaOption.GenerateAsync(["text"], new EmbeddingGenerationOptions { Dimensions = 64 }))[0].Vector.ToArray();

        using DeterministicEmbedder viaDecorator = Model(normalized);
        using IEmbeddingGenerator<string, Embedding<float>> decorated = viaDecorator.AsBuilder().UseMatryoshka(64).Build();
        float[] byDecorator = (await decorated.GenerateAsync(["text"]))[0].Vector.ToArray();

        var services = new ServiceCollection();
        services.AddEmbeddings(e => e.UseProvider(_ => Model(normalized)).Configure(o => o.Dimensions = 64));
        await using ServiceProvider container = services.BuildServiceProvider();
        IEmbedder registered = container.GetRequiredService<IEmbedder>();
        float[] byRegistration = (await registered.GenerateAsync(["text"]))[0].Vector.ToArray();

        float[] full = DeterministicEmbedder.VectorFor("text", 256, normalized);
        float[] expected = normalized ? MatryoshkaTestHelpers.TruncateAndNormalize(full, 64) : full[..64];
        foreach (float[] actual in new[] { byRequest, byDecorator, byRegistration })
        {
            Assert.Equal(64, actual.Length);
            for (int i = 0; i < 64; i++)
            {
                ScalarReference.AssertRelative(expected[i], actual[i], $"dimension {i}");
            }
        }

        // The descriptor tells the truth about the truncated vectors either way.
        Assert.Equal(normalized, decorated.GetService<EmbedderDescriptor>()!.Normalized);
        Assert.Equal(normalized, registered.Fingerprint.Normalized);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task An_undescribed_generator_is_renormalized_only_when_its_vectors_are_unit_length(bool normalized)
    {
        using DeterministicEmbedder inner = Model(normalized);
        using var undescribed = new Undescribed(inner);
        using var truncated = new MatryoshkaEmbeddingGenerator(undescribed, 8, allowUntrained: true);
        Assert.Null(truncated.GetService<EmbedderDescriptor>());

        float[] prefix = (await truncated.GenerateAsync(["x"]))[0].Vector.ToArray();

        float[] full = DeterministicEmbedder.VectorFor("x", 256, normalized);
        float[] expected = normalized ? MatryoshkaTestHelpers.TruncateAndNormalize(full, 8) : full[..8];
        for (int i = 0; i < 8; i++)
        {
            ScalarReference.AssertRelative(expected[i], prefix[i], $"dimension {i}");
        }
    }

    private sealed class Undescribed(IEmbeddingGenerator<string, Embedding<float>> inner) : DelegatingEmbeddingGenerator<string, Embedding<float>>(inner)
    {
        public override object? GetService(Type serviceType, object? serviceKey = null) =>
            serviceType == typeof(EmbedderDescriptor) || serviceType == typeof(IEmbedder) ? null : base.GetService(serviceType, serviceKey);
    }
}
