using Embeddings.Testing.Http;
using Embeddings.Pipeline;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Embeddings.Http;

namespace Embeddings.Pipeline.Tests;

public sealed class DependencyInjectionTests : IAsyncLifetime
{
    private FakeEmbeddingServer _server = null!;

    public async Task InitializeAsync() => _server = await FakeEmbeddingServer.StartAsync(dimensions: 8);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task AddEmbeddings_composes_provider_retry_and_caches_in_the_default_order()
    {
        string db = Path.Combine(Path.GetTempPath(), $"embeddings-di-{Guid.NewGuid():N}.db");
        try
        {
            var services = new ServiceCollection();
            services.AddEmbeddings(e => e
                .UseOpenAICompatible(_server.OpenAIEndpoint, "fake", 8)
                .UseEmbeddingPipeline(p => p.SqliteCache = new SqliteEmbeddingCacheOptions { Path = db }));
            services.AddHealthChecks().AddEmbeddingsCheck();
            await using (ServiceProvider provider = services.BuildServiceProvider())
            {
                IEmbedder embedder = provider.GetRequiredService<IEmbedder>();
                var generator = provider.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();

                Assert.IsType<RetryingEmbeddingGenerator>(generator);
                Assert.NotNull(generator.GetService<SingleFlightCachingEmbeddingGenerator>());
                Assert.Equal("fake", embedder.Fingerprint.ModelId);
                Assert.Equal(8, embedder.Dimensions);

                await embedder.EmbedDocumentsAsync(["one", "two"]);
                await embedder.EmbedDocumentsAsync(["one", "two"]);
                Assert.Equal(1, _server.RequestCount);

                HealthReport health = await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync();
                Assert.Equal(HealthStatus.Healthy, health.Status);
            }

            Assert.True(File.Exists(db));
        }
        finally
        {
            foreach (string file in new[] { db, db + "-wal", db + "-shm" })
            {
                File.Delete(file);
            }
        }
    }

    [Fact]
    public void Retry_can_sit_inside_the_caches()
    {
        var services = new ServiceCollection();
        services.AddEmbeddings(e => e
            .UseTextEmbeddingsInference(_server.BaseAddress, 8)
            .UseEmbeddingPipeline(p => p.RetryOutsideCache = false));
        using ServiceProvider provider = services.BuildServiceProvider();

        var generator = provider.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();

        var cache = Assert.IsType<SingleFlightCachingEmbeddingGenerator>(generator);
        Assert.NotNull(cache.GetService<RetryingEmbeddingGenerator>());
    }

    [Fact]
    public void EmbeddingGeneratorBuilder_extensions_compose_the_same_decorators()
    {
        using var http = new HttpClient();
        using var provider = new HttpEmbedder(http, new HttpEmbedderOptions { Endpoint = _server.OpenAIEndpoint, Model = "fake", Dimensions = 8, RequireApiKey = false });

        IEmbeddingGenerator<string, Embedding<float>> pipeline = provider.AsBuilder().UseRetry().UseMemoryEmbeddingCache().Build();

        var retry = Assert.IsType<RetryingEmbeddingGenerator>(pipeline);
        Assert.NotNull(retry.GetService<SingleFlightCachingEmbeddingGenerator>());
        Assert.Equal(TimeSpan.FromSeconds(30), retry.Options.AttemptTimeout);
        Assert.Equal(3, retry.Options.MaxRetryAttempts);
    }
}
