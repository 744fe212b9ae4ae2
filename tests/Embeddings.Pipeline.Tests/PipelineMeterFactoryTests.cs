using System.Diagnostics.Metrics;
using Embeddings.Testing.Http;
using Embeddings.Pipeline;
using Microsoft.Extensions.DependencyInjection;

namespace Embeddings.Pipeline.Tests;

public sealed class PipelineMeterFactoryTests : IAsyncLifetime
{
    private FakeEmbeddingServer _server = null!;

    public async Task InitializeAsync() => _server = await FakeEmbeddingServer.StartAsync(dimensions: 8);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task The_cache_counters_live_on_a_meter_from_the_containers_IMeterFactory()
    {
        using var factory = new RecordingMeterFactory();
        var services = new ServiceCollection();
        services.AddSingleton<IMeterFactory>(factory);
        services.AddEmbeddings(e => e.UseOpenAICompatible(_server.OpenAIEndpoint, "fake", 8).UseMemoryEmbeddingCache());

        var measurements = new List<(string Instrument, long Value)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (factory.Created.Contains(instrument.Meter) && instrument.Meter.Name == EmbeddingPipelineMetrics.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            lock (measurements)
            {
                measurements.Add((instrument.Name, value));
            }
        });
        listener.Start();

        await using (ServiceProvider provider = services.BuildServiceProvider())
        {
            IEmbedder embedder = provider.GetRequiredService<IEmbedder>();
            await embedder.EmbedDocumentsAsync(["alpha", "beta"]);
            await embedder.EmbedDocumentsAsync(["alpha", "gamma"]);
        }

        // HttpClient takes its System.Net.Http meter from the same factory; the pipeline's is one more, created once.
        Assert.Single(factory.Created, m => m.Name == EmbeddingPipelineMetrics.MeterName);
        lock (measurements)
        {
            Assert.Equal(1, measurements.Where(m => m.Instrument == "embeddings.cache.hits").Sum(m => m.Value));
            Assert.Equal(3, measurements.Where(m => m.Instrument == "embeddings.cache.misses").Sum(m => m.Value));
        }
    }

    private sealed class RecordingMeterFactory : IMeterFactory
    {
        public List<Meter> Created { get; } = [];

        public Meter Create(MeterOptions options)
        {
            var meter = new Meter(options.Name, options.Version, options.Tags, scope: this);
            Created.Add(meter);
            return meter;
        }

        public void Dispose()
        {
            foreach (Meter meter in Created)
            {
                meter.Dispose();
            }
        }
    }
}
