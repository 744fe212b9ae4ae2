using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Embeddings.Onnx.Tests.Download;

/// <summary>
/// A Hugging Face hub look-alike on 127.0.0.1: <c>/{owner}/{name}/resolve/{revision}/{file}</c> serves small
/// files directly and redirects <c>.onnx</c> files to <c>/cdn/...</c> with their SHA-256 in <c>X-Linked-Etag</c>,
/// as the hub does for LFS files. The CDN honours <c>Range</c> and can be told to break off responses.
/// </summary>
internal sealed class HubServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Dictionary<string, string> _repositories;

    private HubServer(WebApplication app, Dictionary<string, string> repositories)
    {
        _app = app;
        _repositories = repositories;
    }

    public Uri Endpoint { get; private set; } = null!;

    /// <summary>Gets every request: method, path and Range header.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    /// <summary>Gets or sets how many CDN responses send only half the body, then abort the connection.</summary>
    public int TruncatedResponses { get; set; }

    /// <summary>Gets or sets the hash announced in X-Linked-Etag instead of the true one.</summary>
    public string? AnnouncedSha256 { get; set; }

    public static async Task<HubServer> StartAsync(params (string Repository, string Folder)[] repositories)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        WebApplication app = builder.Build();
        var server = new HubServer(app, repositories.ToDictionary(r => r.Repository, r => r.Folder, StringComparer.Ordinal));
        app.Run(server.HandleAsync);
        await app.StartAsync();
        server.Endpoint = new Uri(app.Urls.First());
        return server;
    }

    public static string Sha256Of(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        string path = context.Request.Path.Value ?? string.Empty;
        Requests.Enqueue($"{context.Request.Method} {path} {context.Request.Headers.Range}");
        string[] parts = path.Trim('/').Split('/');
        bool cdn = parts.Length >= 4 && parts[0] == "cdn";
        string? repository = null;
        string? file = null;
        if (cdn)
        {
            repository = $"{parts[1]}/{parts[2]}";
            file = string.Join('/', parts[3..]);
        }
        else if (parts.Length >= 5 && parts[2] == "resolve")
        {
            repository = $"{parts[0]}/{parts[1]}";
            file = string.Join('/', parts[4..]);
        }

        if (repository is null || file is null || !_repositories.TryGetValue(repository, out string? folder)
            || !File.Exists(Path.Combine(folder, file)))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        string local = Path.Combine(folder, file);
        if (!cdn && file.EndsWith(".onnx", StringComparison.Ordinal))
        {
            context.Response.StatusCode = StatusCodes.Status302Found;
            context.Response.Headers["X-Linked-Etag"] = $"\"{AnnouncedSha256 ?? Sha256Of(local)}\"";
            context.Response.Headers.Location = $"/cdn/{repository}/{file}";
            return;
        }

        byte[] bytes = await File.ReadAllBytesAsync(local);
        long start = 0;
        string range = context.Request.Headers.Range.ToString();
        if (range.StartsWith("bytes=", StringComparison.Ordinal) && range.EndsWith('-'))
        {
            start = long.Parse(range["bytes=".Length..^1], System.Globalization.CultureInfo.InvariantCulture);
            context.Response.StatusCode = StatusCodes.Status206PartialContent;
            context.Response.Headers.ContentRange = $"bytes {start}-{bytes.Length - 1}/{bytes.Length}";
        }

        context.Response.ContentLength = bytes.Length - start;
        if (cdn && TruncatedResponses > 0)
        {
            TruncatedResponses--;
            int half = (int)((bytes.Length - start) / 2);
            await context.Response.Body.WriteAsync(bytes.AsMemory((int)start, half));
            await context.Response.Body.FlushAsync();
            context.Abort();
            return;
        }

        await context.Response.Body.WriteAsync(bytes.AsMemory((int)start));
    }
}
