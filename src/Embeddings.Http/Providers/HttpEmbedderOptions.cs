namespace Embeddings.Http;

/// <summary>Settings of an <see cref="HttpEmbedder"/>.</summary>
public sealed class HttpEmbedderOptions
{
    /// <summary>The environment variable read when <see cref="ApiKey"/> is not set: <c>OPENAI_API_KEY</c>.</summary>
    public const string ApiKeyEnvironmentVariable = "OPENAI_API_KEY";

    /// <summary>
    /// Gets or sets the base address. For <see cref="HttpEmbeddingApi.OpenAI"/> it ends with the API version
    /// (<c>https://api.openai.com/v1</c>, <c>http://localhost:8080/v1</c> for TEI, <c>http://localhost:11434/v1</c> for Ollama);
    /// <c>/embeddings</c> is appended. For <see cref="HttpEmbeddingApi.AzureOpenAI"/> it is the resource
    /// (<c>https://NAME.openai.azure.com</c>); for <see cref="HttpEmbeddingApi.TeiNative"/> the server root (<c>/embed</c> is appended).
    /// User-info (<c>user:password@</c>) is dropped: it is neither sent nor shown in messages, model ids or logs; put a
    /// credential in <see cref="ApiKey"/>. Default: <c>https://api.openai.com/v1</c>.
    /// </summary>
    public Uri Endpoint { get; set; } = new("https://api.openai.com/v1");

    /// <summary>Gets or sets the wire format. Default: <see cref="HttpEmbeddingApi.OpenAI"/>.</summary>
    public HttpEmbeddingApi Api { get; set; } = HttpEmbeddingApi.OpenAI;

    /// <summary>
    /// Gets or sets the model sent in the request (the deployment name for Azure). Required for the OpenAI formats;
    /// for TEI native it only names the model in the fingerprint. Default: <see langword="null"/>.
    /// </summary>
    public string? Model { get; set; }

    /// <summary>
    /// Gets or sets the model revision recorded in the fingerprint, so caches and indexes never mix vectors of two
    /// versions of a hosted model. Default: <see langword="null"/> (unknown).
    /// </summary>
    public string? Revision { get; set; }

    /// <summary>Gets or sets the length of the vectors the endpoint returns at full size. Required (positive). Default: 0.</summary>
    public int Dimensions { get; set; }

    /// <summary>
    /// Gets or sets the sizes the endpoint can shorten vectors to natively (OpenAI's text-embedding-3 family accepts
    /// any size; list the ones you use). A request for one of them sends <c>dimensions</c> to OpenAI-compatible
    /// endpoints; TEI native vectors are truncated locally. Default: empty.
    /// </summary>
    public IList<int> MatryoshkaDimensions { get; set; } = [];

    /// <summary>Gets or sets a value indicating whether the returned vectors are L2-normalized. Default: <see langword="true"/> (OpenAI, and TEI with <c>normalize</c>).</summary>
    public bool Normalized { get; set; } = true;

    /// <summary>Gets or sets the query and document prefixes the model expects. Default: <see cref="EmbeddingPrompts.None"/>.</summary>
    public EmbeddingPrompts Prompts { get; set; } = EmbeddingPrompts.None;

