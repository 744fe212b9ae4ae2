using Embeddings.Testing;
namespace Embeddings.Onnx.Tests.Download;

/// <summary>The downloader against a real HTTP server on 127.0.0.1 serving the tiny model in the hub's URL layout.</summary>
public sealed class HuggingFaceDownloaderTests
{
    private const string Repository = "test-org/bert-tiny-random";

    [SharedFact("models/bert-tiny-random", "reference/bert-tiny-random.transformersjs.json", "reference/texts.json")]
    public async Task Downloads_follow_redirects_verify_the_announced_hash_and_load()
    {
        await using HubServer server = await HubServer.StartAsync((Repository, TinyModel.Folder));
        using var cache = new TempFolder();
        var progress = new List<ModelDownloadProgress>();
        var options = new OnnxEmbedderOptions { Download = Options(server, cache) };
        options.Download.Progress = new SynchronousProgress<ModelDownloadProgress>(progress.Add);

        using OnnxEmbedder downloaded = await OnnxEmbedder.LoadAsync(Repository, options);
        using OnnxEmbedder local = OnnxEmbedder.Load(TinyModel.Folder);

        string folder = new HuggingFaceDownloader(options.Download).GetCacheFolder(Repository);
        Assert.Equal(HubServer.Sha256Of(Path.Combine(TinyModel.Folder, "onnx", "model.onnx")), HubServer.Sha256Of(Path.Combine(folder, "onnx", "model.onnx")));
        Assert.Contains(server.Requests, r => r.StartsWith("GET /cdn/test-org/bert-tiny-random/onnx/model.onnx", StringComparison.Ordinal));
        Assert.Empty(Directory.GetFiles(folder, "*.partial", SearchOption.AllDirectories));
        Assert.Equal(Repository, downloaded.Descriptor.ModelId);
        Assert.Equal("main", downloaded.Descriptor.Revision);
        Assert.Contains(progress, p => p.File == "onnx/model.onnx" && p.BytesReceived == p.TotalBytes);

        var a = await downloaded.GenerateAsync(["The cat sat on the mat."]);
        var b = await local.GenerateAsync(["The cat sat on the mat."]);
        Assert.Equal(b[0].Vector.ToArray(), a[0].Vector.ToArray());

        int before = server.Requests.Count;
        using OnnxEmbedder cached = await OnnxEmbedder.LoadAsync(Repository, options);
        Assert.Equal(before, server.Requests.Count);
    }

    [SharedFact("models/bert-tiny-random", "reference/bert-tiny-random.transformersjs.json", "reference/texts.json")]
    public async Task A_repository_without_onnx_export_is_a_404_naming_the_urls()
    {
        await using HubServer server = await HubServer.StartAsync((Repository, TinyModel.Folder));
        using var cache = new TempFolder();
        var downloader = new HuggingFaceDownloader(Options(server, cache));
        var ex = await Assert.ThrowsAsync<FileNotFoundException>(() => downloader.DownloadAsync("test-org/missing-model"));
        Assert.Contains($"{server.Endpoint.ToString().TrimEnd('/')}/test-org/missing-model/resolve/main/onnx/model.onnx", ex.Message, StringComparison.Ordinal);
        Assert.Contains("/test-org/missing-model/resolve/main/model.onnx", ex.Message, StringComparison.Ordinal);
    }

    [SharedFact("models/bert-tiny-random", "reference/bert-tiny-random.transformersjs.json", "reference/texts.json")]
    public async Task A_flat_model_onnx_is_found_when_onnx_folder_is_missing()
    {
        using var flat = new TempFolder();
        File.Copy(Path.Combine(TinyModel.Folder, "onnx", "model.onnx"), Path.Combine(flat.Path, "model.onnx"));
        foreach (string name in new[] { "vocab.txt", "tokenizer_config.json", "config.json" })
        {
            File.Copy(Path.Combine(TinyModel.Folder, name), Path.Combine(flat.Path, name));
        }

        await using HubServer server = await HubServer.StartAsync(("test-org/flat", flat.Path));
        using var cache = new TempFolder();
        string folder = await new HuggingFaceDownloader(Options(server, cache)).DownloadAsync("test-org/flat");
        Assert.True(File.Exists(Path.Combine(folder, "model.onnx")));
        Assert.False(File.Exists(Path.Combine(folder, "modules.json")));
    }

