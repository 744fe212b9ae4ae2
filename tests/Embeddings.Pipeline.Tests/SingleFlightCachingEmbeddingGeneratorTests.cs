using Embeddings.Testing.Http;
using Embeddings.Pipeline;
using Microsoft.Extensions.AI;
using Embeddings.Http;

namespace Embeddings.Pipeline.Tests;

public sealed class SingleFlightCachingEmbeddingGeneratorTests : IAsyncLifetime
{
    private readonly HttpClient _http = new();
    private readonly MetricRecorder _recorder = new();
    private FakeEmbeddingServer _server = null!;
    private HttpEmbedder _provider = null!;

    public async Task InitializeAsync()
    {
        _server = await FakeEmbeddingServer.StartAsync(dimensions: 8);
        _provider = new HttpEmbedder(_http, new HttpEmbedderOptions
        {
            Endpoint = _server.OpenAIEndpoint, Model = "fake", Dimensions = 8, RequireApiKey = false, MatryoshkaDimensions = [4],
        });
    }

    public async Task DisposeAsync()
    {
        _provider.Dispose();
        _http.Dispose();
        _recorder.Dispose();
        await _server.DisposeAsync();
    }

    private SingleFlightCachingEmbeddingGenerator Cached(IEmbeddingCacheStore? store = null) =>
        new(_provider, store ?? new MemoryEmbeddingCache(), new EmbeddingPipelineMetrics(_recorder));

    [Fact]
    public async Task A_repeated_corpus_hits_the_cache_every_time()
    {
        string[] corpus = Enumerable.Range(0, 200).Select(i => $"passage {i}").ToArray();
        using SingleFlightCachingEmbeddingGenerator cached = Cached();

        GeneratedEmbeddings<Embedding<float>> first = await cached.GenerateAsync(corpus);
        int requestsAfterFirst = _server.RequestCount;
        GeneratedEmbeddings<Embedding<float>> second = await cached.GenerateAsync(corpus);

        Assert.Equal(requestsAfterFirst, _server.RequestCount);
        Assert.Equal(200, _recorder.Total("embeddings.cache.misses"));
        Assert.Equal(200, _recorder.Total("embeddings.cache.hits"));
        for (int i = 0; i < corpus.Length; i++)
        {
            Assert.Equal(first[i].Vector.ToArray(), second[i].Vector.ToArray());
            Assert.Equal(FakeEmbeddingServer.VectorFor(corpus[i], 8), second[i].Vector.ToArray());
        }
    }

    [Fact]
    public async Task Sixty_four_concurrent_identical_requests_reach_the_server_once()
    {
        using SingleFlightCachingEmbeddingGenerator cached = Cached();
        _server.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // The server holds the first request open, so all 64 calls are in flight together.
        Task<GeneratedEmbeddings<Embedding<float>>>[] calls = Enumerable.Range(0, 64)
            .Select(_ => Task.Run(() => cached.GenerateAsync(["the same text"])))
            .ToArray();
        Assert.True(SpinWait.SpinUntil(() => _server.RequestCount == 1, TimeSpan.FromSeconds(10)));
        await Task.Delay(200);
        _server.Gate.SetResult();
        GeneratedEmbeddings<Embedding<float>>[] results = await Task.WhenAll(calls);

        Assert.Equal(1, _server.RequestCount);
        float[] expected = FakeEmbeddingServer.VectorFor("the same text", 8);
        Assert.All(results, r => Assert.Equal(expected, r[0].Vector.ToArray()));
    }

