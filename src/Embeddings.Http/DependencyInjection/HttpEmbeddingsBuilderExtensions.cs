using Embeddings;
using Embeddings.Http;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Plugs the HTTP embedders into <c>services.AddEmbeddings(...)</c>, with their <see cref="HttpClient"/> from <c>IHttpClientFactory</c>.</summary>
public static class HttpEmbeddingsBuilderExtensions
{
    /// <summary>The prefix of the named <see cref="HttpClient"/> each registration uses: <c>Embeddings.Http</c> (plus <c>:key</c> for keyed registrations).</summary>
    public const string HttpClientNamePrefix = "Embeddings.Http";

    /// <summary>
    /// Embeds with OpenAI (<c>https://api.openai.com/v1</c>). The vector length of <c>text-embedding-3-small</c>,
    /// <c>text-embedding-3-large</c> and <c>text-embedding-ada-002</c> is known; for other models set
    /// <see cref="HttpEmbedderOptions.Dimensions"/>. The key comes from the options, else <c>OPENAI_API_KEY</c>.
    /// </summary>
    /// <param name="builder">The pipeline builder.</param>
    /// <param name="model">The model name. A model named in code wins over <c>Embeddings:Model</c> in configuration, as for every provider.</param>
    /// <param name="configure">Adjusts the options.</param>
    /// <returns><paramref name="builder"/>.</returns>
    public static EmbeddingsBuilder UseOpenAI(this EmbeddingsBuilder builder, string model, Action<HttpEmbedderOptions>? configure = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(model);
        return UseHttpEmbedder(builder, options =>
        {
            options.Api = HttpEmbeddingApi.OpenAI;
            options.Model = model;
            ApplyKnownModel(options);
            configure?.Invoke(options);
        });
    }

    /// <summary>Embeds with any OpenAI-compatible server: TEI's <c>/v1</c> route, Ollama's <c>/v1</c>, LiteLLM, vLLM.</summary>
    /// <param name="builder">The pipeline builder.</param>
    /// <param name="endpoint">The base address including the version segment, for example <c>http://localhost:11434/v1</c>.</param>
    /// <param name="model">The model name sent in requests.</param>
    /// <param name="dimensions">The model's vector length.</param>
    /// <param name="configure">Adjusts the options.</param>
    /// <returns><paramref name="builder"/>.</returns>
    public static EmbeddingsBuilder UseOpenAICompatible(this EmbeddingsBuilder builder, Uri endpoint, string model, int dimensions, Action<HttpEmbedderOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentException.ThrowIfNullOrWhiteSpace(model);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimensions);
        return UseHttpEmbedder(builder, options =>
        {
            options.Api = HttpEmbeddingApi.OpenAI;
            options.Endpoint = endpoint;
            options.Model = model;
            options.Dimensions = dimensions;
            configure?.Invoke(options);
        });
    }

    /// <summary>Embeds with an Azure OpenAI deployment (key in the <c>api-key</c> header).</summary>
    /// <param name="builder">The pipeline builder.</param>
    /// <param name="endpoint">The resource address, for example <c>https://NAME.openai.azure.com</c>.</param>
    /// <param name="deployment">The deployment name.</param>
    /// <param name="dimensions">The deployed model's vector length.</param>
    /// <param name="configure">Adjusts the options.</param>
    /// <returns><paramref name="builder"/>.</returns>
    public static EmbeddingsBuilder UseAzureOpenAI(this EmbeddingsBuilder builder, Uri endpoint, string deployment, int dimensions, Action<HttpEmbedderOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentException.ThrowIfNullOrWhiteSpace(deployment);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimensions);
        return UseHttpEmbedder(builder, options =>
        {
            options.Api = HttpEmbeddingApi.AzureOpenAI;
            options.Endpoint = endpoint;
            options.Model = deployment;
            options.Dimensions = dimensions;
            configure?.Invoke(options);
        });
    }

    /// <summary>Embeds with Hugging Face Text Embeddings Inference's native <c>/embed</c> route.</summary>
    /// <param name="builder">The pipeline builder.</param>
    /// <param name="endpoint">The server root, for example <c>http://localhost:8080</c>.</param>
    /// <param name="dimensions">The served model's vector length.</param>
    /// <param name="configure">Adjusts the options (set <see cref="HttpEmbedderOptions.Model"/> to name the model in fingerprints).</param>
    /// <returns><paramref name="builder"/>.</returns>
    public static EmbeddingsBuilder UseTextEmbeddingsInference(this EmbeddingsBuilder builder, Uri endpoint, int dimensions, Action<HttpEmbedderOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimensions);
        return UseHttpEmbedder(builder, options =>
        {
            options.Api = HttpEmbeddingApi.TeiNative;
            options.Endpoint = endpoint;
            options.Dimensions = dimensions;
            configure?.Invoke(options);
        });
    }

    /// <summary>
    /// Embeds with an <see cref="HttpEmbedder"/> configured entirely by <paramref name="configure"/>. Its named client
    /// (<see cref="HttpClientNamePrefix"/>) does not follow redirects.
    /// </summary>
    /// <param name="builder">The pipeline builder.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns><paramref name="builder"/>.</returns>
    public static EmbeddingsBuilder UseHttpEmbedder(this EmbeddingsBuilder builder, Action<HttpEmbedderOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        string clientName = builder.ServiceKey is null ? HttpClientNamePrefix : $"{HttpClientNamePrefix}:{builder.ServiceKey}";
        // Redirects are never followed, so the key (a bearer token or Azure's api-key header) stays with the configured origin.
        builder.Services.AddHttpClient(clientName).ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false });
        return builder.UseProvider(services =>
        {
            var options = new HttpEmbedderOptions();
            configure(options);
            // A model or revision named in code wins; configuration fills what the code left unset, as for every provider.
            EmbeddingsOptions shared = services.GetRequiredService<IOptionsMonitor<EmbeddingsOptions>>().Get(builder.OptionsName);
            if (string.IsNullOrWhiteSpace(options.Model) && !string.IsNullOrWhiteSpace(shared.Model))
            {
                options.Model = shared.Model;
                ApplyKnownModel(options);
            }

            if (string.IsNullOrWhiteSpace(options.Revision) && !string.IsNullOrWhiteSpace(shared.Revision))
            {
                options.Revision = shared.Revision;
            }

            options.MeterFactory ??= services.GetService<System.Diagnostics.Metrics.IMeterFactory>();
            HttpClient client = services.GetRequiredService<IHttpClientFactory>().CreateClient(clientName);
            return new HttpEmbedder(client, options);
        });
    }

    private static void ApplyKnownModel(HttpEmbedderOptions options)
    {
        (int dimensions, int[] matryoshka) = options.Model switch
        {
            "text-embedding-3-small" => (1536, new[] { 256, 512, 1024 }),
            "text-embedding-3-large" => (3072, new[] { 256, 512, 1024, 1536 }),
            "text-embedding-ada-002" => (1536, Array.Empty<int>()),
            _ => (0, Array.Empty<int>()),
        };
        if (dimensions > 0 && options.Api == HttpEmbeddingApi.OpenAI)
        {
            options.Dimensions = dimensions;
            options.MatryoshkaDimensions = matryoshka;
            options.MaxInputTokens ??= 8191;
        }
    }
}