    [SharedFact("models/bert-tiny-random", "reference/bert-tiny-random.transformersjs.json", "reference/texts.json")]
    public async Task A_truncated_body_is_resumed_with_a_range_request()
    {
        await using HubServer server = await HubServer.StartAsync((Repository, TinyModel.Folder));
        server.TruncatedResponses = 1;
        using var cache = new TempFolder();
        string folder = await new HuggingFaceDownloader(Options(server, cache)).DownloadAsync(Repository);

        Assert.Equal(HubServer.Sha256Of(Path.Combine(TinyModel.Folder, "onnx", "model.onnx")), HubServer.Sha256Of(Path.Combine(folder, "onnx", "model.onnx")));
        Assert.Contains(server.Requests, r => r.StartsWith("GET /cdn/test-org/bert-tiny-random/onnx/model.onnx bytes=", StringComparison.Ordinal));
    }

    [SharedFact("models/bert-tiny-random", "reference/bert-tiny-random.transformersjs.json", "reference/texts.json")]
    public async Task An_interrupted_download_keeps_its_partial_file_and_the_next_call_resumes_it()
    {
        await using HubServer server = await HubServer.StartAsync((Repository, TinyModel.Folder));
        server.TruncatedResponses = 1;
        using var cache = new TempFolder();
        ModelDownloadOptions options = Options(server, cache);
        options.MaxAttempts = 1;
        var downloader = new HuggingFaceDownloader(options);
        string target = Path.Combine(downloader.GetCacheFolder(Repository), "onnx", "model.onnx");

        var ex = await Assert.ThrowsAsync<IOException>(() => downloader.DownloadAsync(Repository));
        Assert.Contains(target, ex.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(target));
        long kept = new FileInfo(target + ".partial").Length;
        Assert.InRange(kept, 1, new FileInfo(Path.Combine(TinyModel.Folder, "onnx", "model.onnx")).Length - 1);

        await downloader.DownloadAsync(Repository);
        Assert.Contains(server.Requests, r => r.EndsWith($"bytes={kept}-", StringComparison.Ordinal));
        Assert.Equal(HubServer.Sha256Of(Path.Combine(TinyModel.Folder, "onnx", "model.onnx")), HubServer.Sha256Of(target));
    }

    [SharedFact("models/bert-tiny-random", "reference/bert-tiny-random.transformersjs.json", "reference/texts.json")]
    public async Task A_wrong_announced_hash_discards_the_download()
    {
        await using HubServer server = await HubServer.StartAsync((Repository, TinyModel.Folder));
        server.AnnouncedSha256 = new string('a', 64);
        using var cache = new TempFolder();
        var downloader = new HuggingFaceDownloader(Options(server, cache));
        string target = Path.Combine(downloader.GetCacheFolder(Repository), "onnx", "model.onnx");

        var ex = await Assert.ThrowsAsync<InvalidDataException>(() => downloader.DownloadAsync(Repository));
        Assert.Contains(new string('a', 64), ex.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(target));
        Assert.False(File.Exists(target + ".partial"));
    }

    [SharedFact("models/bert-tiny-random", "reference/bert-tiny-random.transformersjs.json", "reference/texts.json")]
    public async Task A_wrong_configured_hash_discards_the_download()
    {
        await using HubServer server = await HubServer.StartAsync((Repository, TinyModel.Folder));
        using var cache = new TempFolder();
        ModelDownloadOptions options = Options(server, cache);
        options.ExpectedSha256["vocab.txt"] = new string('0', 64);
        var ex = await Assert.ThrowsAsync<InvalidDataException>(() => new HuggingFaceDownloader(options).DownloadAsync(Repository));
        Assert.Contains("vocab.txt", ex.Message, StringComparison.Ordinal);
    }

