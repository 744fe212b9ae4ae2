using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Embeddings.Onnx.Tests.Download;

/// <summary>Where the downloader may write and whom it sends the token to, against real servers on 127.0.0.1.</summary>
public sealed class HuggingFaceDownloaderSafetyTests
{
    private const string Token = "hf_secret_token_0123456789";

    [Theory]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("main/..")]
    [InlineData("../other--repo/main")]
    [InlineData("a\\b")]
    [InlineData("/abs")]
    [InlineData("a//b")]
    public void A_revision_that_is_not_a_plain_name_is_refused(string revision)
    {
        var ex = Assert.Throws<ArgumentException>(() => new HuggingFaceDownloader(new ModelDownloadOptions { Revision = revision, CacheDirectory = Path.GetTempPath() }));

        Assert.Contains(revision, ex.Message, StringComparison.Ordinal);
        Assert.Contains("Revision", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("main")]
    [InlineData("v1.0")]
    [InlineData("refs/pr/1")]
    [InlineData("0123456789abcdef0123456789abcdef01234567")]
    public void Branches_tags_and_commits_are_accepted(string revision)
    {
        using var cache = new TempFolder();
        var downloader = new HuggingFaceDownloader(new ModelDownloadOptions { Revision = revision, CacheDirectory = cache.Path });

        string folder = downloader.GetCacheFolder("owner/name");

        Assert.StartsWith(Path.Combine(cache.Path, "owner--name") + Path.DirectorySeparatorChar, folder, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("../escape.onnx")]
    [InlineData("onnx/../../x")]
    [InlineData("./model.onnx")]
    [InlineData("/etc/passwd")]
    [InlineData("onnx\\model.onnx")]
    public void A_file_name_that_is_not_a_plain_relative_path_is_refused(string file)
    {
        var downloader = new HuggingFaceDownloader(new ModelDownloadOptions { CacheDirectory = Path.GetTempPath() });

        var ex = Assert.Throws<ArgumentException>(() => downloader.FileUrl("owner/name", file));

        Assert.Contains(file, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_symlinked_partial_file_is_refused_and_its_target_left_untouched()
    {
        await using MiniHub hub = await MiniHub.StartAsync();
        using var cache = new TempFolder();
        using var outside = new TempFolder();
        var options = new ModelDownloadOptions { Endpoint = hub.Endpoint, CacheDirectory = cache.Path, Offline = false };
        string folder = new HuggingFaceDownloader(options).GetCacheFolder("owner/name");
        Directory.CreateDirectory(Path.Combine(folder, "onnx"));
        string victim = Path.Combine(outside.Path, "victim.txt");
        await File.WriteAllTextAsync(victim, "precious");
        File.CreateSymbolicLink(Path.Combine(folder, "onnx", "model.onnx.partial"), victim);

        var ex = await Assert.ThrowsAsync<UnauthorizedAccessException>(() => new HuggingFaceDownloader(options).DownloadAsync("owner/name"));

        Assert.Contains("model.onnx.partial", ex.Message, StringComparison.Ordinal);
        Assert.Contains("symbolic link", ex.Message, StringComparison.Ordinal);
        Assert.Equal("precious", await File.ReadAllTextAsync(victim));
    }

    [Fact]
    public async Task A_symlinked_target_file_is_refused_not_served()
    {
        await using MiniHub hub = await MiniHub.StartAsync();
        using var cache = new TempFolder();
        using var outside = new TempFolder();
        var options = new ModelDownloadOptions { Endpoint = hub.Endpoint, CacheDirectory = cache.Path, Offline = false };
        string folder = new HuggingFaceDownloader(options).GetCacheFolder("owner/name");
        Directory.CreateDirectory(Path.Combine(folder, "onnx"));
        string elsewhere = Path.Combine(outside.Path, "other.onnx");
        await File.WriteAllTextAsync(elsewhere, "not this model");
        File.CreateSymbolicLink(Path.Combine(folder, "onnx", "model.onnx"), elsewhere);

        var ex = await Assert.ThrowsAsync<UnauthorizedAccessException>(() => new HuggingFaceDownloader(options).DownloadAsync("owner/name"));

        Assert.Contains(Path.Combine("onnx", "model.onnx"), ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_token_is_not_sent_to_another_port_of_the_same_host()
    {
        await using MiniHub cdn = await MiniHub.StartAsync();
        await using MiniHub hub = await MiniHub.StartAsync(redirectTo: cdn.Endpoint);
        using var cache = new TempFolder();
        var options = new ModelDownloadOptions { Endpoint = hub.Endpoint, CacheDirectory = cache.Path, Offline = false, AccessToken = Token };

        string folder = await new HuggingFaceDownloader(options).DownloadAsync("owner/name");

        Assert.Equal("fake graph", await File.ReadAllTextAsync(Path.Combine(folder, "onnx", "model.onnx")));
        Assert.NotEmpty(cdn.Requests);
        Assert.All(cdn.Requests, r => Assert.Null(r.Authorization));
        Assert.Contains(hub.Requests, r => r.Authorization == $"Bearer {Token}");
    }

    /// <summary>
    /// Serves <c>onnx/model.onnx</c> and <c>vocab.txt</c> of any repository; with <c>redirectTo</c>, every request is
    /// answered with a 302 to the same path on that server (as the hub sends LFS files to its CDN).
    /// </summary>
    private sealed class MiniHub : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private MiniHub(WebApplication app) => _app = app;

        public Uri Endpoint { get; private set; } = null!;

        public ConcurrentQueue<(string Path, string? Authorization)> RequestQueue { get; } = new();

        public IReadOnlyList<(string Path, string? Authorization)> Requests => RequestQueue.ToArray();

        public static async Task<MiniHub> StartAsync(Uri? redirectTo = null)
        {
            WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
            WebApplication app = builder.Build();
            var hub = new MiniHub(app);
            app.Run(async context =>
            {
                string path = context.Request.Path.Value ?? string.Empty;
                hub.RequestQueue.Enqueue((path, context.Request.Headers.Authorization.FirstOrDefault()));
                if (redirectTo is not null)
                {
                    context.Response.StatusCode = StatusCodes.Status302Found;
                    context.Response.Headers.Location = new Uri(redirectTo, path).ToString();
                    return;
                }

                string? body = path.EndsWith("/onnx/model.onnx", StringComparison.Ordinal) ? "fake graph"
                    : path.EndsWith("/vocab.txt", StringComparison.Ordinal) ? "[PAD]\n[UNK]\n[CLS]\n[SEP]\n"
                    : null;
                if (body is null)
                {
                    context.Response.StatusCode = StatusCodes.Status404NotFound;
                    return;
                }

                await context.Response.WriteAsync(body);
            });
            await app.StartAsync();
            hub.Endpoint = new Uri(app.Urls.First());
            return hub;
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