    [Fact]
    public async Task Partial_hits_send_only_the_misses_and_keep_input_order()
    {
        using SingleFlightCachingEmbeddingGenerator cached = Cached();
        await cached.GenerateAsync(["a", "b"]);

        GeneratedEmbeddings<Embedding<float>> result = await cached.GenerateAsync(["c", "a", "d", "b", "c"]);

        Assert.Equal(["c", "d"], _server.Requests[^1].Inputs);
        string[] expected = ["c", "a", "d", "b", "c"];
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal(FakeEmbeddingServer.VectorFor(expected[i], 8), result[i].Vector.ToArray());
        }
    }

    [Fact]
    public async Task Repeats_within_a_long_call_are_sent_once_and_served_to_every_position()
    {
        using SingleFlightCachingEmbeddingGenerator cached = Cached();
        await cached.GenerateAsync(["p3"]);
        string[] inputs = Enumerable.Range(0, 40).Select(i => $"p{i % 7}").ToArray();

        GeneratedEmbeddings<Embedding<float>> result = await cached.GenerateAsync(inputs);

        Assert.Equal(["p0", "p1", "p2", "p4", "p5", "p6"], _server.Requests[^1].Inputs);
        for (int i = 0; i < inputs.Length; i++)
        {
            Assert.Equal(FakeEmbeddingServer.VectorFor(inputs[i], 8), result[i].Vector.ToArray());
        }
    }

    [Fact]
    public async Task Input_kind_and_dimensions_are_part_of_the_key()
    {
        using SingleFlightCachingEmbeddingGenerator cached = Cached();

        await cached.EmbedQueryAsync("same");
        await cached.EmbedDocumentsAsync(["same"]);
        await cached.GenerateAsync(["same"], new EmbeddingGenerationOptions { Dimensions = 4 });
        await cached.GenerateAsync(["same"], new EmbeddingGenerationOptions { Dimensions = 4 });
        GeneratedEmbeddings<Embedding<float>> full = await cached.GenerateAsync(["same"]);

        Assert.Equal(4, _server.RequestCount);
        Assert.Equal(8, full[0].Vector.Length);
        Assert.Equal(4, _server.Requests[2].Dimensions);
    }

    [Fact]
    public async Task A_failed_owner_call_fails_its_waiters_and_caches_nothing()
    {
        _server.Script(new Fault.Status(500));
        using SingleFlightCachingEmbeddingGenerator cached = Cached();

        await Assert.ThrowsAsync<EmbeddingHttpException>(() => cached.GenerateAsync(["x"]));
        GeneratedEmbeddings<Embedding<float>> retried = await cached.GenerateAsync(["x"]);

        Assert.Equal(2, _server.RequestCount);
        Assert.Equal(FakeEmbeddingServer.VectorFor("x", 8), retried[0].Vector.ToArray());
    }

    [Fact]
    public async Task When_the_first_caller_cancels_the_other_waiters_still_get_their_vectors()
    {
        using SingleFlightCachingEmbeddingGenerator cached = Cached();
        _server.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var firstCaller = new CancellationTokenSource();

        Task<GeneratedEmbeddings<Embedding<float>>> first = cached.GenerateAsync(["shared"], cancellationToken: firstCaller.Token);
        Assert.True(SpinWait.SpinUntil(() => _server.RequestCount == 1, TimeSpan.FromSeconds(10)));
        Task<GeneratedEmbeddings<Embedding<float>>>[] waiters = Enumerable.Range(0, 32)
            .Select(_ => Task.Run(() => cached.GenerateAsync(["shared"])))
            .ToArray();
        await Task.Delay(200);
        await firstCaller.CancelAsync();

        OperationCanceledException own = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);
        Assert.Equal(firstCaller.Token, own.CancellationToken);
        _server.Gate.SetResult();
        GeneratedEmbeddings<Embedding<float>>[] results = await Task.WhenAll(waiters);

        Assert.Equal(1, _server.RequestCount);
        float[] expected = FakeEmbeddingServer.VectorFor("shared", 8);
        Assert.All(results, r => Assert.Equal(expected, r[0].Vector.ToArray()));
    }

    [Fact]
    public async Task When_every_waiter_cancels_the_shared_request_is_abandoned_and_a_later_call_starts_afresh()
    {
        using SingleFlightCachingEmbeddingGenerator cached = Cached();
        _server.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var a = new CancellationTokenSource();
        using var b = new CancellationTokenSource();

        Task<GeneratedEmbeddings<Embedding<float>>> first = cached.GenerateAsync(["abandoned"], cancellationToken: a.Token);
        Assert.True(SpinWait.SpinUntil(() => _server.RequestCount == 1, TimeSpan.FromSeconds(10)));
        Task<GeneratedEmbeddings<Embedding<float>>> second = cached.GenerateAsync(["abandoned"], cancellationToken: b.Token);
        await a.CancelAsync();
        await b.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => second);

        // The held request was cancelled with its last waiter, so the server saw its client go away.
        _server.Gate = null;
        GeneratedEmbeddings<Embedding<float>> later = await cached.GenerateAsync(["abandoned"]);

        Assert.Equal(2, _server.RequestCount);
        Assert.Equal(FakeEmbeddingServer.VectorFor("abandoned", 8), later[0].Vector.ToArray());
    }

    [Fact]
    public async Task A_retry_outside_the_cache_does_not_take_the_first_callers_cancellation_for_its_own()
    {
        using SingleFlightCachingEmbeddingGenerator cached = Cached();
        using var retrying = new RetryingEmbeddingGenerator(cached, new EmbeddingRetryOptions { MaxRetryAttempts = 0, AttemptTimeout = TimeSpan.FromSeconds(30) });
        _server.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var firstCaller = new CancellationTokenSource();

        Task<GeneratedEmbeddings<Embedding<float>>> first = retrying.GenerateAsync(["retried"], cancellationToken: firstCaller.Token);
        Assert.True(SpinWait.SpinUntil(() => _server.RequestCount == 1, TimeSpan.FromSeconds(10)));
        Task<GeneratedEmbeddings<Embedding<float>>> other = Task.Run(() => retrying.GenerateAsync(["retried"]));
        await Task.Delay(200);
        await firstCaller.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);
        _server.Gate.SetResult();

        Assert.Equal(FakeEmbeddingServer.VectorFor("retried", 8), (await other)[0].Vector.ToArray());
        Assert.Equal(1, _server.RequestCount);
    }

    [Fact]
    public async Task A_cached_vector_of_the_wrong_length_is_never_served()
    {
        var store = new MemoryEmbeddingCache();
        using SingleFlightCachingEmbeddingGenerator cached = Cached(store);
        string fingerprint = _provider.Fingerprint.ToString();
        store.SetMany([EmbeddingCacheKey.Create(fingerprint, EmbeddingInputKind.Unspecified, "bad")], [new float[3]]);

        GeneratedEmbeddings<Embedding<float>> result = await cached.GenerateAsync(["bad"]);

        Assert.Equal(FakeEmbeddingServer.VectorFor("bad", 8), result[0].Vector.ToArray());
        Assert.Equal(1, _server.RequestCount);
    }

    [Fact]
    public async Task Bypass_and_other_models_skip_the_cache()
    {
        using SingleFlightCachingEmbeddingGenerator cached = Cached();
        var bypass = new EmbeddingGenerationOptions { AdditionalProperties = new() { [SingleFlightCachingEmbeddingGenerator.BypassKey] = true } };

        await cached.GenerateAsync(["p"], bypass);
        await cached.GenerateAsync(["p"], bypass);

        Assert.Equal(2, _server.RequestCount);
        Assert.Equal(0, ((MemoryEmbeddingCache)cached.Store).Count);
    }

    [Fact]
    public void A_generator_without_a_descriptor_is_refused()
    {
        using var bare = new BareGenerator();
        var ex = Assert.Throws<ArgumentException>(() => new SingleFlightCachingEmbeddingGenerator(bare, new MemoryEmbeddingCache()));
        Assert.Contains("EmbedderDescriptor", ex.Message, StringComparison.Ordinal);
    }

    private sealed class BareGenerator : IEmbeddingGenerator<string, Embedding<float>>
    {
        public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default) =>
            Task.FromResult(new GeneratedEmbeddings<Embedding<float>>(values.Select(_ => new Embedding<float>(new float[2]))));

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
