using Embeddings.Onnx.Tests.Download;
using Embeddings.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Embeddings.Onnx.Tests.DependencyInjection;

/// <summary>UseOnnxModel reads EmbeddingsOptions.Model and Revision as every provider does: code wins, configuration fills in.</summary>
public sealed class OnnxConfigurationTests
{
    [Fact]
    public async Task UseOnnxModel_without_a_model_loads_the_one_configuration_names()
    {
        IConfiguration configuration = Configuration(("Embeddings:Model", "all-MiniLM-L6-v2"));
        var services = new ServiceCollection();
        services.AddEmbeddings(configuration.GetSection(EmbeddingsOptions.SectionName), e => e.UseOnnxModel(o => o.BatchSize = 8));
        await using ServiceProvider provider = services.BuildServiceProvider();

        IEmbedder embedder = provider.GetRequiredService<IEmbedder>();
        Assert.Equal(PackagedModels.AllMiniLML6V2.ModelId, embedder.Fingerprint.ModelId);
        Assert.Equal(384, embedder.Dimensions);
        using OnnxEmbedder direct = await OnnxEmbedder.LoadAsync(PackagedModels.AllMiniLML6V2);
        Assert.Equal((await direct.EmbedQueryAsync("a cat")).ToArray(), (await embedder.EmbedQueryAsync("a cat")).ToArray());
    }

    [Fact]
    public async Task UseOnnxModel_without_a_model_or_a_setting_fails_naming_the_setting_and_the_key()
    {
        var services = new ServiceCollection();
        services.AddKeyedEmbeddings("docs", e => e.UseOnnxModel());
        await using ServiceProvider provider = services.BuildServiceProvider();

        var error = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredKeyedService<IEmbedder>("docs"));
        Assert.Contains("Embeddings:Model", error.Message, StringComparison.Ordinal);
        Assert.Contains("keyed 'docs'", error.Message, StringComparison.Ordinal);
    }

    [SharedFact("models/bert-tiny-random", "reference/bert-tiny-random.transformersjs.json", "reference/texts.json")]
    public async Task The_configured_revision_is_downloaded_unless_the_code_names_one()
    {
        const string repository = "test-org/bert-tiny-random";
        await using HubServer server = await HubServer.StartAsync((repository, TinyModel.Folder));
        using var cache = new TempFolder();
        IConfiguration configuration = Configuration(("Embeddings:Model", repository), ("Embeddings:Revision", "v2"), ("Embeddings:pinned:Revision", "v2"));

        var services = new ServiceCollection();
        services.AddEmbeddings(configuration.GetSection(EmbeddingsOptions.SectionName), e => e.UseOnnxModel(o => Download(o, server, cache)));
        services.AddKeyedEmbeddings("pinned", configuration.GetSection("Embeddings:pinned"), e => e.UseOnnxModel(repository, o =>
        {
            Download(o, server, cache);
            o.Download.Revision = "v1";
        }));
        await using ServiceProvider provider = services.BuildServiceProvider();

        IEmbedder configured = provider.GetRequiredService<IEmbedder>();
        Assert.Equal(repository, configured.Fingerprint.ModelId);
        Assert.Equal("v2", configured.Fingerprint.Revision);
        Assert.Contains(server.Requests, r => r.Contains($"/{repository}/resolve/v2/", StringComparison.Ordinal));
        IEmbedder pinned = provider.GetRequiredKeyedService<IEmbedder>("pinned");
        Assert.Equal("v1", pinned.Fingerprint.Revision);
        Assert.Contains(server.Requests, r => r.Contains($"/{repository}/resolve/v1/", StringComparison.Ordinal));
    }

    private static void Download(OnnxEmbedderOptions options, HubServer server, TempFolder cache)
    {
        options.Download.Endpoint = server.Endpoint;
        options.Download.CacheDirectory = cache.Path;
        options.Download.Offline = false;
    }

    private static IConfiguration Configuration(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();
}
