using System.Diagnostics.Metrics;
using Embeddings.Onnx;
using Microsoft.Extensions.DependencyInjection;

namespace Embeddings.Onnx.Tests.DependencyInjection;

/// <summary>The <c>Embeddings.Onnx</c> meter belongs to the container's <see cref="IMeterFactory"/> when one is registered.</summary>
public sealed class OnnxMeterFactoryTests
{
    [Fact]
    public async Task UseOnnxModel_counts_truncated_inputs_on_a_meter_of_the_containers_factory()
    {
        using var factory = new ScopedMeterFactory();
        var services = new ServiceCollection();
        services.AddSingleton<IMeterFactory>(factory);
        services.AddEmbeddings(e => e.UseOnnxModel(PackagedModels.AllMiniLML6V2, o => o.MaxTokens = 8));
        await using ServiceProvider provider = services.BuildServiceProvider();
        long truncated = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            // Only the factory's meter: a process-wide meter of the same name (other tests) has no scope.
            if (ReferenceEquals(instrument.Meter.Scope, factory) && instrument.Name == OnnxEmbedder.TruncatedInputsCounterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref truncated, value));
        listener.Start();

        IEmbedder embedder = provider.GetRequiredService<IEmbedder>();
        await embedder.EmbedDocumentsAsync(["one two three four five six seven eight nine ten eleven twelve", "short"]);

        Assert.Equal(1, Interlocked.Read(ref truncated));
        Assert.Contains(factory.Created, m => m.Name == OnnxEmbedder.MeterName);
    }

    [Fact]
    public async Task The_configure_callback_runs_once_when_the_container_has_a_factory()
    {
        using var factory = new ScopedMeterFactory();
        var services = new ServiceCollection();
        services.AddSingleton<IMeterFactory>(factory);
        int calls = 0;
        services.AddEmbeddings(e => e.UseOnnxModel(PackagedModels.AllMiniLML6V2, o =>
        {
            calls++;
            o.MaxTokens = 8;
        }));
        await using ServiceProvider provider = services.BuildServiceProvider();

        IEmbedder embedder = provider.GetRequiredService<IEmbedder>();
        await embedder.EmbedDocumentsAsync(["short"]);

        Assert.Equal(1, calls);
        Assert.Contains(factory.Created, m => m.Name == OnnxEmbedder.MeterName);
    }

    [Fact]
    public async Task Without_a_factory_the_counter_is_on_the_process_wide_meter()
    {
        var services = new ServiceCollection();
        services.AddEmbeddings(e => e.UseOnnxModel(PackagedModels.AllMiniLML6V2, o => o.MaxTokens = 8));
        await using ServiceProvider provider = services.BuildServiceProvider();
        long truncated = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Scope is null && instrument.Meter.Name == OnnxEmbedder.MeterName && instrument.Name == OnnxEmbedder.TruncatedInputsCounterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref truncated, value));
        listener.Start();

        IEmbedder embedder = provider.GetRequiredService<IEmbedder>();
        await embedder.EmbedDocumentsAsync(["one two three four five six seven eight nine ten eleven twelve"]);

        // Other tests may truncate on the same process-wide meter at the same time; this call adds at least one.
        Assert.True(Interlocked.Read(ref truncated) >= 1);
    }

    /// <summary>A meter factory like the host's: each meter it creates has the factory as its scope.</summary>
    private sealed class ScopedMeterFactory : IMeterFactory
    {
        private readonly List<Meter> _created = [];

        public IReadOnlyList<Meter> Created => _created;

        public Meter Create(MeterOptions options)
        {
            var meter = new Meter(new MeterOptions(options.Name) { Version = options.Version, Tags = options.Tags, Scope = this });
            lock (_created)
            {
                _created.Add(meter);
            }

            return meter;
        }

        public void Dispose()
        {
            foreach (Meter meter in _created)
            {
                meter.Dispose();
            }
        }
    }
}
