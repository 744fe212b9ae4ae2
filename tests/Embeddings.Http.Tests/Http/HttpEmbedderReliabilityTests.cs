using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Embeddings.Http.Tests.Support;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Embeddings.Http.Tests.Http;

/// <summary>What the embedder refuses from a hostile or broken endpoint, and where its credentials may go.</summary>
public sealed class HttpEmbedderReliabilityTests : IDisposable
{
    private const string Key = "sk-test-0123456789abcdef";
    private readonly HttpClient _http = new();

    public void Dispose() => _http.Dispose();

    private static Task Json(HttpContext context, string body, int status = 200)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(body);
    }

    private static string Floats(params float[] values) =>
        "[" + string.Join(",", values.Select(v => v.ToString("R", CultureInfo.InvariantCulture))) + "]";

    private HttpEmbedder OpenAI(Uri baseAddress, int dimensions, Action<HttpEmbedderOptions>? configure = null)
    {
        var options = new HttpEmbedderOptions { Endpoint = new Uri(baseAddress, "/v1"), Model = "m", Dimensions = dimensions, RequireApiKey = false };
        configure?.Invoke(options);
        return new HttpEmbedder(_http, options);
    }

    [Fact]
    public async Task A_number_beyond_float32_range_is_refused_naming_the_item_index()
    {
        await using ScriptedServer server = await ScriptedServer.StartAsync(c => Json(c,
            "{\"data\":[{\"index\":0,\"embedding\":[0.5,0.5]},{\"index\":1,\"embedding\":[0.25,1e39]}]}"));
        using HttpEmbedder embedder = OpenAI(server.BaseAddress, 2);

        var ex = await Assert.ThrowsAsync<EmbeddingHttpException>(() => embedder.GenerateAsync(["a", "b"]));

        Assert.Equal(HttpRequestError.InvalidResponse, ex.HttpRequestError);
        Assert.Contains("index 1", ex.Message, StringComparison.Ordinal);
        Assert.Contains("finite", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_base64_NaN_is_refused_naming_the_item_index()
    {
        string nan = Convert.ToBase64String(MemoryMarshal.AsBytes(new[] { 0.5f, float.NaN }.AsSpan()));
        string fine = Convert.ToBase64String(MemoryMarshal.AsBytes(new[] { 0.5f, 0.5f }.AsSpan()));
        await using ScriptedServer server = await ScriptedServer.StartAsync(c => Json(c,
            $"{{\"data\":[{{\"index\":1,\"embedding\":\"{fine}\"}},{{\"index\":0,\"embedding\":\"{nan}\"}}]}}"));
        using HttpEmbedder embedder = OpenAI(server.BaseAddress, 2, o => o.Encoding = HttpEmbeddingEncoding.Base64);

        var ex = await Assert.ThrowsAsync<EmbeddingHttpException>(() => embedder.GenerateAsync(["a", "b"]));

        Assert.Contains("index 0", ex.Message, StringComparison.Ordinal);
        Assert.Contains("finite", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_tei_vector_with_an_infinity_is_refused_naming_its_position()
    {
        await using ScriptedServer server = await ScriptedServer.StartAsync(c => Json(c, $"[{Floats(0.5f, 0.5f)},[0.5,-1e39]]"));
        using var embedder = new HttpEmbedder(_http, new HttpEmbedderOptions { Api = HttpEmbeddingApi.TeiNative, Endpoint = server.BaseAddress, Dimensions = 2 });

        var ex = await Assert.ThrowsAsync<EmbeddingHttpException>(() => embedder.GenerateAsync(["a", "b"]));

        Assert.Contains("index 1", ex.Message, StringComparison.Ordinal);
        Assert.Contains("finite", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_body_past_the_configured_size_limit_is_refused()
    {
        string padded = "{\"pad\":\"" + new string('x', 100_000) + "\",\"data\":[{\"index\":0,\"embedding\":[0.5,0.5]}]}";
        await using ScriptedServer server = await ScriptedServer.StartAsync(c => Json(c, padded));
        using HttpEmbedder limited = OpenAI(server.BaseAddress, 2, o => o.MaxResponseBytes = 10_000);
        using HttpEmbedder generous = OpenAI(server.BaseAddress, 2, o => o.MaxResponseBytes = 1_000_000);

        var ex = await Assert.ThrowsAsync<EmbeddingHttpException>(() => limited.GenerateAsync(["a"]));

        Assert.Contains("MaxResponseBytes", ex.Message, StringComparison.Ordinal);
        Assert.Contains("10000", ex.Message, StringComparison.Ordinal);
        GeneratedEmbeddings<Embedding<float>> fine = await generous.GenerateAsync(["a"]);
        Assert.Equal(new[] { 0.5f, 0.5f }, fine[0].Vector.ToArray());
    }

    [Fact]
    public async Task An_endless_body_stops_at_the_default_limit()
    {
        // No Content-Length: the body is chunked and never ends, so only a limit on what is read stops it.
        await using ScriptedServer server = await ScriptedServer.StartAsync(async c =>
        {
            c.Response.ContentType = "application/json";
            await c.Response.WriteAsync("{\"data\":[{\"index\":0,\"embedding\":[0.5", c.RequestAborted);
            byte[] zeros = Encoding.ASCII.GetBytes(new string('0', 64 * 1024));
            while (!c.RequestAborted.IsCancellationRequested)
            {
                await c.Response.Body.WriteAsync(zeros, c.RequestAborted);
            }
        });
        using HttpEmbedder embedder = OpenAI(server.BaseAddress, 2);

        var ex = await Assert.ThrowsAsync<EmbeddingHttpException>(() => embedder.GenerateAsync(["a"]));

        Assert.Contains("MaxResponseBytes", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_silent_server_is_abandoned_after_the_request_timeout_without_any_retry_middleware()
    {
        await using ScriptedServer server = await ScriptedServer.StartAsync(c => Task.Delay(Timeout.Infinite, c.RequestAborted));
        using HttpEmbedder embedder = OpenAI(server.BaseAddress, 2, o => o.RequestTimeout = TimeSpan.FromMilliseconds(300));

        var ex = await Assert.ThrowsAsync<TimeoutException>(() => embedder.GenerateAsync(["a"]));

        Assert.Contains("RequestTimeout", ex.Message, StringComparison.Ordinal);
        Assert.Equal(EmbeddingFailureKindTimeout, Embeddings.Pipeline.EmbeddingFailures.Classify(ex));
    }

    private static readonly Embeddings.Pipeline.EmbeddingFailureKind EmbeddingFailureKindTimeout = Embeddings.Pipeline.EmbeddingFailureKind.Timeout;

    [Fact]
    public async Task The_default_timeout_is_finite_and_below_HttpClients_100_seconds()
    {
        TimeSpan timeout = new HttpEmbedderOptions().RequestTimeout;

        Assert.NotEqual(Timeout.InfiniteTimeSpan, timeout);
        Assert.InRange(timeout, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(99));

        // A caller's own cancellation stays a cancellation, not a timeout.
        await using ScriptedServer server = await ScriptedServer.StartAsync(c => Task.Delay(Timeout.Infinite, c.RequestAborted));
        using HttpEmbedder embedder = OpenAI(server.BaseAddress, 2);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => embedder.GenerateAsync(["a"], cancellationToken: cts.Token));
    }

    [Theory]
    [InlineData(HttpEmbeddingApi.AzureOpenAI)]
    [InlineData(HttpEmbeddingApi.OpenAI)]
    public async Task A_redirect_to_another_port_is_not_followed_and_the_key_stays_home(HttpEmbeddingApi api)
    {
        await using ScriptedServer elsewhere = await ScriptedServer.StartAsync(c => Json(c, "{\"data\":[{\"index\":0,\"embedding\":[0.5,0.5]}]}"));
        await using ScriptedServer home = await ScriptedServer.StartAsync(c =>
        {
            c.Response.StatusCode = 307;
            c.Response.Headers.Location = new Uri(elsewhere.BaseAddress, c.Request.Path + c.Request.QueryString).ToString();
            return Task.CompletedTask;
        });
        var services = new ServiceCollection();
        services.AddEmbeddings(e => e.UseHttpEmbedder(o =>
        {
            o.Api = api;
            o.Endpoint = api == HttpEmbeddingApi.AzureOpenAI ? home.BaseAddress : new Uri(home.BaseAddress, "/v1");
            o.Model = "m";
            o.Dimensions = 2;
            o.ApiKey = Key;
        }));
        await using ServiceProvider provider = services.BuildServiceProvider();
        IEmbedder embedder = provider.GetRequiredService<IEmbedder>();

        var ex = await Assert.ThrowsAsync<EmbeddingHttpException>(() => embedder.EmbedDocumentsAsync(["a"]));

        Assert.Contains("redirect", ex.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(elsewhere.BaseAddress.Port.ToString(CultureInfo.InvariantCulture), ex.Message, StringComparison.Ordinal);
        Assert.Empty(elsewhere.Requests);
        Assert.Single(home.Requests);
    }

    [Fact]
    public async Task The_embedders_own_client_does_not_follow_redirects_either()
    {
        await using ScriptedServer elsewhere = await ScriptedServer.StartAsync(c => Json(c, "{\"data\":[{\"index\":0,\"embedding\":[0.5,0.5]}]}"));
        await using ScriptedServer home = await ScriptedServer.StartAsync(c =>
        {
            c.Response.StatusCode = 308;
            c.Response.Headers.Location = new Uri(elsewhere.BaseAddress, c.Request.Path + c.Request.QueryString).ToString();
            return Task.CompletedTask;
        });
        using var embedder = new HttpEmbedder(new HttpEmbedderOptions
        {
            Api = HttpEmbeddingApi.AzureOpenAI, Endpoint = home.BaseAddress, Model = "m", Dimensions = 2, ApiKey = Key,
        });

        await Assert.ThrowsAsync<EmbeddingHttpException>(() => embedder.GenerateAsync(["a"]));

        Assert.Empty(elsewhere.Requests);
    }

    [Fact]
    public async Task A_client_that_followed_a_redirect_elsewhere_fails_the_call()
    {
        await using ScriptedServer elsewhere = await ScriptedServer.StartAsync(c => Json(c, "{\"data\":[{\"index\":0,\"embedding\":[0.5,0.5]}]}"));
        await using ScriptedServer home = await ScriptedServer.StartAsync(c =>
        {
            c.Response.StatusCode = 307;
            c.Response.Headers.Location = new Uri(elsewhere.BaseAddress, c.Request.Path).ToString();
            return Task.CompletedTask;
        });
        using HttpEmbedder embedder = OpenAI(home.BaseAddress, 2);

        var ex = await Assert.ThrowsAsync<EmbeddingHttpException>(() => embedder.GenerateAsync(["a"]));

        Assert.Contains("redirect", ex.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task User_info_and_the_key_never_reach_messages_or_logs()
    {
        await using ScriptedServer server = await ScriptedServer.StartAsync(c => Json(c, $"{{\"error\":\"invalid api key {Key} for user\"}}", 401));
        var endpoint = new Uri($"http://alice:hunter2@127.0.0.1:{server.BaseAddress.Port}/v1");
        using var provider = new HttpEmbedder(_http, new HttpEmbedderOptions { Endpoint = endpoint, Model = "m", Dimensions = 2, ApiKey = Key });
        var logs = new CapturingLoggerProvider();
        using ILoggerFactory factory = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        using IEmbeddingGenerator<string, Embedding<float>> logged = provider.AsBuilder().UseLogging(factory).Build();

        var ex = await Assert.ThrowsAsync<EmbeddingHttpException>(() => logged.GenerateAsync(["a"]));

        Assert.Contains("401", ex.Message, StringComparison.Ordinal);
        string everything = string.Join("\n", logs.Entries.Append(ex.ToString()).Append(ex.ResponseBody ?? string.Empty)
            .Append(ex.Endpoint.ToString()).Append(provider.RequestUri.ToString()).Append(provider.Descriptor.ModelId));
        Assert.NotEmpty(logs.Entries);
        Assert.DoesNotContain("hunter2", everything, StringComparison.Ordinal);
        Assert.DoesNotContain("alice", everything, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, everything, StringComparison.Ordinal);
        Assert.DoesNotContain(Key[..12], everything, StringComparison.Ordinal);
    }

    [Fact]
    public void A_tei_endpoint_with_user_info_names_its_model_without_it()
    {
        using var embedder = new HttpEmbedder(_http, new HttpEmbedderOptions
        {
            Api = HttpEmbeddingApi.TeiNative, Endpoint = new Uri("http://bob:s3cret@127.0.0.1:9/"), Dimensions = 2,
        });

        Assert.DoesNotContain("s3cret", embedder.Descriptor.ModelId, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", embedder.Fingerprint.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", embedder.RequestUri.ToString(), StringComparison.Ordinal);
    }
}
