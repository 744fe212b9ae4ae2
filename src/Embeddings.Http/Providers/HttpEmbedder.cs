using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Embeddings.Http;

/// <summary>
/// An embedder that calls an OpenAI-compatible <c>/embeddings</c> endpoint (OpenAI, Azure OpenAI, Text Embeddings
/// Inference's <c>/v1</c> route, Ollama, LiteLLM) or TEI's native <c>/embed</c>. Calls are split into requests that
/// respect the endpoint's inputs-per-request and token limits; vectors are placed back by their <c>index</c>.
/// </summary>
/// <remarks>
/// <para>
/// The embedder does not retry: compose it with the Embeddings.Pipeline middleware (<c>UseRetry</c>, caches) for that.
/// Each request is bounded by <see cref="HttpEmbedderOptions.RequestTimeout"/> (a <see cref="TimeoutException"/>) and its
/// body by <see cref="HttpEmbedderOptions.MaxResponseBytes"/>. Failures surface as <see cref="EmbeddingHttpException"/> (an
/// error status, a redirect, or an invalid body: malformed, wrong length, a value that is not a finite float32) or as the
/// <see cref="HttpRequestException"/> of a connection failure.
/// </para>
/// <para>
/// The key goes only to the origin (scheme, host, port) of the endpoint. Redirects are never followed: the client built by
/// <see cref="HttpEmbedder(HttpEmbedderOptions)"/> and the one registered by <c>UseHttpEmbedder</c> do not follow them, a
/// 3xx answer is an error naming its target, and a call whose client did follow one to another origin fails. A client
/// passed in should be built with <c>AllowAutoRedirect = false</c>, since a handler that follows redirects itself would
/// already have carried the Azure <c>api-key</c> header to the new address. Exception messages never hold the key or the
/// endpoint's user-info.
/// </para>
/// </remarks>
public sealed class HttpEmbedder : EmbedderBase
{
    private static readonly MediaTypeHeaderValue JsonMediaType = new("application/json") { CharSet = "utf-8" };
    private const int ErrorBodyBytes = 4096;
    private readonly HttpClient _httpClient;
    private readonly bool _ownsClient;
    private readonly HttpEmbedderOptions _options;
    private readonly System.Diagnostics.Metrics.Counter<long> _truncatedInputs;
    private readonly TimeSpan _timeout;
    private readonly string[] _secrets;
    private readonly Uri _requestUri;
    private readonly string? _apiKey;
    private readonly int _maxInputs;
    private readonly long _maxTokens;
    private readonly Func<string, int> _estimateTokens;

    /// <summary>Creates the embedder.</summary>
    /// <param name="httpClient">The client that sends requests (from <c>IHttpClientFactory</c> in applications); not disposed by the embedder.</param>
    /// <param name="options">The endpoint settings; read once, here.</param>
    /// <exception cref="ArgumentException">A setting is missing or invalid (the message names it).</exception>
    /// <exception cref="InvalidOperationException">An API key is required and neither the options nor <c>OPENAI_API_KEY</c> hold one.</exception>
    public HttpEmbedder(HttpClient httpClient, HttpEmbedderOptions options)
        : this(httpClient ?? throw new ArgumentNullException(nameof(httpClient)), options, ownsClient: false)
    {
    }

    /// <summary>Creates the embedder with a client of its own, which does not follow redirects and is disposed with the embedder.</summary>
    /// <param name="options">The endpoint settings; read once, here.</param>
    /// <exception cref="ArgumentException">A setting is missing or invalid (the message names it).</exception>
    /// <exception cref="InvalidOperationException">An API key is required and neither the options nor <c>OPENAI_API_KEY</c> hold one.</exception>
    public HttpEmbedder(HttpEmbedderOptions options)
        : this(CreateHttpClient(), options, ownsClient: true)
    {
    }

