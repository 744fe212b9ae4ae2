using System.Collections.Concurrent;
using System.Diagnostics;
using Embeddings.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Embeddings.Core.Tests.DependencyInjection;

public sealed class MiddlewareCompositionTests
{
    private static DeterministicEmbedder Provider() =>
        DeterministicEmbedder.Create(256, prompts: new EmbeddingPrompts("query: ", "passage: "), matryoshkaDimensions: [64, 128, 256]);

    [Fact]
    public async Task UseLogging_logs_through_the_container_logger_factory()
    {
        var logs = new CapturingLoggerProvider();
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        services.AddEmbeddings(e => e.UseProvider(_ => Provider()).UseLogging());

        await using ServiceProvider container = services.BuildServiceProvider();
        await container.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>().GenerateAsync(["logged text"]);

        Assert.Contains(logs.Entries, entry => entry.Category.Contains("LoggingEmbeddingGenerator", StringComparison.Ordinal) && entry.Message.Contains("GenerateAsync", StringComparison.Ordinal));
    }

    [Fact]
    public async Task UseDistributedCache_serves_the_second_call_from_the_cache_and_keeps_input_kinds_apart()
    {
        DeterministicEmbedder provider = Provider();
        var services = new ServiceCollection();
        services.AddDistributedMemoryCache();
        services.AddEmbeddings(e => e.UseProvider(_ => provider).UseDistributedCache());

        await using ServiceProvider container = services.BuildServiceProvider();
        IEmbedder embedder = container.GetRequiredService<IEmbedder>();

        ReadOnlyMemory<float> first = await embedder.EmbedQueryAsync("cached");
        ReadOnlyMemory<float> second = await embedder.EmbedQueryAsync("cached");
        Assert.Equal(1, provider.Calls);
        Assert.Equal(first.ToArray(), second.ToArray());

        // The same text as a document is another vector (another prefix): it must not be served from the query's entry.
        GeneratedEmbeddings<Embedding<float>> document = await embedder.EmbedDocumentsAsync(["cached"]);
        Assert.Equal(2, provider.Calls);
        Assert.Equal(DeterministicEmbedder.VectorFor("passage: cached", 256, normalized: true), document[0].Vector.ToArray());
        Assert.Equal(["query: cached", "passage: cached"], provider.Received);
    }

    [Fact]
    public async Task UseOpenTelemetry_produces_an_activity_per_call()
    {
        string sourceName = "Embeddings.Tests." + Guid.NewGuid().ToString("N");
        var activities = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == sourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activities.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);

        var services = new ServiceCollection();
        services.AddLogging();
        services.AddEmbeddings(e => e.UseProvider(_ => Provider()).UseOpenTelemetry(sourceName: sourceName));

        await using ServiceProvider container = services.BuildServiceProvider();
        await container.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>().GenerateAsync(["traced"]);

        Activity activity = Assert.Single(activities);
        Assert.Equal("embeddings", activity.GetTagItem("gen_ai.operation.name"));
        Assert.Equal("test/deterministic", activity.GetTagItem("gen_ai.request.model"));
    }

    [Fact]
    public async Task Our_middleware_and_Microsoft_Extensions_AI_middleware_compose_in_one_pipeline()
    {
        DeterministicEmbedder provider = Provider();
        var logs = new CapturingLoggerProvider();
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        services.AddDistributedMemoryCache();
        services.AddEmbeddings(e => e
            .UseProvider(_ => provider)
            .UseLogging()
            .UseOpenTelemetry()
            .UseDistributedCache()
            .UseMatryoshka(64));

        await using ServiceProvider container = services.BuildServiceProvider();
        IEmbedder embedder = container.GetRequiredService<IEmbedder>();
        Assert.Equal(64, embedder.Dimensions);
        Assert.Equal(provider.Fingerprint.WithDimensions(64, normalized: true), embedder.Fingerprint);

        ReadOnlyMemory<float> first = await embedder.EmbedQueryAsync("q");
        ReadOnlyMemory<float> second = await embedder.EmbedQueryAsync("q");

        Assert.Equal(64, first.Length);
        Assert.Equal(first.ToArray(), second.ToArray());
        Assert.Equal(1, provider.Calls);
        Assert.Equal(["query: q"], provider.Received);
        Assert.NotEmpty(logs.Entries);
        float[] expected = MatryoshkaTestHelpers.TruncateAndNormalize(DeterministicEmbedder.VectorFor("query: q", 256, normalized: true), 64);
        for (int i = 0; i < 64; i++)
        {
            ScalarReference.AssertRelative(expected[i], first.Span[i], $"dimension {i}");
        }
    }

    private sealed class CapturingLoggerProvider : ILoggerProvider
    {
        public ConcurrentQueue<(string Category, LogLevel Level, string Message)> Entries { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Logger(CapturingLoggerProvider owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                owner.Entries.Enqueue((category, logLevel, formatter(state, exception)));
        }
    }
}
