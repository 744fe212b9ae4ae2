using Embeddings.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Embeddings.Core.Tests.DependencyInjection;

public sealed class AddEmbeddingsTests
{
    private static DeterministicEmbedder Mrl(string modelId = "test/mrl", int dimensions = 256) =>
        DeterministicEmbedder.Create(dimensions, modelId, prompts: new EmbeddingPrompts("query: ", "passage: "), matryoshkaDimensions: [64, 128, dimensions]);

    private static IConfiguration Configuration(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    [Fact]
    public async Task Registers_the_pipeline_as_IEmbedder_and_as_a_Microsoft_Extensions_AI_generator()
    {
        DeterministicEmbedder provider = Mrl();
        var services = new ServiceCollection();
        EmbeddingsBuilder builder = services.AddEmbeddings(e => e.UseProvider(_ => provider));
        Assert.Same(services, builder.Services);
        Assert.Null(builder.ServiceKey);

        await using ServiceProvider container = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        IEmbeddingGenerator<string, Embedding<float>> generator = container.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();
        IEmbedder embedder = container.GetRequiredService<IEmbedder>();

        Assert.Same(generator, container.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>());
        Assert.Equal(provider.Fingerprint, embedder.Fingerprint);
        Assert.Equal(256, embedder.Dimensions);

        GeneratedEmbeddings<Embedding<float>> viaGenerator = await generator.GenerateAsync(["hello"]);
        ReadOnlyMemory<float> viaEmbedder = await embedder.EmbedQueryAsync("hello");
        Assert.Equal(DeterministicEmbedder.VectorFor("hello", 256, normalized: true), viaGenerator[0].Vector.ToArray());
        Assert.Equal(DeterministicEmbedder.VectorFor("query: hello", 256, normalized: true), viaEmbedder.ToArray());
    }

    [Fact]
    public async Task Keyed_registrations_live_side_by_side()
    {
        var services = new ServiceCollection();
        services.AddKeyedEmbeddings("small", e => e.UseProvider(_ => Mrl("test/small", 128)));
        services.AddKeyedEmbeddings("large", e => e.UseProvider(_ => Mrl("test/large", 512)).UseMatryoshka(256, allowUntrained: true));
        services.AddEmbeddings(e => e.UseProvider(_ => Mrl("test/default", 64)));

        await using ServiceProvider container = services.BuildServiceProvider();
        IEmbedder small = container.GetRequiredKeyedService<IEmbedder>("small");
        IEmbedder large = container.GetRequiredKeyedService<IEmbedder>("large");
        IEmbedder unkeyed = container.GetRequiredService<IEmbedder>();

        Assert.Equal("test/small", small.Fingerprint.ModelId);
        Assert.Equal(128, small.Dimensions);
        Assert.Equal("test/large", large.Fingerprint.ModelId);
        Assert.Equal(256, large.Dimensions);
        Assert.Equal("test/default", unkeyed.Fingerprint.ModelId);

        IEmbeddingGenerator<string, Embedding<float>> largeGenerator = container.GetRequiredKeyedService<IEmbeddingGenerator<string, Embedding<float>>>("large");
        Assert.Equal(256, (await largeGenerator.GenerateAsync(["x"]))[0].Vector.Length);
        Assert.Equal(128, (await small.GenerateAsync(["x"]))[0].Vector.Length);
        Assert.Null(container.GetKeyedService<IEmbedder>("missing"));
    }

    [Fact]
    public async Task Options_bound_from_the_Embeddings_section_drive_matryoshka()
    {
        IConfiguration configuration = Configuration(("Embeddings:Model", "test/mrl"), ("Embeddings:Dimensions", "128"));
        var services = new ServiceCollection();
        services.AddEmbeddings(configuration.GetSection(EmbeddingsOptions.SectionName), e => e.UseProvider(sp =>
        {
            EmbeddingsOptions options = sp.GetRequiredService<IOptionsMonitor<EmbeddingsOptions>>().Get(Options.DefaultName);
            return Mrl(options.Model!);
        }));

        await using ServiceProvider container = services.BuildServiceProvider();
        EmbeddingsOptions bound = container.GetRequiredService<IOptions<EmbeddingsOptions>>().Value;
        Assert.Equal("test/mrl", bound.Model);
        Assert.Equal(128, bound.Dimensions);

        IEmbedder embedder = container.GetRequiredService<IEmbedder>();
        Assert.Equal(128, embedder.Dimensions);
        Assert.Equal(128, embedder.Fingerprint.Dimensions);
        ReadOnlyMemory<float> vector = await embedder.EmbedDocumentsAsync(["doc"]).ContinueWith(t => t.Result[0].Vector, TaskScheduler.Default);
        float[] expected = MatryoshkaTestHelpers.TruncateAndNormalize(DeterministicEmbedder.VectorFor("passage: doc", 256, normalized: true), 128);
        for (int i = 0; i < 128; i++)
        {
            ScalarReference.AssertRelative(expected[i], vector.Span[i], $"dimension {i}");
        }
    }

    [Fact]
    public async Task Keyed_options_bind_from_their_own_section_and_code_overrides_configuration()
    {
        IConfiguration configuration = Configuration(("Embeddings:small:Dimensions", "64"), ("Embeddings:large:Dimensions", "64"));
        var services = new ServiceCollection();
        services.AddKeyedEmbeddings("small", configuration.GetSection("Embeddings:small"), e => e.UseProvider(_ => Mrl()));
        services.AddKeyedEmbeddings("large", configuration.GetSection("Embeddings:large"), e => e.UseProvider(_ => Mrl()))
            .Configure(options => options.Dimensions = 128);

        await using ServiceProvider container = services.BuildServiceProvider();
        Assert.Equal(64, container.GetRequiredKeyedService<IEmbedder>("small").Dimensions);
        Assert.Equal(128, container.GetRequiredKeyedService<IEmbedder>("large").Dimensions);
        Assert.Equal(128, (await container.GetRequiredKeyedService<IEmbeddingGenerator<string, Embedding<float>>>("large").GenerateAsync(["x"]))[0].Vector.Length);
    }

    [Fact]
    public async Task An_untrained_size_from_configuration_fails_at_resolution_unless_allowed()
    {
        var services = new ServiceCollection();
        services.AddEmbeddings(Configuration(("Embeddings:Dimensions", "100")).GetSection("Embeddings"), e => e.UseProvider(_ => Mrl()));
        await using (ServiceProvider container = services.BuildServiceProvider())
        {
            ArgumentOutOfRangeException error = Assert.Throws<ArgumentOutOfRangeException>(() => container.GetRequiredService<IEmbedder>());
            Assert.Contains("100", error.Message, StringComparison.Ordinal);
        }

        var allowed = new ServiceCollection();
        allowed.AddEmbeddings(
            Configuration(("Embeddings:Dimensions", "100"), ("Embeddings:AllowUntrainedDimensions", "true")).GetSection("Embeddings"),
            e => e.UseProvider(_ => Mrl()));
        await using ServiceProvider allowedContainer = allowed.BuildServiceProvider();
        Assert.Equal(100, (await allowedContainer.GetRequiredService<IEmbedder>().GenerateAsync(["x"]))[0].Vector.Length);
    }

    [Fact]
    public async Task A_missing_provider_is_a_clear_error()
    {
        var services = new ServiceCollection();
        services.AddKeyedEmbeddings("nothing");
        await using ServiceProvider container = services.BuildServiceProvider();
        InvalidOperationException error = Assert.Throws<InvalidOperationException>(() => container.GetRequiredKeyedService<IEmbedder>("nothing"));
        Assert.Contains("key 'nothing'", error.Message, StringComparison.Ordinal);
        Assert.Contains("UseProvider", error.Message, StringComparison.Ordinal);

        Assert.Throws<ArgumentNullException>(() => new ServiceCollection().AddEmbeddings((IConfiguration)null!));
        Assert.Throws<ArgumentNullException>(() => new ServiceCollection().AddKeyedEmbeddings(null!));
        Assert.Throws<ArgumentNullException>(() => new ServiceCollection().AddEmbeddings(e => e.UseProvider((Func<IServiceProvider, IEmbedder>)null!)));
        Assert.Throws<ArgumentNullException>(() => new ServiceCollection().AddEmbeddings(e => e.UseProvider((Func<IServiceProvider, CancellationToken, Task<IEmbedder>>)null!)));
    }

    [Fact]
    public async Task The_container_disposes_the_provider_exactly_once()
    {
        DeterministicEmbedder provider = Mrl();
        var services = new ServiceCollection();
        services.AddEmbeddings(e => e.UseProvider(_ => provider).Use((inner, _) => inner.AsBuilder().ConfigureOptions(_ => { }).Build()));

        ServiceProvider container = services.BuildServiceProvider();
        IEmbedder embedder = container.GetRequiredService<IEmbedder>();
        await embedder.GenerateAsync(["x"]);
        Assert.Equal(0, provider.DisposeCount);

        await container.DisposeAsync();
        Assert.Equal(1, provider.DisposeCount);
    }

    [Fact]
    public async Task Registers_the_non_generic_IEmbeddingGenerator_as_the_same_instance_as_Microsoft_Extensions_AI_does()
    {
        var services = new ServiceCollection();
        services.AddEmbeddings(e => e.UseProvider(_ => Mrl()));
        services.AddKeyedEmbeddings("small", e => e.UseProvider(_ => Mrl("test/small", 64)));

        await using ServiceProvider container = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        IEmbeddingGenerator plain = container.GetRequiredService<IEmbeddingGenerator>();
        IEmbeddingGenerator keyed = container.GetRequiredKeyedService<IEmbeddingGenerator>("small");

        Assert.Same(container.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>(), plain);
        Assert.Same(container.GetRequiredKeyedService<IEmbeddingGenerator<string, Embedding<float>>>("small"), keyed);
        Assert.Equal("test/mrl", plain.GetService<EmbeddingGeneratorMetadata>()?.DefaultModelId);
        Assert.Equal(64, keyed.GetService<EmbeddingGeneratorMetadata>()?.DefaultModelDimensions);
    }

    [Fact]
    public async Task UseDistributedCache_without_a_registered_cache_says_what_to_add()
    {
        var services = new ServiceCollection();
        services.AddEmbeddings(e => e.UseProvider(_ => Mrl()).UseDistributedCache());
        await using ServiceProvider container = services.BuildServiceProvider();

        InvalidOperationException error = Assert.Throws<InvalidOperationException>(() => container.GetRequiredService<IEmbedder>());

        Assert.Contains("no IDistributedCache", error.Message, StringComparison.Ordinal);
        Assert.Contains("services.AddDistributedMemoryCache()", error.Message, StringComparison.Ordinal);
        Assert.Contains("Microsoft.Extensions.Caching.Memory", error.Message, StringComparison.Ordinal);
    }
}
