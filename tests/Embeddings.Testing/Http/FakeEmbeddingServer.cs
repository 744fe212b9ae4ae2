using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Embeddings.Testing.Http;

/// <summary>What the server does with one request instead of answering normally.</summary>
public abstract record Fault
{
    public sealed record Status(int Code, string? RetryAfter = null, string Body = "{\"error\":{\"message\":\"scripted\"}}") : Fault;

    public sealed record Hang : Fault;

    public sealed record MalformedJson : Fault;

    public sealed record WrongLength(int Dimensions) : Fault;
}

/// <summary>One request the server received.</summary>
public sealed record ReceivedRequest(string Path, IReadOnlyList<string> Inputs, int? Dimensions, string? EncodingFormat, string? Authorization, string? ApiKeyHeader, DateTimeOffset ArrivedAt);

/// <summary>
/// A real Kestrel server on 127.0.0.1 (port 0) that speaks OpenAI's <c>/v1/embeddings</c> and TEI's <c>/embed</c>, returns
/// deterministic vectors (OpenAI items in reverse index order, so clients must reorder) and plays scripted faults.
/// </summary>
public sealed class FakeEmbeddingServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<Fault> _faults = new();
    private readonly ConcurrentQueue<ReceivedRequest> _requests = new();
    private int _requestCount;

    private FakeEmbeddingServer(WebApplication app, int dimensions, TimeProvider clock)
    {
        _app = app;
        Dimensions = dimensions;
        Clock = clock;
    }

    public int Dimensions { get; }

    public TimeProvider Clock { get; }

    public Uri BaseAddress { get; private set; } = null!;

    public Uri OpenAIEndpoint => new(BaseAddress, "/v1");

    /// <summary>Gets or sets a gate every successful answer waits on (single-flight tests hold requests open with it).</summary>
    public TaskCompletionSource? Gate { get; set; }

    public int RequestCount => Volatile.Read(ref _requestCount);

    public IReadOnlyList<ReceivedRequest> Requests => _requests.ToArray();

    public static async Task<FakeEmbeddingServer> StartAsync(int dimensions = 8, TimeProvider? clock = null)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        WebApplication app = builder.Build();
        var server = new FakeEmbeddingServer(app, dimensions, clock ?? TimeProvider.System);
        app.MapPost("/v1/embeddings", context => server.HandleAsync(context, native: false));
        app.MapPost("/embed", context => server.HandleAsync(context, native: true));
        app.MapPost("/openai/deployments/{deployment}/embeddings", context => server.HandleAsync(context, native: false));
        await app.StartAsync();
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseAddress = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
        return server;
    }

    public void Script(params Fault[] faults)
    {
        foreach (Fault fault in faults)
        {
            _faults.Enqueue(fault);
        }
    }

    /// <summary>The vector the server returns for <paramref name="text"/>: deterministic, unit length.</summary>
    public static float[] VectorFor(string text, int dimensions)
    {
        byte[] seed = SHA256.HashData(Encoding.UTF8.GetBytes(text));
        var random = new Random(BitConverter.ToInt32(seed));
        var vector = new float[dimensions];
        double norm = 0;
        for (int i = 0; i < dimensions; i++)
        {
            vector[i] = (float)(random.NextDouble() * 2 - 1);
            norm += vector[i] * vector[i];
        }

        for (int i = 0; i < dimensions; i++)
        {
            vector[i] /= (float)Math.Sqrt(norm);
        }

        return vector;
    }

    public async ValueTask DisposeAsync()
    {
        Gate?.TrySetResult();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context, bool native)
    {
        DateTimeOffset arrivedAt = Clock.GetUtcNow();
        Interlocked.Increment(ref _requestCount);
        using JsonDocument body = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
        JsonElement root = body.RootElement;
        JsonElement inputElement = root.GetProperty(native ? "inputs" : "input");
        string[] inputs = inputElement.ValueKind == JsonValueKind.String
            ? [inputElement.GetString()!]
            : inputElement.EnumerateArray().Select(e => e.GetString()!).ToArray();
        int? dimensions = root.TryGetProperty("dimensions", out JsonElement d) ? d.GetInt32() : null;
        string? encoding = root.TryGetProperty("encoding_format", out JsonElement e) ? e.GetString() : null;
        _requests.Enqueue(new ReceivedRequest(
            context.Request.Path, inputs, dimensions, encoding,
            context.Request.Headers.Authorization.FirstOrDefault(), context.Request.Headers["api-key"].FirstOrDefault(), arrivedAt));

        int length = dimensions ?? Dimensions;
        if (_faults.TryDequeue(out Fault? fault))
        {
            switch (fault)
            {
                case Fault.Status status:
                    context.Response.StatusCode = status.Code;
                    if (status.RetryAfter is not null)
                    {
                        context.Response.Headers.RetryAfter = status.RetryAfter;
                    }

                    context.Response.ContentType = "application/json";
                    await context.Response.WriteAsync(status.Body);
                    return;
                case Fault.Hang:
                    await Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
                    return;
                case Fault.MalformedJson:
                    context.Response.ContentType = "application/json";
                    await context.Response.WriteAsync(native ? "[[0.1, 0.2," : "{\"data\": [{\"index\": 0, \"embedding\": [0.1, ");
                    return;
                case Fault.WrongLength wrong:
                    length = wrong.Dimensions;
                    break;
            }
        }

        if (Gate is TaskCompletionSource gate)
        {
            await gate.Task.WaitAsync(context.RequestAborted);
        }

        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(native ? TeiBody(inputs, length) : OpenAIBody(inputs, length, encoding == "base64"));
    }

    private static string OpenAIBody(string[] inputs, int length, bool base64)
    {
        var json = new StringBuilder("{\"object\":\"list\",\"data\":[");
        for (int i = inputs.Length - 1; i >= 0; i--)
        {
            float[] vector = VectorFor(inputs[i], length);
            json.Append("{\"object\":\"embedding\",\"embedding\":");
            if (base64)
            {
                json.Append('"').Append(Convert.ToBase64String(MemoryMarshal.AsBytes(vector.AsSpan()))).Append('"');
            }
            else
            {
                AppendArray(json, vector);
            }

            json.Append(",\"index\":").Append(i.ToString(CultureInfo.InvariantCulture)).Append('}');
            json.Append(i > 0 ? "," : string.Empty);
        }

        int tokens = inputs.Sum(t => t.Length);
        json.Append("],\"model\":\"fake\",\"usage\":{\"prompt_tokens\":").Append(tokens).Append(",\"total_tokens\":").Append(tokens).Append("}}");
        return json.ToString();
    }

    private static string TeiBody(string[] inputs, int length)
    {
        var json = new StringBuilder("[");
        for (int i = 0; i < inputs.Length; i++)
        {
            AppendArray(json, VectorFor(inputs[i], length));
            json.Append(i + 1 < inputs.Length ? "," : string.Empty);
        }

        return json.Append(']').ToString();
    }

    private static void AppendArray(StringBuilder json, float[] vector)
    {
        json.Append('[');
        for (int i = 0; i < vector.Length; i++)
        {
            json.Append(vector[i].ToString("R", CultureInfo.InvariantCulture)).Append(i + 1 < vector.Length ? "," : string.Empty);
        }

        json.Append(']');
    }
}
