using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace Embeddings.Onnx;

/// <summary>
/// Downloads the files of a sentence-transformers model from a Hugging Face repository (or a mirror with the
/// same <c>{endpoint}/{repo}/resolve/{revision}/{file}</c> layout) into a local cache folder.
/// </summary>
/// <remarks>
/// Each file goes to <c>{file}.partial</c> and is renamed when complete and verified, so the cache never holds a
/// half-written file under its real name. An interrupted download resumes from the partial file with an HTTP
/// <c>Range</c> request. SHA-256 is checked against <see cref="ModelDownloadOptions.ExpectedSha256"/> or, for large
/// (LFS) files, the hash the server announces in <c>X-Linked-Etag</c> / <c>ETag</c>. In offline mode only the cache
/// is read. A cached model folder is used without touching the network.
/// </remarks>
internal sealed partial class HuggingFaceDownloader
{
    private const string CompleteMarker = ".complete";
    private const int MaxRedirects = 10;

    private static readonly string[] ModelFiles = ["onnx/model.onnx", "model.onnx"];

    private static readonly string[] OptionalFiles =
    [
        "vocab.txt", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "config.json", "modules.json",
        "sentence_bert_config.json", "config_sentence_transformers.json", "1_Pooling/config.json",
    ];

    private readonly ModelDownloadOptions _options;

    /// <summary>Creates a downloader.</summary>
    /// <param name="options">The download settings; <see langword="null"/> for the defaults.</param>
    public HuggingFaceDownloader(ModelDownloadOptions? options = null)
    {
        _options = options ?? new ModelDownloadOptions();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(_options.MaxAttempts, nameof(options));
        ArgumentException.ThrowIfNullOrWhiteSpace(_options.Revision, nameof(options));
        if (!IsRelativeName(_options.Revision))
        {
            // The revision names a folder of the cache: '.', '..' or a separator would put one repository's files where
            // another's (or the cache root) belongs.
            throw new ArgumentException(
                $"ModelDownloadOptions.Revision '{_options.Revision}' is not a branch, tag or commit name: each '/'-separated part must start with a letter, digit or '_' and hold only letters, digits, '.', '-' and '_' ('.', '..' and '\\' are refused).",
                nameof(options));
        }
    }

    /// <summary>Tells whether <paramref name="text"/> looks like a Hugging Face repository id (<c>owner/name</c>).</summary>
    /// <param name="text">The text.</param>
    /// <returns><see langword="true"/> for <c>owner/name</c> made of letters, digits, <c>-</c>, <c>_</c> and <c>.</c>.</returns>
    public static bool IsRepositoryId(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return RepositoryIdPattern().IsMatch(text) && !text.Contains("..", StringComparison.Ordinal);
    }

    /// <summary>Gets the cache folder the files of <paramref name="repositoryId"/> at the configured revision go to.</summary>
    /// <param name="repositoryId">The repository id, for example <c>BAAI/bge-small-en-v1.5</c>.</param>
    /// <returns>The absolute folder path (it may not exist yet).</returns>
    public string GetCacheFolder(string repositoryId)
    {
        CheckRepositoryId(repositoryId);
        string revision = _options.Revision.Replace('/', '-');
        return Path.Combine(_options.ResolveCacheDirectory(), repositoryId.Replace("/", "--", StringComparison.Ordinal), revision);
    }

