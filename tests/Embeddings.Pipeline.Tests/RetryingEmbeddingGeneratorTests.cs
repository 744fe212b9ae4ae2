using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Embeddings.Testing.Http;
using Embeddings.Pipeline.Tests.Support;
using Embeddings.Pipeline;
using Microsoft.Extensions.AI;
using Embeddings.Http;

namespace Embeddings.Pipeline.Tests;

public sealed class RetryingEmbeddingGeneratorTests : IAsyncLifetime
{
    private static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(45);
    private readonly SteppingClock _clock = new();
    private readonly HttpClient _http = new();
    private readonly MetricRecorder _recorder = new();
    private FakeEmbeddingServer _server = null!;

    public async Task InitializeAsync() => _server = await FakeEmbeddingServer.StartAsync(dimensions: 8, _clock);

    public async Task DisposeAsync()
    {
        _http.Dispose();
        _recorder.Dispose();
        await _server.DisposeAsync();
    }

    private RetryingEmbeddingGenerator Create(Action<EmbeddingRetryOptions>? configure = null, Uri? endpoint = null)
    {
        var provider = new HttpEmbedder(_http, new HttpEmbedderOptions { Endpoint = endpoint ?? _server.OpenAIEndpoint, Model = "fake", Dimensions = 8, RequireApiKey = false });
        var options = new EmbeddingRetryOptions
        {
            TimeProvider = _clock,
            UseJitter = false,
            AttemptTimeout = AttemptTimeout,
            Metrics = new EmbeddingPipelineMetrics(_recorder),
        };
        configure?.Invoke(options);
        return new RetryingEmbeddingGenerator(provider, options);
    }

    /// <summary>
    /// Runs a call, advancing the fake clock through every retry delay, and through the first <paramref name="timeouts"/>
    /// attempt timeouts, each only once the server holds the request it belongs to.
    /// </summary>
    private async Task<(Task<GeneratedEmbeddings<Embedding<float>>> Call, List<TimeSpan> Advanced)> RunAsync(
        RetryingEmbeddingGenerator generator, int timeouts = 0)
    {
        Task<GeneratedEmbeddings<Embedding<float>>> call = generator.GenerateAsync(["payload"]);
        int advancedTimeouts = 0;
        List<TimeSpan> advanced = await _clock.DriveAsync(call, due =>
        {
            if (due != AttemptTimeout)
            {
                return true;
            }

            if (advancedTimeouts == timeouts)
            {
                return false;
            }

            Assert.True(SpinWait.SpinUntil(() => _server.RequestCount > advancedTimeouts, TimeSpan.FromSeconds(10)), "the attempt never reached the server");
            advancedTimeouts++;
            return true;
        });
        return (call, advanced);
    }

    private TimeSpan[] ArrivalGaps()
    {
        DateTimeOffset[] arrivals = _server.Requests.Select(r => r.ArrivedAt).ToArray();
        return arrivals.Skip(1).Zip(arrivals, (later, earlier) => later - earlier).ToArray();
    }

    [Fact]
    public async Task Server_error_then_success_retries_once_after_the_initial_delay()
    {
        _server.Script(new Fault.Status(500));
        using RetryingEmbeddingGenerator generator = Create();

        var (call, advanced) = await RunAsync(generator);

        Assert.Equal(FakeEmbeddingServer.VectorFor("payload", 8), (await call)[0].Vector.ToArray());
        Assert.Equal(2, _server.RequestCount);
        Assert.Equal([TimeSpan.FromSeconds(1)], advanced);
        Assert.Equal([TimeSpan.FromSeconds(1)], ArrivalGaps());
        Assert.Equal(1, _recorder.Total("embeddings.retries"));
    }

    [Fact]
    public async Task Rate_limit_honours_retry_after_in_seconds()
    {
        _server.Script(new Fault.Status(429, RetryAfter: "7"));
        using RetryingEmbeddingGenerator generator = Create();

        var (call, advanced) = await RunAsync(generator);

        await call;
        Assert.Equal(2, _server.RequestCount);
        Assert.Equal([TimeSpan.FromSeconds(7)], ArrivalGaps());
        Assert.Equal([TimeSpan.FromSeconds(7)], advanced);
    }

    [Fact]
    public async Task Rate_limit_honours_retry_after_as_an_http_date()
    {
        string date = _clock.GetUtcNow().AddSeconds(12).ToString("r", CultureInfo.InvariantCulture);
        _server.Script(new Fault.Status(429, RetryAfter: date));
        using RetryingEmbeddingGenerator generator = Create();

        var (call, _) = await RunAsync(generator);

        await call;
        Assert.Equal([TimeSpan.FromSeconds(12)], ArrivalGaps());
    }

