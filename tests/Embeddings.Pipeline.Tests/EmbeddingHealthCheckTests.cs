using Embeddings.Testing.Http;
using Embeddings.Pipeline.Tests.Support;
using Embeddings.Pipeline;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Embeddings.Http;

namespace Embeddings.Pipeline.Tests;

public sealed class EmbeddingHealthCheckTests : IAsyncLifetime
{
    private readonly HttpClient _http = new();
    private readonly SteppingClock _clock = new();
    private FakeEmbeddingServer _server = null!;

    public async Task InitializeAsync() => _server = await FakeEmbeddingServer.StartAsync(dimensions: 8);

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
    }

    private HttpEmbedder Provider() => new(_http, new HttpEmbedderOptions { Endpoint = _server.OpenAIEndpoint, Model = "fake", Dimensions = 8, RequireApiKey = false });

    private static HealthCheckContext Context(IHealthCheck check) =>
        new() { Registration = new HealthCheckRegistration("embeddings", check, HealthStatus.Unhealthy, tags: null) };

    [Fact]
    public async Task A_live_endpoint_is_healthy_and_the_probe_bypasses_the_cache()
    {
        using HttpEmbedder provider = Provider();
        using var cached = new SingleFlightCachingEmbeddingGenerator(provider, new MemoryEmbeddingCache());
        var check = new EmbeddingHealthCheck(cached, new EmbeddingHealthCheckOptions { ProbeText = "ping" });

        HealthCheckResult first = await check.CheckHealthAsync(Context(check));
        HealthCheckResult second = await check.CheckHealthAsync(Context(check));

        Assert.Equal(HealthStatus.Healthy, first.Status);
        Assert.Equal(HealthStatus.Healthy, second.Status);
        Assert.Equal(8, first.Data["dimensions"]);
        Assert.Equal(2, _server.RequestCount);
        Assert.Equal(["ping"], _server.Requests[0].Inputs);
    }

    [Fact]
    public async Task A_hanging_endpoint_is_unhealthy_after_the_timeout()
    {
        _server.Script(new Fault.Hang());
        using HttpEmbedder provider = Provider();
        var check = new EmbeddingHealthCheck(provider, new EmbeddingHealthCheckOptions { Timeout = TimeSpan.FromSeconds(5), TimeProvider = _clock });

        Task<HealthCheckResult> running = check.CheckHealthAsync(Context(check));
        await _clock.DriveAsync(running, due => due == TimeSpan.FromSeconds(5) && SpinWait.SpinUntil(() => _server.RequestCount == 1, TimeSpan.FromSeconds(10)));
        HealthCheckResult result = await running;

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Contains("within 5 s", result.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failing_endpoint_is_unhealthy_with_the_reason()
    {
        _server.Script(new Fault.Status(401));
        using HttpEmbedder provider = Provider();
        var check = new EmbeddingHealthCheck(provider);

        HealthCheckResult result = await check.CheckHealthAsync(Context(check));

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Contains("401", result.Description, StringComparison.Ordinal);
    }
}
