namespace Embeddings.Onnx;

/// <summary>How a Hugging Face model repository is downloaded into the local cache.</summary>
public sealed class ModelDownloadOptions
{
    /// <summary>The environment variable that sets the cache folder: <c>EMBEDDINGS_CACHE</c>.</summary>
    public const string CacheEnvironmentVariable = "EMBEDDINGS_CACHE";

    /// <summary>The environment variable that sets the endpoint, as in huggingface_hub: <c>HF_ENDPOINT</c>.</summary>
    public const string EndpointEnvironmentVariable = "HF_ENDPOINT";

    /// <summary>The environment variable that turns offline mode on when <c>1</c> or <c>true</c>, as in huggingface_hub: <c>HF_HUB_OFFLINE</c>.</summary>
    public const string OfflineEnvironmentVariable = "HF_HUB_OFFLINE";

    /// <summary>
    /// Gets or sets the revision (branch, tag or commit). Each <c>/</c>-separated part must start with a letter, digit or
    /// <c>_</c> and hold only letters, digits, <c>.</c>, <c>-</c> and <c>_</c>; <c>.</c>, <c>..</c> and <c>\</c> are refused,
    /// since the revision names a folder of the cache. Default: <c>main</c>.
    /// </summary>
    public string Revision { get; set; } = "main";

    /// <summary>
    /// Gets or sets the cache folder. Default: <see langword="null"/>: <c>EMBEDDINGS_CACHE</c>, else
    /// <c>embeddings/models</c> under the per-user cache folder (<c>XDG_CACHE_HOME</c>, <c>~/.cache</c>, or local
    /// application data on Windows).
    /// </summary>
    public string? CacheDirectory { get; set; }

    /// <summary>Gets or sets the server, for mirrors. Default: <see langword="null"/>: <c>HF_ENDPOINT</c>, else <c>https://huggingface.co</c>.</summary>
    public Uri? Endpoint { get; set; }

    /// <summary>
    /// Gets or sets offline mode: only the cache is read and the network is never touched. Default: <see langword="null"/>:
    /// on when <c>HF_HUB_OFFLINE</c> is <c>1</c> or <c>true</c>.
    /// </summary>
    public bool? Offline { get; set; }

    /// <summary>
    /// Gets the expected SHA-256 (lower-case hex) of files, by path in the repository (for example <c>onnx/model.onnx</c>).
    /// Default: empty. Without an entry, the hash the server announces for large files (<c>X-Linked-Etag</c> or a
    /// 64-hex-digit <c>ETag</c>) is checked.
    /// </summary>
    public IDictionary<string, string> ExpectedSha256 { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Gets or sets how many times one file is attempted, each attempt resuming what the last one left. Default: 3.</summary>
    public int MaxAttempts { get; set; } = 3;

    /// <summary>Gets or sets the HTTP client. Default: <see langword="null"/>: a client created (and disposed) per download, which does not follow redirects itself.</summary>
    /// <remarks>A client given here should not follow redirects itself (<c>AllowAutoRedirect = false</c>), so the announced hashes of redirected files are seen.</remarks>
    public HttpClient? HttpClient { get; set; }

    /// <summary>Gets or sets where download progress goes. Default: <see langword="null"/>, none.</summary>
    public IProgress<ModelDownloadProgress>? Progress { get; set; }

    /// <summary>
    /// Gets or sets the access token sent as <c>Authorization: Bearer</c> for gated models, only to the origin (scheme, host
    /// and port) of <see cref="Endpoint"/>: a redirect elsewhere, a CDN or another port of the same host, is followed without
    /// it. Default: <see langword="null"/>: <c>HF_TOKEN</c> when set.
    /// </summary>
    public string? AccessToken { get; set; }

    internal bool ResolveOffline()
    {
        if (Offline is bool offline)
        {
            return offline;
        }

        string? value = Environment.GetEnvironmentVariable(OfflineEnvironmentVariable);
        return value is not null && (value == "1" || value.Equals("true", StringComparison.OrdinalIgnoreCase) || value.Equals("yes", StringComparison.OrdinalIgnoreCase));
    }

    internal Uri ResolveEndpoint()
    {
        if (Endpoint is not null)
        {
            return Endpoint;
        }

        string? value = Environment.GetEnvironmentVariable(EndpointEnvironmentVariable);
        return string.IsNullOrWhiteSpace(value) ? new Uri("https://huggingface.co") : new Uri(value, UriKind.Absolute);
    }

    internal string ResolveCacheDirectory()
    {
        if (!string.IsNullOrWhiteSpace(CacheDirectory))
        {
            return Path.GetFullPath(CacheDirectory);
        }

        string? value = Environment.GetEnvironmentVariable(CacheEnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(value))
        {
            return Path.GetFullPath(value);
        }

        string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        string root = !string.IsNullOrWhiteSpace(xdg)
            ? xdg
            : OperatingSystem.IsWindows()
                ? Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData)
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(root, "embeddings", "models");
    }

    // A copy for one container with another revision; the pinned hashes and the client are shared, as set.
    internal ModelDownloadOptions WithRevision(string revision)
    {
        var copy = (ModelDownloadOptions)MemberwiseClone();
        copy.Revision = revision;
        return copy;
    }
}
