namespace Embeddings.Onnx;

/// <summary>Settings of an <see cref="OnnxEmbedder"/>. Every property has a default that follows the model.</summary>
public sealed class OnnxEmbedderOptions
{
    /// <summary>
    /// Gets or sets the pooling. Default: <see langword="null"/>, which uses the model folder's
    /// <c>1_Pooling/config.json</c>, then the catalog entry, then <see cref="PoolingStrategy.Mean"/>.
    /// When the graph has a <c>sentence_embedding</c> output and no pooling is set here, that output is used as is.
    /// </summary>
    public PoolingStrategy? Pooling { get; set; }

    /// <summary>
    /// Gets or sets whether vectors are L2-normalized. Default: <see langword="null"/>, which normalizes when the
    /// folder's <c>modules.json</c> has a <c>Normalize</c> module (or, without modules.json, when the catalog says so).
    /// </summary>
    public bool? Normalize { get; set; }

    /// <summary>
    /// Gets or sets the most tokens one input may have, [CLS] and [SEP] included. Default: <see langword="null"/>,
    /// which uses <c>sentence_bert_config.json</c>'s <c>max_seq_length</c>, then the catalog, then the tokenizer's
    /// <c>model_max_length</c>, then 512; never more than the model's <c>max_position_embeddings</c>.
    /// </summary>
    public int? MaxTokens { get; set; }

    /// <summary>Gets or sets what happens to inputs longer than the token limit. Default: <see cref="OverlongInputPolicy.Truncate"/> (reported on the result).</summary>
    public OverlongInputPolicy OverlongInput { get; set; } = OverlongInputPolicy.Truncate;

    /// <summary>Gets or sets how many inputs run through the model at once. Default: 32.</summary>
    public int BatchSize { get; set; } = 32;

    /// <summary>
    /// Gets or sets the most padded tokens (rows times the longest row) one batch may hold; a batch ends at
    /// <see cref="BatchSize"/> inputs or at this budget, whichever comes first. Inputs are sorted by length before
    /// batching, so short inputs run in wide batches and long ones in narrow batches. Default: 0, no token budget.
    /// </summary>
    internal int MaxBatchTokens { get; set; }

    /// <summary>Gets the ONNX Runtime session configuration entries to set (benchmarks compare them). Default: none.</summary>
    internal IDictionary<string, string> SessionConfigEntries { get; private set; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Gets or sets ONNX Runtime's intra-op thread count. Default: 0, ONNX Runtime's choice (one per physical core).</summary>
    public int IntraOpThreads { get; set; }

    /// <summary>
    /// Gets or sets the execution providers in order of preference, by name: <c>CPU</c>, <c>CUDA</c> (or <c>CUDA:1</c>
    /// for device 1), <c>DirectML</c> (<c>DirectML:0</c>). Default: <c>["CPU"]</c>. CUDA and DirectML need the host
    /// to reference Microsoft.ML.OnnxRuntime.Gpu or Microsoft.ML.OnnxRuntime.DirectML; loading fails with a message
    /// naming the provider when the native runtime lacks it. CPU is always the last fallback.
    /// </summary>
    public IList<string> ExecutionProviders { get; set; } = ["CPU"];

    /// <summary>Gets or sets whether ONNX Runtime's CPU memory arena is on (faster, keeps peak memory). Default: <see langword="true"/>.</summary>
    public bool EnableMemoryArena { get; set; } = true;

    /// <summary>Gets or sets whether ONNX Runtime pre-plans memory for repeated shapes. Default: <see langword="true"/>.</summary>
    public bool EnableMemoryPattern { get; set; } = true;

    /// <summary>
    /// Gets or sets the query and document prefixes. Default: <see langword="null"/>, which uses
    /// <c>config_sentence_transformers.json</c>'s prompts, then the catalog entry, then none.
    /// </summary>
    public EmbeddingPrompts? Prompts { get; set; }

    /// <summary>
    /// Gets or sets the model id written into the fingerprint. Default: <see langword="null"/>: the Hugging Face
    /// repository id when downloaded, otherwise the folder's name.
    /// </summary>
    public string? ModelId { get; set; }

    /// <summary>Gets or sets how a Hugging Face repository id is downloaded and cached. Default: <see cref="ModelDownloadOptions"/>' defaults.</summary>
    public ModelDownloadOptions Download { get; set; } = new();

    /// <summary>
    /// Gets or sets the factory that creates the <see cref="OnnxEmbedder.MeterName"/> meter, so that the meter
    /// belongs to a host's container (as Microsoft.Extensions.AI's OpenTelemetry decorators do) and is disposed with it.
    /// Default: <see langword="null"/>: a process-wide meter. <c>UseOnnxModel</c> sets it to the container's
    /// <see cref="System.Diagnostics.Metrics.IMeterFactory"/> when one is registered (hosts register one; else <c>services.AddMetrics()</c>).
    /// </summary>
    public System.Diagnostics.Metrics.IMeterFactory? MeterFactory { get; set; }

    // A copy for one container: the lists and the session entries are copied, the rest is shared as set.
    internal OnnxEmbedderOptions Clone()
    {
        var copy = (OnnxEmbedderOptions)MemberwiseClone();
        copy.ExecutionProviders = [.. ExecutionProviders];
        copy.SessionConfigEntries = new Dictionary<string, string>(SessionConfigEntries, StringComparer.Ordinal);

        return copy;
    }

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(BatchSize, nameof(BatchSize));
        ArgumentOutOfRangeException.ThrowIfNegative(IntraOpThreads, nameof(IntraOpThreads));
        ArgumentOutOfRangeException.ThrowIfNegative(MaxBatchTokens, nameof(MaxBatchTokens));
        if (MaxTokens is int max)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(max, 2, nameof(MaxTokens));
        }

        if (!Enum.IsDefined(OverlongInput))
        {
            throw new ArgumentOutOfRangeException(nameof(OverlongInput), OverlongInput, "Unknown overlong-input policy.");
        }

        ArgumentNullException.ThrowIfNull(ExecutionProviders, nameof(ExecutionProviders));
        ArgumentNullException.ThrowIfNull(Download, nameof(Download));
    }
}