    [Fact]
    public async Task Persistent_server_errors_back_off_1_2_4_seconds_then_fail_with_the_attempt_count()
    {
        _server.Script(new Fault.Status(503), new Fault.Status(503), new Fault.Status(503), new Fault.Status(503));
        using RetryingEmbeddingGenerator generator = Create();

        var (call, advanced) = await RunAsync(generator);

        var ex = await Assert.ThrowsAsync<EmbeddingRequestException>(() => call);
        Assert.Equal(EmbeddingFailureKind.ServerError, ex.Failure);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ex.StatusCode);
        Assert.Equal(4, ex.Attempts);
        Assert.True(ex.IsTransient);
        Assert.Equal(4, _server.RequestCount);
        TimeSpan[] expected = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4)];
        Assert.Equal(expected, advanced);
        Assert.Equal(expected, ArrivalGaps());
        Assert.Contains("after 4 attempts", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unauthorized_is_never_retried()
    {
        _server.Script(new Fault.Status(401), new Fault.Status(401));
        using RetryingEmbeddingGenerator generator = Create();

        var (call, advanced) = await RunAsync(generator);

        var ex = await Assert.ThrowsAsync<EmbeddingRequestException>(() => call);
        Assert.Equal(EmbeddingFailureKind.ClientError, ex.Failure);
        Assert.Equal(HttpStatusCode.Unauthorized, ex.StatusCode);
        Assert.Equal(1, ex.Attempts);
        Assert.False(ex.IsTransient);
        Assert.Equal(1, _server.RequestCount);
        Assert.Empty(advanced);
        Assert.Equal(0, _recorder.Total("embeddings.retries"));
    }

    [Theory]
    [InlineData(400)]
    [InlineData(403)]
    [InlineData(404)]
    public async Task Other_client_errors_are_never_retried(int status)
    {
        _server.Script(new Fault.Status(status));
        using RetryingEmbeddingGenerator generator = Create();

        var (call, _) = await RunAsync(generator);

        var ex = await Assert.ThrowsAsync<EmbeddingRequestException>(() => call);
        Assert.Equal((HttpStatusCode)status, ex.StatusCode);
        Assert.Equal(1, ex.Attempts);
        Assert.Equal(1, _server.RequestCount);
    }

    [Fact]
    public async Task A_response_slower_than_the_timeout_is_abandoned_and_retried()
    {
        _server.Script(new Fault.Hang(), new Fault.Hang());
        using RetryingEmbeddingGenerator generator = Create();

        var (call, advanced) = await RunAsync(generator, timeouts: 2);

        Assert.Equal(FakeEmbeddingServer.VectorFor("payload", 8), (await call)[0].Vector.ToArray());
        Assert.Equal(3, _server.RequestCount);
        Assert.Equal([AttemptTimeout, TimeSpan.FromSeconds(1), AttemptTimeout, TimeSpan.FromSeconds(2)], advanced);
        Assert.Equal([AttemptTimeout + TimeSpan.FromSeconds(1), AttemptTimeout + TimeSpan.FromSeconds(2)], ArrivalGaps());
    }

    [Fact]
    public async Task Timeouts_that_never_end_fail_as_timeout_after_every_attempt()
    {
        _server.Script(new Fault.Hang(), new Fault.Hang());
        using RetryingEmbeddingGenerator generator = Create(o => o.MaxRetryAttempts = 1);

        var (call, _) = await RunAsync(generator, timeouts: 2);

        var ex = await Assert.ThrowsAsync<EmbeddingRequestException>(() => call);
        Assert.Equal(EmbeddingFailureKind.Timeout, ex.Failure);
        Assert.Null(ex.StatusCode);
        Assert.Equal(2, ex.Attempts);
    }

    [Fact]
    public async Task Malformed_json_and_wrong_length_are_invalid_responses_not_retried()
    {
        _server.Script(new Fault.MalformedJson(), new Fault.WrongLength(3));
        using RetryingEmbeddingGenerator generator = Create();

        var malformed = await Assert.ThrowsAsync<EmbeddingRequestException>(() => generator.GenerateAsync(["a"]));
        var wrong = await Assert.ThrowsAsync<EmbeddingRequestException>(() => generator.GenerateAsync(["a"]));

        Assert.Equal(EmbeddingFailureKind.InvalidResponse, malformed.Failure);
        Assert.Contains("malformed JSON", malformed.Message, StringComparison.Ordinal);
        Assert.Equal(EmbeddingFailureKind.InvalidResponse, wrong.Failure);
        Assert.Contains("has 3 dimensions; expected 8", wrong.Message, StringComparison.Ordinal);
        Assert.Equal(2, _server.RequestCount);
    }

    [Fact]
    public async Task Connection_failures_are_retried_then_reported()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var attempts = new List<int>();
        using RetryingEmbeddingGenerator generator = Create(o => o.OnRetry = (n, _, kind) => attempts.Add(n), new Uri($"http://127.0.0.1:{port}/v1"));

        var (call, advanced) = await RunAsync(generator);

        var ex = await Assert.ThrowsAsync<EmbeddingRequestException>(() => call);
        Assert.Equal(EmbeddingFailureKind.ConnectionFailure, ex.Failure);
        Assert.Null(ex.StatusCode);
        Assert.Equal(4, ex.Attempts);
        Assert.Equal([1, 2, 3], attempts);
        Assert.Equal([TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4)], advanced);
    }

    [Fact]
    public async Task Jittered_delays_stay_within_the_cap()
    {
        _server.Script(Enumerable.Repeat<Fault>(new Fault.Status(500), 4).ToArray());
        var seen = new List<TimeSpan>();
        using RetryingEmbeddingGenerator generator = Create(o =>
        {
            o.UseJitter = true;
            o.Delay = TimeSpan.FromSeconds(20);
            o.OnRetry = (_, delay, _) => seen.Add(delay);
        });

        var (call, advanced) = await RunAsync(generator);

        await Assert.ThrowsAsync<EmbeddingRequestException>(() => call);
        Assert.Equal(3, seen.Count);
        Assert.All(seen, d => Assert.InRange(d, TimeSpan.Zero, TimeSpan.FromSeconds(30)));
        Assert.Equal(seen.Count(d => d >= TimeSpan.FromMilliseconds(1)), advanced.Count);
        Assert.All(seen.Zip(advanced), pair => Assert.InRange((pair.First - pair.Second).Duration(), TimeSpan.Zero, TimeSpan.FromMilliseconds(1)));
    }

    [Fact]
    public async Task Retry_after_beyond_the_cap_is_capped()
    {
        _server.Script(new Fault.Status(429, RetryAfter: "120"));
        using RetryingEmbeddingGenerator generator = Create();

        var (call, _) = await RunAsync(generator);

        await call;
        Assert.Equal([TimeSpan.FromSeconds(30)], ArrivalGaps());
    }

    [Fact]
    public async Task Caller_cancellation_is_not_wrapped_or_retried()
    {
        _server.Script(new Fault.Hang());
        using RetryingEmbeddingGenerator generator = Create();
        using var cts = new CancellationTokenSource();

        Task<GeneratedEmbeddings<Embedding<float>>> call = generator.GenerateAsync(["a"], cancellationToken: cts.Token);
        while (_server.RequestCount == 0)
        {
            await Task.Delay(5);
        }

        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        Assert.Equal(1, _server.RequestCount);
    }

    [Fact]
    public void Failures_are_classified()
    {
        Assert.Equal(EmbeddingFailureKind.RateLimited, EmbeddingFailures.Classify(new HttpRequestException("x", null, HttpStatusCode.TooManyRequests)));
        Assert.Equal(EmbeddingFailureKind.Timeout, EmbeddingFailures.Classify(new HttpRequestException("x", null, HttpStatusCode.RequestTimeout)));
        Assert.Equal(EmbeddingFailureKind.ServerError, EmbeddingFailures.Classify(new HttpRequestException("x", null, HttpStatusCode.BadGateway)));
        Assert.Equal(EmbeddingFailureKind.ClientError, EmbeddingFailures.Classify(new HttpRequestException("x", null, HttpStatusCode.UnprocessableEntity)));
        Assert.Equal(EmbeddingFailureKind.ConnectionFailure, EmbeddingFailures.Classify(new HttpRequestException("x")));
        Assert.Equal(EmbeddingFailureKind.Timeout, EmbeddingFailures.Classify(new TaskCanceledException("x", new TimeoutException())));
        Assert.Null(EmbeddingFailures.Classify(new ArgumentException("x")));
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.Null(EmbeddingFailures.Classify(new OperationCanceledException(cts.Token), cts.Token));
    }
}