    private HttpEmbedder(HttpClient httpClient, HttpEmbedderOptions options, bool ownsClient)
        : base(Describe(options, httpClient, ownsClient))
    {
        _httpClient = httpClient;
        _ownsClient = ownsClient;
        _options = options;
        _truncatedInputs = HttpEmbedderMetrics.TruncatedInputs(options.MeterFactory);
        _requestUri = BuildRequestUri(options);
        try
        {
            _apiKey = ResolveApiKey(options);
        }
        catch when (ownsClient)
        {
            httpClient.Dispose();
            throw;
        }

        _timeout = options.RequestTimeout;
        if (_timeout != Timeout.InfiniteTimeSpan)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(_timeout, TimeSpan.Zero, "options.RequestTimeout");
        }

        if (options.MaxResponseBytes is long limit)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit, "options.MaxResponseBytes");
        }

        string userInfo = Uri.UnescapeDataString(options.Endpoint.UserInfo);
        _secrets = new[] { _apiKey, userInfo, userInfo.Contains(':', StringComparison.Ordinal) ? userInfo[(userInfo.IndexOf(':', StringComparison.Ordinal) + 1)..] : null }
            .Where(secret => !string.IsNullOrEmpty(secret))
            .Select(secret => secret!)
            .OrderByDescending(secret => secret.Length)
            .ToArray();
        bool native = options.Api == HttpEmbeddingApi.TeiNative;
        _maxInputs = options.MaxInputsPerRequest ?? (native ? 32 : 2048);
        _maxTokens = options.MaxTokensPerRequest ?? (native ? 16_384 : 300_000);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(_maxInputs, "options.MaxInputsPerRequest");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(_maxTokens, "options.MaxTokensPerRequest");
        _estimateTokens = options.TokenEstimator ?? RequestPlanner.EstimateTokens;
    }

    /// <summary>Gets the address requests are sent to (without the endpoint's user-info, which is never sent).</summary>
    public Uri RequestUri => _requestUri;

    /// <summary>Creates the kind of client the embedder needs: it does not follow redirects, so credentials stay with the endpoint's origin.</summary>
    /// <returns>A new client; the caller disposes it.</returns>
    public static HttpClient CreateHttpClient() =>
        new(new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) });

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing && _ownsClient)
        {
            _httpClient.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <inheritdoc />
    protected override async Task<GeneratedEmbeddings<Embedding<float>>> GenerateCoreAsync(
        IReadOnlyList<string> inputs,
        EmbeddingGenerationOptions? options,
        CancellationToken cancellationToken)
    {
        bool native = _options.Api == HttpEmbeddingApi.TeiNative;
        int? sentDimensions = !native && options?.Dimensions is int d && d != Dimensions ? d : null;
        int expected = sentDimensions ?? Dimensions;
        IReadOnlyList<string> texts = native ? inputs : TruncateForOpenAI(inputs);

        var tokens = new int[texts.Count];
        for (int i = 0; i < tokens.Length; i++)
        {
            tokens[i] = _estimateTokens(texts[i]);
        }

        if (native && _options.TruncateInputs && _options.MaxInputTokens is int limit)
        {
            int over = 0;
            foreach (int t in tokens)
            {
                over += t > limit ? 1 : 0;
            }

            if (over > 0)
            {
                _truncatedInputs.Add(over);
            }
        }

        var vectors = new float[texts.Count][];
        long? totalTokens = null;
        foreach ((int start, int count) in RequestPlanner.Plan(tokens, _maxInputs, _maxTokens))
        {
            // One request for the whole call (the usual case) reads straight into the result.
            bool whole = start == 0 && count == texts.Count;
            IReadOnlyList<string> slice = whole ? texts : Slice(texts, start, count);
            float[][] batch = whole ? vectors : new float[count][];
            long? used = await SendAsync(slice, sentDimensions, batch, expected, cancellationToken).ConfigureAwait(false);
            if (!whole)
            {
                Array.Copy(batch, 0, vectors, start, count);
            }

            if (used is long u)
            {
                totalTokens = (totalTokens ?? 0) + u;
            }
        }

        var result = new GeneratedEmbeddings<Embedding<float>>(vectors.Length);
        foreach (float[] vector in vectors)
        {
            result.Add(new Embedding<float>(vector) { ModelId = Descriptor.ModelId });
        }

        if (totalTokens is long total)
        {
            result.Usage = new UsageDetails { InputTokenCount = total, TotalTokenCount = total };
        }

        return result;
    }

    private async Task<long?> SendAsync(IReadOnlyList<string> texts, int? sentDimensions, float[][] destination, int expected, CancellationToken cancellationToken)
    {
        byte[] body = _options.Api == HttpEmbeddingApi.TeiNative
            ? JsonSerializer.SerializeToUtf8Bytes(
                new TeiEmbedRequest { Inputs = texts, Normalize = _options.Normalized, Truncate = _options.TruncateInputs },
                HttpEmbeddingJsonContext.Default.TeiEmbedRequest)
            : JsonSerializer.SerializeToUtf8Bytes(
                new OpenAIEmbeddingRequest
                {
                    Input = texts,
                    Model = _options.Model,
                    Dimensions = sentDimensions,
                    EncodingFormat = _options.Encoding == HttpEmbeddingEncoding.Base64 ? "base64" : null,
                },
                HttpEmbeddingJsonContext.Default.OpenAIEmbeddingRequest);

        using var request = new HttpRequestMessage(HttpMethod.Post, _requestUri);
        request.Content = new ByteArrayContent(body);
        request.Content.Headers.ContentType = JsonMediaType;
        if (_apiKey is not null)
        {
            if (_options.Api == HttpEmbeddingApi.AzureOpenAI)
            {
                request.Headers.Add("api-key", _apiKey);
            }
            else
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _apiKey);
            }
        }

        long limit = _options.MaxResponseBytes ?? (1L << 20) + (texts.Count * ((expected * 64L) + 1024));
        using CancellationTokenSource? timeout = _timeout == Timeout.InfiniteTimeSpan ? null : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout?.CancelAfter(_timeout);
        CancellationToken token = timeout?.Token ?? cancellationToken;
        byte[] payload;
        try
        {
            using HttpResponseMessage response = await _httpClient
                .SendAsync(request, HttpCompletionOption.ResponseHeadersRead, token)
                .ConfigureAwait(false);
            CheckNotRedirected(response);
            if (!response.IsSuccessStatusCode)
            {
                (byte[] start, _) = await ReadBodyAsync(response, ErrorBodyBytes, token).ConfigureAwait(false);
                throw StatusError(response, start);
            }

            (payload, bool complete) = await ReadBodyAsync(response, limit, token).ConfigureAwait(false);
            if (!complete)
            {
                throw new EmbeddingHttpException(
                    string.Create(CultureInfo.InvariantCulture, $"The embedding endpoint {_requestUri} returned an invalid response: the body is larger than {limit} bytes (HttpEmbedderOptions.MaxResponseBytes) for {texts.Count} vectors of {expected} dimensions; it was abandoned unread."),
                    _requestUri,
                    response.StatusCode,
                    HttpRequestError.InvalidResponse);
            }
        }
        catch (OperationCanceledException ex) when (timeout is not null && timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException(
                string.Create(CultureInfo.InvariantCulture, $"The embedding endpoint {_requestUri} did not answer within {_timeout.TotalSeconds:0.###} s (HttpEmbedderOptions.RequestTimeout)."),
                ex);
        }

        if (_options.Api == HttpEmbeddingApi.TeiNative)
        {
            EmbeddingResponseReader.ReadTei(payload, destination, expected, _requestUri);
            return null;
        }

        return EmbeddingResponseReader.ReadOpenAI(payload, destination, expected, _requestUri);
    }

    /// <summary>Reads at most <paramref name="limit"/> bytes of the body; <c>Complete</c> is false when more was there.</summary>
    private static async Task<(byte[] Body, bool Complete)> ReadBodyAsync(HttpResponseMessage response, long limit, CancellationToken cancellationToken)
    {
        long? announced = response.Content.Headers.ContentLength;
        if (announced > limit)
        {
            return ([], false);
        }

        await using Stream stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        int capacity = (int)Math.Min(announced ?? 16 * 1024, Math.Min(limit, Array.MaxLength - 1)) + 1;
        byte[] buffer = new byte[Math.Max(capacity, 1)];
        long length = 0;
        while (true)
        {
            if (length == buffer.Length)
            {
                if (buffer.Length >= Array.MaxLength)
                {
                    return (buffer, false);
                }

                Array.Resize(ref buffer, (int)Math.Min((long)buffer.Length * 2, Math.Min(limit + 1, Array.MaxLength)));
            }

            int read = await stream.ReadAsync(buffer.AsMemory((int)length), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            length += read;
            if (length > limit)
            {
                return (buffer.AsSpan(0, (int)limit).ToArray(), false);
            }
        }

        return (length == buffer.Length ? buffer : buffer.AsSpan(0, (int)length).ToArray(), true);
    }

    private void CheckNotRedirected(HttpResponseMessage response)
    {
        int status = (int)response.StatusCode;
        if (status is >= 300 and < 400)
        {
            string target = response.Headers.Location is Uri location
                ? Redact(WithoutUserInfo(location.IsAbsoluteUri ? location : new Uri(_requestUri, location)).ToString())
                : "(no Location header)";
            throw new EmbeddingHttpException(
                string.Create(CultureInfo.InvariantCulture, $"The embedding endpoint {_requestUri} answered {status} {response.ReasonPhrase}, a redirect to {target}. Redirects are not followed, so that the API key is only ever sent to {Origin(_requestUri)}; set HttpEmbedderOptions.Endpoint to the address that answers."),
                _requestUri,
                response.StatusCode,
                HttpRequestError.Unknown);
        }

        if (response.RequestMessage?.RequestUri is Uri final && Origin(final) != Origin(_requestUri))
        {
            throw new EmbeddingHttpException(
                $"The HttpClient given to HttpEmbedder followed a redirect from {_requestUri} to {Redact(WithoutUserInfo(final).ToString())}, another origin, and may have sent the API key there. Give HttpEmbedder a client built with AllowAutoRedirect = false (HttpEmbedder.CreateHttpClient, the HttpEmbedder(options) constructor and UseHttpEmbedder do), and set HttpEmbedderOptions.Endpoint to the address that answers.",
                _requestUri,
                response.StatusCode,
                HttpRequestError.Unknown);
        }
    }

    private static string Origin(Uri uri) => uri.GetComponents(UriComponents.SchemeAndServer | UriComponents.Port, UriFormat.UriEscaped).ToLowerInvariant();

    private static Uri WithoutUserInfo(Uri uri) =>
        uri.UserInfo.Length == 0 ? uri : new UriBuilder(uri) { UserName = string.Empty, Password = string.Empty }.Uri;

    /// <summary>Replaces the key and the endpoint's user-info wherever they appear (a 401 body often echoes the key).</summary>
    private string Redact(string text)
    {
        foreach (string secret in _secrets)
        {
            text = text.Replace(secret, "***", StringComparison.Ordinal);
        }

        return text;
    }

    private EmbeddingHttpException StatusError(HttpResponseMessage response, byte[] payload)
    {
        string body = System.Text.Encoding.UTF8.GetString(payload);
        string snippet = Redact(body.Length > 1000 ? body[..1000] : body);
        string? retryAfter = response.Headers.TryGetValues("Retry-After", out IEnumerable<string>? values) ? values.FirstOrDefault() : null;
        int status = (int)response.StatusCode;
        string hint = status switch
        {
            401 or 403 => " Check the API key (options.ApiKey or OPENAI_API_KEY) and its permissions.",
            404 => " Check the endpoint address and the model or deployment name.",
            429 => retryAfter is null ? " The endpoint is rate limiting." : $" The endpoint is rate limiting; Retry-After: {retryAfter}.",
            _ => string.Empty,
        };
        return new EmbeddingHttpException(
            string.Create(CultureInfo.InvariantCulture, $"The embedding endpoint {_requestUri} answered {status} {response.ReasonPhrase}.{hint} Body: {snippet}"),
            _requestUri,
            response.StatusCode,
            HttpRequestError.Unknown,
            snippet,
            retryAfter);
    }

    private IReadOnlyList<string> TruncateForOpenAI(IReadOnlyList<string> inputs)
    {
        if (!_options.TruncateInputs || _options.MaxInputTokens is not int limit)
        {
            return inputs;
        }

        string[]? copy = null;
        for (int i = 0; i < inputs.Count; i++)
        {
            string cut = RequestPlanner.TruncateUtf8(inputs[i], limit);
            if (!ReferenceEquals(cut, inputs[i]))
            {
                copy ??= inputs.ToArray();
                copy[i] = cut;
                _truncatedInputs.Add(1);
            }
        }

        return copy ?? inputs;
    }

    private static string[] Slice(IReadOnlyList<string> texts, int start, int count)
    {
        var slice = new string[count];
        for (int i = 0; i < count; i++)
        {
            slice[i] = texts[start + i];
        }

        return slice;
    }

    private static EmbedderDescriptor Describe(HttpEmbedderOptions options, HttpClient client, bool ownsClient)
    {
        try
        {
            return Describe(options);
        }
        catch when (ownsClient)
        {
            client.Dispose();
            throw;
        }
    }

    private static EmbedderDescriptor Describe(HttpEmbedderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.Endpoint, "options.Endpoint");
        if (!options.Endpoint.IsAbsoluteUri)
        {
            throw new ArgumentException($"The embedding endpoint '{options.Endpoint}' must be an absolute http or https address.", nameof(options));
        }

        if (options.Dimensions <= 0)
        {
            throw new ArgumentException(
                $"HttpEmbedderOptions.Dimensions must be the endpoint's vector length (positive); it is {options.Dimensions}.", nameof(options));
        }

        if (options.Api != HttpEmbeddingApi.TeiNative && string.IsNullOrWhiteSpace(options.Model))
        {
            throw new ArgumentException($"HttpEmbedderOptions.Model is required for the {options.Api} format (the model or deployment name).", nameof(options));
        }

        return new EmbedderDescriptor
        {
            ModelId = string.IsNullOrWhiteSpace(options.Model) ? WithoutUserInfo(options.Endpoint).GetLeftPart(UriPartial.Authority) : options.Model,
            Revision = options.Revision,
            Dimensions = options.Dimensions,
            Normalized = options.Normalized,
            MaxInputTokens = options.MaxInputTokens,
            Prompts = options.Prompts ?? EmbeddingPrompts.None,
            MatryoshkaDimensions = options.MatryoshkaDimensions.Order().ToArray(),
            ProviderName = options.ProviderName ?? options.Api switch
            {
                HttpEmbeddingApi.AzureOpenAI => "azure-openai",
                HttpEmbeddingApi.TeiNative => "tei",
                _ => "openai",
            },
        };
    }

    private static Uri BuildRequestUri(HttpEmbedderOptions options)
    {
        string root = WithoutUserInfo(options.Endpoint).GetLeftPart(UriPartial.Path).TrimEnd('/');
        return options.Api switch
        {
            HttpEmbeddingApi.AzureOpenAI => new Uri(
                $"{root}/openai/deployments/{Uri.EscapeDataString(options.Model!)}/embeddings?api-version={Uri.EscapeDataString(options.AzureApiVersion)}"),
            HttpEmbeddingApi.TeiNative => new Uri(root + "/embed"),
            _ => new Uri(root + "/embeddings"),
        };
    }

    private static string? ResolveApiKey(HttpEmbedderOptions options)
    {
        string? key = !string.IsNullOrWhiteSpace(options.ApiKey)
            ? options.ApiKey
            : Environment.GetEnvironmentVariable(HttpEmbedderOptions.ApiKeyEnvironmentVariable);
        if (string.IsNullOrWhiteSpace(key))
        {
            key = null;
        }

        bool required = options.RequireApiKey ?? (options.Api == HttpEmbeddingApi.AzureOpenAI
            || options.Endpoint.Host.EndsWith("openai.com", StringComparison.OrdinalIgnoreCase));
        if (required && key is null)
        {
            throw new InvalidOperationException(
                $"No API key for the embedding endpoint {WithoutUserInfo(options.Endpoint)}: set HttpEmbedderOptions.ApiKey (for example from configuration) or the {HttpEmbedderOptions.ApiKeyEnvironmentVariable} environment variable.");
        }

        return key;
    }
}
