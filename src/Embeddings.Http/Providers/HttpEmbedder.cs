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
/// The embedder does not retry and has no timeout of its own beyond the <see cref="HttpClient"/>'s: compose it with
/// the Embeddings.Pipeline middleware (<c>UseRetry</c>, caches) for that. Failures surface as
/// <see cref="EmbeddingHttpException"/> (an error status or an invalid body) or as the <see cref="HttpRequestException"/>
/// of a connection failure.
/// </remarks>
public sealed class HttpEmbedder : EmbedderBase
{
    private static readonly MediaTypeHeaderValue JsonMediaType = new("application/json") { CharSet = "utf-8" };
    private readonly HttpClient _httpClient;
    private readonly HttpEmbedderOptions _options;
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
        : base(Describe(options))
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        _httpClient = httpClient;
        _options = options;
        _requestUri = BuildRequestUri(options);
        _apiKey = ResolveApiKey(options);
        bool native = options.Api == HttpEmbeddingApi.TeiNative;
        _maxInputs = options.MaxInputsPerRequest ?? (native ? 32 : 2048);
        _maxTokens = options.MaxTokensPerRequest ?? (native ? 16_384 : 300_000);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(_maxInputs, "options.MaxInputsPerRequest");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(_maxTokens, "options.MaxTokensPerRequest");
        _estimateTokens = options.TokenEstimator ?? RequestPlanner.EstimateTokens;
    }

    /// <summary>Gets the address requests are sent to.</summary>
    public Uri RequestUri => _requestUri;

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
                HttpEmbedderMetrics.TruncatedInputs.Add(over);
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

        using HttpResponseMessage response = await _httpClient
            .SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken)
            .ConfigureAwait(false);
        byte[] payload = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw StatusError(response, payload);
        }

        if (_options.Api == HttpEmbeddingApi.TeiNative)
        {
            EmbeddingResponseReader.ReadTei(payload, destination, expected, _requestUri);
            return null;
        }

        return EmbeddingResponseReader.ReadOpenAI(payload, destination, expected, _requestUri);
    }

    private EmbeddingHttpException StatusError(HttpResponseMessage response, byte[] payload)
    {
        string snippet = System.Text.Encoding.UTF8.GetString(payload, 0, Math.Min(payload.Length, 1000));
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
                HttpEmbedderMetrics.TruncatedInputs.Add(1);
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
            ModelId = string.IsNullOrWhiteSpace(options.Model) ? options.Endpoint.GetLeftPart(UriPartial.Authority) : options.Model,
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
        string root = options.Endpoint.GetLeftPart(UriPartial.Path).TrimEnd('/');
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
                $"No API key for the embedding endpoint {options.Endpoint}: set HttpEmbedderOptions.ApiKey (for example from configuration) or the {HttpEmbedderOptions.ApiKeyEnvironmentVariable} environment variable.");
        }

        return key;
    }
}