    /// <summary>
    /// Gets or sets the API key. When <see langword="null"/>, <c>OPENAI_API_KEY</c> is read. Sent as a bearer token
    /// (OpenAI formats and TEI's <c>--api-key</c>) or as <c>api-key</c> (Azure), only to the origin (scheme, host and port)
    /// of <see cref="Endpoint"/>: redirects are never followed, and the key is replaced by <c>***</c> wherever it would appear
    /// in an exception message (a 401 body that echoes it included). Default: <see langword="null"/>.
    /// </summary>
    public string? ApiKey { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether a missing key is an error when the embedder is created.
    /// Default: <see langword="null"/>, meaning required for <c>*.openai.com</c> and <see cref="HttpEmbeddingApi.AzureOpenAI"/>,
    /// optional elsewhere (local TEI, Ollama and LiteLLM servers often run without one).
    /// </summary>
    public bool? RequireApiKey { get; set; }

    /// <summary>Gets or sets the Azure OpenAI <c>api-version</c> query parameter. Default: <c>2024-10-21</c>.</summary>
    public string AzureApiVersion { get; set; } = "2024-10-21";

    /// <summary>Gets or sets the encoding asked of OpenAI-compatible endpoints. Default: <see cref="HttpEmbeddingEncoding.Float"/>, which every server understands.</summary>
    public HttpEmbeddingEncoding Encoding { get; set; } = HttpEmbeddingEncoding.Float;

    /// <summary>
    /// Gets or sets the most inputs sent in one request; larger calls are split. Default: <see langword="null"/>, meaning
    /// 2048 for the OpenAI formats (OpenAI's limit) and 32 for TEI native (TEI's default <c>--max-client-batch-size</c>).
    /// </summary>
    public int? MaxInputsPerRequest { get; set; }

    /// <summary>
    /// Gets or sets the most (estimated) tokens sent in one request; larger calls are split. Default: <see langword="null"/>,
    /// meaning 300,000 for the OpenAI formats (OpenAI's per-request limit) and 16,384 for TEI native (its default <c>--max-batch-tokens</c>).
    /// </summary>
    public int? MaxTokensPerRequest { get; set; }

    /// <summary>
    /// Gets or sets the most tokens one input may have (8191 for OpenAI's models, 512 for most BERT models), or
    /// <see langword="null"/> when unknown. It is published in the descriptor and bounds <see cref="TruncateInputs"/>. Default: <see langword="null"/>.
    /// </summary>
    public int? MaxInputTokens { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether over-long inputs are truncated instead of rejected by the server. TEI native
    /// is sent <c>truncate: true</c>; for the OpenAI formats an input whose estimate exceeds <see cref="MaxInputTokens"/>
    /// is cut to that many UTF-8 bytes before sending. Every input so affected is counted on the
    /// <c>embeddings.inputs.truncated</c> counter. Default: <see langword="false"/>.
    /// </summary>
    public bool TruncateInputs { get; set; }

    /// <summary>
    /// Gets or sets how tokens are estimated when requests are split. Default: <see langword="null"/>, meaning the
    /// conservative UTF-8 byte count plus 2: byte-level BPE (OpenAI's tiktoken) and WordPiece tokens each cover at least
    /// one byte, and 2 covers the special tokens, so the estimate never undercounts; it overcounts English about
    /// fourfold, which only makes batches smaller. Plug in a real tokenizer to pack requests tighter.
    /// </summary>
    public Func<string, int>? TokenEstimator { get; set; }

    /// <summary>
    /// Gets or sets how long one request may take, from sending to the last byte of the answer, before it is abandoned with a
    /// <see cref="TimeoutException"/> (which the retry middleware treats as a transient timeout). It holds without any retry
    /// middleware, so a server that never answers cannot hold a call for <see cref="HttpClient"/>'s 100 seconds.
    /// Default: 30 seconds. <see cref="Timeout.InfiniteTimeSpan"/> leaves only the <see cref="HttpClient"/>'s own timeout.
    /// </summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Gets or sets the most bytes one response body may have; a longer body is abandoned unread with an
    /// <see cref="EmbeddingHttpException"/>. Default: <see langword="null"/>, meaning 1 MiB plus 64 bytes per expected
    /// vector component plus 1 KiB per input: JSON needs at most about 16 bytes per float32 and base64 under 6, so this is
    /// a fourfold margin over the largest honest answer.
    /// </summary>
    public long? MaxResponseBytes { get; set; }

    /// <summary>Gets or sets the provider name recorded in the descriptor. Default: <see langword="null"/>, meaning <c>openai</c>, <c>azure-openai</c> or <c>tei</c>.</summary>
    public string? ProviderName { get; set; }

    /// <summary>
    /// Gets or sets the factory that creates the <c>Embeddings.Http</c> meter (counter <c>embeddings.inputs.truncated</c>),
    /// so that the meter belongs to a host's container, as Microsoft.Extensions.AI's OpenTelemetry decorators do.
    /// Default: <see langword="null"/>: a process-wide meter. The <c>UseOpenAI</c>/<c>UseHttpEmbedder</c> registrations
    /// set it to the container's <see cref="System.Diagnostics.Metrics.IMeterFactory"/> when one is registered.
    /// </summary>
    public System.Diagnostics.Metrics.IMeterFactory? MeterFactory { get; set; }
}