    /// <summary>Makes sure the model's files are in the cache, downloading what is missing, and returns the folder.</summary>
    /// <param name="repositoryId">The repository id, for example <c>BAAI/bge-small-en-v1.5</c>.</param>
    /// <param name="cancellationToken">Cancels the download; the partial file stays for a later resume.</param>
    /// <returns>The model folder in the cache.</returns>
    /// <exception cref="FileNotFoundException">The repository has no ONNX model or tokenizer, or offline mode is on and the cache lacks them (the message names the path).</exception>
    /// <exception cref="InvalidDataException">A downloaded file's SHA-256 differs from the expected one.</exception>
    /// <exception cref="HttpRequestException">The server failed (the message names the URL and status).</exception>
    /// <exception cref="IOException">The transfer kept breaking off after <see cref="ModelDownloadOptions.MaxAttempts"/> attempts.</exception>
    /// <exception cref="UnauthorizedAccessException">A file, its <c>.partial</c> file or a folder on the way to it in the cache is a symbolic link.</exception>
    public async Task<string> DownloadAsync(string repositoryId, CancellationToken cancellationToken = default)
    {
        string folder = GetCacheFolder(repositoryId);
        if (File.Exists(Path.Combine(folder, CompleteMarker)))
        {
            return folder;
        }

        if (_options.ResolveOffline())
        {
            if (!ModelFiles.Any(f => File.Exists(Path.Combine(folder, f))))
            {
                string expected = Path.Combine(folder, ModelFiles[0]);
                throw new FileNotFoundException(
                    $"Offline mode is on ({ModelDownloadOptions.OfflineEnvironmentVariable} or ModelDownloadOptions.Offline) and '{repositoryId}' at revision '{_options.Revision}' is not in the cache: '{expected}' does not exist.",
                    expected);
            }

            return folder;
        }

        Directory.CreateDirectory(folder);
        HttpClient? owned = _options.HttpClient is null ? new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) : null;
        HttpClient client = _options.HttpClient ?? owned!;
        try
        {
            bool haveModel = false;
            foreach (string file in ModelFiles)
            {
                if (await FetchAsync(client, repositoryId, folder, file, cancellationToken).ConfigureAwait(false))
                {
                    haveModel = true;
                    break;
                }
            }

            if (!haveModel)
            {
                throw new FileNotFoundException(
                    $"'{repositoryId}' at revision '{_options.Revision}' has no ONNX export: neither {string.Join(" nor ", ModelFiles.Select(f => FileUrl(repositoryId, f).ToString()))} exists.",
                    Path.Combine(folder, ModelFiles[0]));
            }

            foreach (string file in OptionalFiles)
            {
                await FetchAsync(client, repositoryId, folder, file, cancellationToken).ConfigureAwait(false);
            }

            if (!File.Exists(Path.Combine(folder, "vocab.txt")) && !File.Exists(Path.Combine(folder, "tokenizer.json")))
            {
                throw new FileNotFoundException(
                    $"'{repositoryId}' at revision '{_options.Revision}' has neither vocab.txt nor tokenizer.json.", Path.Combine(folder, "vocab.txt"));
            }

            await File.WriteAllTextAsync(Path.Combine(folder, CompleteMarker), DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false);
            return folder;
        }
        finally
        {
            owned?.Dispose();
        }
    }

    /// <summary>Gets the URL of one file of a repository at the configured revision.</summary>
    /// <param name="repositoryId">The repository id.</param>
    /// <param name="file">The file's path in the repository, for example <c>onnx/model.onnx</c>.</param>
    /// <returns>The URL.</returns>
    public Uri FileUrl(string repositoryId, string file)
    {
        CheckRepositoryId(repositoryId);
        CheckFileName(file);
        string endpoint = _options.ResolveEndpoint().ToString().TrimEnd('/');
        return new Uri($"{endpoint}/{repositoryId}/resolve/{Uri.EscapeDataString(_options.Revision)}/{file}");
    }

    /// <summary>Downloads one file unless it is cached. Returns <see langword="false"/> when the server does not have it.</summary>
    private async Task<bool> FetchAsync(HttpClient client, string repositoryId, string folder, string file, CancellationToken cancellationToken)
    {
        CheckFileName(file);
        string target = Path.Combine(folder, file.Replace('/', Path.DirectorySeparatorChar));
        RefuseLinks(folder, target);
        if (File.Exists(target))
        {
            return true;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        RefuseLinks(folder, target);
        Uri url = FileUrl(repositoryId, file);
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return await AttemptAsync(client, url, file, target, cancellationToken).ConfigureAwait(false);
            }
            catch (IOException ex) when (attempt < _options.MaxAttempts && !cancellationToken.IsCancellationRequested && ex is not FileNotFoundException)
            {
                // The partial file keeps what arrived; the next attempt asks for the rest.
            }
            catch (IOException ex) when (ex is not FileNotFoundException && !cancellationToken.IsCancellationRequested)
            {
                throw new IOException(
                    $"Downloading '{url}' to '{target}' broke off {attempt} times; the last error: {ex.Message} The partial file '{target}.partial' is kept and the next download resumes it.",
                    ex);
            }
        }
    }

    private async Task<bool> AttemptAsync(HttpClient client, Uri url, string file, string target, CancellationToken cancellationToken)
    {
        string partial = target + ".partial";
        RefuseLink(partial);
        long existing = File.Exists(partial) ? new FileInfo(partial).Length : 0;
        (HttpResponseMessage response, string? announcedHash) = await SendAsync(client, url, existing, cancellationToken).ConfigureAwait(false);
        using (response)
        {
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                return false;
            }

            if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
            {
                // The partial file is not a prefix of what the server has now: start over.
                File.Delete(partial);
                throw new IOException($"The server refused to resume '{url}' at byte {existing}.");
            }

            if (!response.IsSuccessStatusCode)
            {
                throw new HttpRequestException(
                    $"Downloading '{url}' failed: HTTP {(int)response.StatusCode} {response.ReasonPhrase}.", inner: null, response.StatusCode);
            }

            bool resumed = response.StatusCode == HttpStatusCode.PartialContent;
            if (!resumed)
            {
                existing = 0;
            }

            long? total = response.Content.Headers.ContentLength is long length ? existing + length : null;
            await using (var output = new FileStream(partial, resumed ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                await using Stream input = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
                byte[] buffer = new byte[1 << 16];
                long received = existing;
                int read;
                while ((read = await input.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                    received += read;
                    _options.Progress?.Report(new ModelDownloadProgress(file, received, total));
                }

                if (total is long expectedLength && received != expectedLength)
                {
                    throw new IOException($"'{url}' ended after {received} of {expectedLength} bytes.");
                }
            }

            string? expected = _options.ExpectedSha256.TryGetValue(file, out string? configured) ? configured : announcedHash;
            if (expected is not null)
            {
                string actual = await HashAsync(partial, cancellationToken).ConfigureAwait(false);
                if (!string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase))
                {
                    File.Delete(partial);
                    throw new InvalidDataException(
                        $"'{url}' has SHA-256 {actual}, but {expected} was expected; the download was discarded. The file on the server, the mirror or the expected hash is wrong.");
                }
            }

            File.Move(partial, target, overwrite: true);
            return true;
        }
    }

    private async Task<(HttpResponseMessage Response, string? AnnouncedHash)> SendAsync(HttpClient client, Uri url, long offset, CancellationToken cancellationToken)
    {
        string? announced = null;
        string? token = _options.AccessToken ?? Environment.GetEnvironmentVariable("HF_TOKEN");
        Uri current = url;
        for (int hop = 0; ; hop++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, current);
            if (offset > 0)
            {
                request.Headers.Range = new RangeHeaderValue(offset, null);
            }

            // The token goes only to the origin it was configured for: a redirect to another scheme, host or port (a CDN,
            // or another service on the same host) gets no credentials.
            if (!string.IsNullOrEmpty(token) && Origin(current) == Origin(url))
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            }

            HttpResponseMessage response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            announced ??= Sha256FromHeaders(response);
            int status = (int)response.StatusCode;
            if (status is 301 or 302 or 303 or 307 or 308 && response.Headers.Location is Uri location)
            {
                response.Dispose();
                if (hop >= MaxRedirects)
                {
                    throw new HttpRequestException($"Downloading '{url}' was redirected more than {MaxRedirects} times.");
                }

                current = location.IsAbsoluteUri ? location : new Uri(current, location);
                continue;
            }

            return (response, announced);
        }
    }

    private static string? Sha256FromHeaders(HttpResponseMessage response)
    {
        string? value = response.Headers.TryGetValues("X-Linked-Etag", out IEnumerable<string>? linked)
            ? linked.FirstOrDefault()
            : response.Headers.ETag?.Tag;
        if (value is null)
        {
            return null;
        }

        value = value.Trim();
        if (value.StartsWith("W/", StringComparison.Ordinal))
        {
            value = value[2..];
        }

        value = value.Trim('"');
        return Sha256Pattern().IsMatch(value) ? value.ToLowerInvariant() : null;
    }

    private static async Task<string> HashAsync(string path, CancellationToken cancellationToken)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        byte[] hash = await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false);
        return Convert.ToHexString(hash).ToLowerInvariant();
    }

    private static string Origin(Uri uri) => uri.GetComponents(UriComponents.SchemeAndServer | UriComponents.Port, UriFormat.UriEscaped).ToLowerInvariant();

    /// <summary>Tells whether <paramref name="name"/> is a relative '/'-separated name whose every part is a plain file or folder name.</summary>
    private static bool IsRelativeName(string name) =>
        name.Split('/').All(part => NamePartPattern().IsMatch(part) && !part.Contains("..", StringComparison.Ordinal));

    private static void CheckFileName(string file)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(file);
        if (!IsRelativeName(file))
        {
            throw new ArgumentException(
                $"'{file}' is not a file of a repository: each '/'-separated part must start with a letter, digit or '_' and hold only letters, digits, '.', '-' and '_'.",
                nameof(file));
        }
    }

    /// <summary>Refuses a symbolic link at <paramref name="target"/>, its partial file, or any folder between the model folder and it.</summary>
    private static void RefuseLinks(string folder, string target)
    {
        RefuseLink(target);
        RefuseLink(target + ".partial");
        for (string? parent = Path.GetDirectoryName(target); parent is not null && parent.Length > folder.Length; parent = Path.GetDirectoryName(parent))
        {
            RefuseLink(parent);
        }
    }

    private static void RefuseLink(string path)
    {
        // A link would make the download write (or append) through it to a file outside the cache, or serve one from there.
        FileSystemInfo info = Directory.Exists(path) ? new DirectoryInfo(path) : new FileInfo(path);
        if (info.Exists && info.LinkTarget is string linkTarget)
        {
            throw new UnauthorizedAccessException(
                $"'{path}' in the model cache is a symbolic link (to '{linkTarget}'); the downloader neither writes through nor reads links. Delete it and download again.");
        }
    }

    private static void CheckRepositoryId(string repositoryId)
    {
        ArgumentNullException.ThrowIfNull(repositoryId);
        if (!IsRepositoryId(repositoryId))
        {
            throw new ArgumentException($"'{repositoryId}' is not a Hugging Face repository id (owner/name).", nameof(repositoryId));
        }
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9._-]+$")]
    private static partial Regex RepositoryIdPattern();

    [GeneratedRegex("^[A-Za-z0-9_][A-Za-z0-9._-]*$")]
    private static partial Regex NamePartPattern();

    [GeneratedRegex("^[0-9a-fA-F]{64}$")]
    private static partial Regex Sha256Pattern();
}