    [SharedFact("models/bert-tiny-random", "reference/bert-tiny-random.transformersjs.json", "reference/texts.json")]
    public async Task Offline_mode_never_touches_the_network()
    {
        await using HubServer server = await HubServer.StartAsync((Repository, TinyModel.Folder));
        using var cache = new TempFolder();
        ModelDownloadOptions options = Options(server, cache);
        options.Offline = true;
        var ex = await Assert.ThrowsAsync<FileNotFoundException>(() => new HuggingFaceDownloader(options).DownloadAsync(Repository));
        Assert.Contains("Offline", ex.Message, StringComparison.Ordinal);
        Assert.Empty(server.Requests);

        options.Offline = false;
        await new HuggingFaceDownloader(options).DownloadAsync(Repository);
        int online = server.Requests.Count;
        options.Offline = true;
        using OnnxEmbedder embedder = await OnnxEmbedder.LoadAsync(Repository, new OnnxEmbedderOptions { Download = options });
        Assert.Equal(online, server.Requests.Count);
    }

    [SharedFact("models/bert-tiny-random", "reference/bert-tiny-random.transformersjs.json", "reference/texts.json")]
    public void Environment_variables_set_offline_mode_cache_and_endpoint()
    {
        string? offline = Environment.GetEnvironmentVariable(ModelDownloadOptions.OfflineEnvironmentVariable);
        string? cache = Environment.GetEnvironmentVariable(ModelDownloadOptions.CacheEnvironmentVariable);
        string? endpoint = Environment.GetEnvironmentVariable(ModelDownloadOptions.EndpointEnvironmentVariable);
        try
        {
            Environment.SetEnvironmentVariable(ModelDownloadOptions.OfflineEnvironmentVariable, "1");
            Environment.SetEnvironmentVariable(ModelDownloadOptions.CacheEnvironmentVariable, "/tmp/embeddings-cache-test");
            Environment.SetEnvironmentVariable(ModelDownloadOptions.EndpointEnvironmentVariable, "http://127.0.0.1:9/mirror");
            var defaults = new ModelDownloadOptions();
            Assert.True(defaults.ResolveOffline());
            Assert.False(new ModelDownloadOptions { Offline = false }.ResolveOffline());
            var downloader = new HuggingFaceDownloader(defaults);
            Assert.Equal(Path.Combine("/tmp/embeddings-cache-test", "BAAI--bge-small-en-v1.5", "main"), downloader.GetCacheFolder("BAAI/bge-small-en-v1.5"));
            Assert.Equal("http://127.0.0.1:9/mirror/BAAI/bge-small-en-v1.5/resolve/main/onnx/model.onnx", downloader.FileUrl("BAAI/bge-small-en-v1.5", "onnx/model.onnx").ToString());
        }
        finally
        {
            Environment.SetEnvironmentVariable(ModelDownloadOptions.OfflineEnvironmentVariable, offline);
            Environment.SetEnvironmentVariable(ModelDownloadOptions.CacheEnvironmentVariable, cache);
            Environment.SetEnvironmentVariable(ModelDownloadOptions.EndpointEnvironmentVariable, endpoint);
        }
    }

    [SharedTheory("models/bert-tiny-random", "reference/bert-tiny-random.transformersjs.json", "reference/texts.json")]
    [InlineData("BAAI/bge-small-en-v1.5", true)]
    [InlineData("sentence-transformers/all-MiniLM-L6-v2", true)]
    [InlineData("../models/x", false)]
    [InlineData("/abs/path", false)]
    [InlineData("a/b/c", false)]
    [InlineData("owner/..", false)]
    public void Repository_ids_are_told_from_paths(string text, bool expected) =>
        Assert.Equal(expected, HuggingFaceDownloader.IsRepositoryId(text));

    private static ModelDownloadOptions Options(HubServer server, TempFolder cache) => new()
    {
        Endpoint = server.Endpoint,
        CacheDirectory = cache.Path,
        Offline = false,
    };

    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value)
        {
            lock (this)
            {
                report(value);
            }
        }
    }
}
