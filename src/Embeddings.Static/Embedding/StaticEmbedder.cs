using System.Buffers;
using System.Globalization;
using System.Numerics.Tensors;
using Embeddings.Text;
using Microsoft.Extensions.AI;

namespace Embeddings.Static;

/// <summary>
/// A lookup-and-pool embedder: splits text into tokens, looks up each token's vector in a
/// <see cref="StaticEmbeddingModel"/>, averages them (optionally SIF-weighted), optionally removes common
/// components and normalizes. No ONNX, no download; thousands of sentences per second on one core.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="WordWeighting.Sif"/> on word vectors is SIF as published (Arora et al. 2017): frequency weights, then
/// removal of a common component, by default the first principal component of the model's own table (see
/// <see cref="StaticEmbedderOptions.ModelCommonComponents"/>), so no corpus is needed; a component fitted on your
/// own texts with <see cref="FitCommonComponents"/> replaces it.
/// </para>
/// <para>
/// Text with no known token (empty text, only unknown words) embeds as the zero vector, also when
/// <see cref="StaticEmbedderOptions.Normalize"/> is on: cosine similarity with it is 0 (see
/// <see cref="VectorMath.Cosine"/>), so it never ranks above a real match. Thread-safe.
/// </para>
/// </remarks>
public sealed class StaticEmbedder : EmbedderBase
{
    private readonly float[]? _rowWeights;
    private readonly float[][] _components;
    private readonly StaticEmbedderOptions _options;

    /// <summary>Creates an embedder over a loaded model.</summary>
    /// <param name="model">The model; may be shared between embedders.</param>
    /// <param name="options">The options; <see langword="null"/> for the defaults (plain mean pooling, normalized).</param>
    /// <exception cref="ArgumentException">A common component has the wrong length, is zero or is not finite.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="StaticEmbedderOptions.SifSmoothing"/> is not positive and finite, or <see cref="StaticEmbedderOptions.ModelCommonComponents"/> is negative or more than the dimensions.</exception>
    public StaticEmbedder(StaticEmbeddingModel model, StaticEmbedderOptions? options = null)
        : base(Describe(model, options ?? new StaticEmbedderOptions()))
    {
        Model = model;
        _options = Copy(options ?? new StaticEmbedderOptions());
        int modelComponents = ModelComponentCount(model, _options);
        _components = [.. modelComponents > 0 ? model.GetPrincipalComponents(modelComponents) : [], .. PrepareComponents(_options.CommonComponents, model.Dimensions)];
        _rowWeights = model.Kind == StaticModelKind.WordVectors && _options.Weighting == WordWeighting.Sif
            ? SifWeights(model.RowCount, _options.SifSmoothing)
            : null;
    }

    /// <summary>Gets the model the vectors come from.</summary>
    public StaticEmbeddingModel Model { get; }

    /// <summary>Gets a copy of the options in effect.</summary>
    public StaticEmbedderOptions Options => Copy(_options);

    /// <summary>Loads the model named by the options (or the default, see <see cref="StaticModelLocator"/>) and creates an embedder.</summary>
    /// <param name="options">The options; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Cancels the load.</param>
    /// <returns>The embedder.</returns>
    /// <exception cref="FileNotFoundException">The model file is missing; the message names the path.</exception>
    /// <exception cref="InvalidDataException">The model file is corrupt or truncated.</exception>
    public static StaticEmbedder Load(StaticEmbedderOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new StaticEmbedderOptions();
        string path = StaticModelLocator.Resolve(options.ModelPath);
        return new StaticEmbedder(StaticEmbeddingModel.Load(path, options.Format, cancellationToken), options);
    }

    /// <summary>Loads a model file or folder and creates an embedder.</summary>
    /// <param name="path">The model file or Model2Vec folder; <see langword="null"/> to resolve it as <see cref="StaticModelLocator.Resolve"/> does.</param>
    /// <param name="configure">Changes the options.</param>
    /// <returns>The embedder.</returns>
    public static StaticEmbedder Load(string? path, Action<StaticEmbedderOptions>? configure = null)
    {
        var options = new StaticEmbedderOptions { ModelPath = path };
        configure?.Invoke(options);
        return Load(options);
    }

    /// <summary>Returns an embedder over the same model with other options (the model is not reloaded).</summary>
    /// <param name="configure">Changes a copy of this embedder's options.</param>
    /// <returns>The new embedder.</returns>
    public StaticEmbedder With(Action<StaticEmbedderOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        StaticEmbedderOptions options = Copy(_options);
        configure(options);
        return new StaticEmbedder(Model, options);
    }

    /// <summary>
    /// Fits the first <paramref name="count"/> principal components (uncentred, as SIF does) of the pooled,
    /// un-normalized vectors of <paramref name="corpus"/>, computed with this embedder's weighting and without any
    /// component removal (neither the model's nor given ones). Pass the result to
    /// <see cref="StaticEmbedderOptions.CommonComponents"/>; with SIF weighting it then replaces the model's
    /// component unless <see cref="StaticEmbedderOptions.ModelCommonComponents"/> is set.
    /// </summary>
    /// <param name="corpus">Representative texts (for example the documents to be indexed).</param>
    /// <param name="count">How many components. Default: 1.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>The components, unit length, strongest first.</returns>
    /// <exception cref="ArgumentException">The corpus has no text with a known token.</exception>
    public float[][] FitCommonComponents(IEnumerable<string> corpus, int count = 1, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(corpus);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, Dimensions);
        int d = Dimensions;
        var gram = new double[d * d];
        float[] pooled = new float[d];
        int used = 0;
        foreach (string text in corpus)
        {
            ArgumentNullException.ThrowIfNull(text, nameof(corpus));
            if ((used & 1023) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            if (Pool(text, pooled) == 0)
            {
                continue;
            }

            used++;
            for (int i = 0; i < d; i++)
            {
                double vi = pooled[i];
                for (int j = i; j < d; j++)
                {
                    gram[(i * d) + j] += vi * pooled[j];
                }
            }
        }

        if (used == 0)
        {
            throw new ArgumentException("The corpus holds no text with a known token; common components cannot be fitted.", nameof(corpus));
        }

        PrincipalComponents.MirrorUpperTriangle(gram, d);

        return PrincipalComponents.TopEigenvectors(gram, d, count);
    }

    /// <summary>Embeds one text into <paramref name="destination"/> synchronously, without allocating for word-vector models.</summary>
    /// <param name="text">The text.</param>
    /// <param name="destination">Receives the vector; exactly <see cref="EmbedderBase.Dimensions"/> long.</param>
    /// <returns>The number of known tokens pooled; 0 means the vector is zero.</returns>
    public int Embed(ReadOnlySpan<char> text, Span<float> destination)
    {
        if (destination.Length != Dimensions)
        {
            throw new ArgumentException($"The destination has {destination.Length} elements; the model has {Dimensions} dimensions.", nameof(destination));
        }

        int tokens = Pool(text, destination);
        if (tokens == 0)
        {
            return 0;
        }

        foreach (float[] component in _components)
        {
            float projection = TensorPrimitives.Dot(destination, component);
            TensorPrimitives.MultiplyAdd(component, -projection, destination, destination);
        }

        if (_options.Normalize)
        {
            VectorMath.Normalize(destination);
        }

        return tokens;
    }

    /// <summary>Splits <paramref name="text"/> into the tokens this embedder looks up (known or not).</summary>
    /// <param name="text">The text.</param>
    /// <returns>The tokens: words for word vectors, subword strings for Model2Vec.</returns>
    public IReadOnlyList<string> Tokenize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (Model.SubwordTokenizer is { } tokenizer)
        {
            return tokenizer.EncodeToTokens(text, out _).Select(t => t.Value).ToArray();
        }

        return WordTokenizer.Tokenize(text, _options.Lowercase);
    }

    /// <inheritdoc />
    protected override Task<GeneratedEmbeddings<Embedding<float>>> GenerateCoreAsync(
        IReadOnlyList<string> inputs,
        EmbeddingGenerationOptions? options,
        CancellationToken cancellationToken)
    {
        var result = new GeneratedEmbeddings<Embedding<float>>(inputs.Count);
        for (int i = 0; i < inputs.Count; i++)
        {
            if ((i & 255) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            float[] vector = new float[Dimensions];
            Embed(inputs[i], vector);
            result.Add(new Embedding<float>(vector) { ModelId = Descriptor.ModelId, CreatedAt = null });
        }

        return Task.FromResult(result);
    }

    private int Pool(ReadOnlySpan<char> text, Span<float> destination)
    {
        destination.Clear();
        int count = Model.SubwordTokenizer is null ? PoolWords(text, destination) : PoolSubwords(text, destination);
        if (count > 0)
        {
            TensorPrimitives.Divide(destination, count, destination);
        }

        return count;
    }

    private int PoolWords(ReadOnlySpan<char> text, Span<float> destination)
    {
        char[]? rented = null;
        ReadOnlySpan<char> source = text;
        if (_options.Lowercase && !text.IsEmpty)
        {
            rented = ArrayPool<char>.Shared.Rent(text.Length);
            source = rented.AsSpan(0, text.ToLowerInvariant(rented));
        }

        try
        {
            int count = 0;
            ReadOnlySpan<float> table = Model.Vectors;
            int d = Dimensions;
            foreach ((int start, int length) in WordSpans.Enumerate(source, punctuation: true))
            {
                if (!Model.TryGetRow(source.Slice(start, length), out int row))
                {
                    continue;
                }

                ReadOnlySpan<float> vector = table.Slice(row * d, d);
                if (_rowWeights is null)
                {
                    TensorPrimitives.Add(destination, vector, destination);
                }
                else
                {
                    TensorPrimitives.MultiplyAdd(vector, _rowWeights[row], destination, destination);
                }

                count++;
            }

            return count;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<char>.Shared.Return(rented);
            }
        }
    }

    private int PoolSubwords(ReadOnlySpan<char> text, Span<float> destination)
    {
        IReadOnlyList<int> ids = Model.SubwordTokenizer!.EncodeToIds(text);
        IReadOnlyList<int>? mapping = Model.TokenMapping;
        IReadOnlyList<float>? weights = Model.TokenWeights;
        ReadOnlySpan<float> table = Model.Vectors;
        int d = Dimensions;
        int count = 0;
        foreach (int id in ids)
        {
            if (id == Model.UnknownTokenId || id < 0 || id >= (mapping?.Count ?? Model.RowCount))
            {
                continue;
            }

            int row = mapping?[id] ?? id;
            ReadOnlySpan<float> vector = table.Slice(row * d, d);
            if (weights is null)
            {
                TensorPrimitives.Add(destination, vector, destination);
            }
            else
            {
                TensorPrimitives.MultiplyAdd(vector, weights[id], destination, destination);
            }

            count++;
        }

        return count;
    }

    private static float[] SifWeights(int rows, double smoothing)
    {
        double harmonic = 0;
        for (int r = 1; r <= rows; r++)
        {
            harmonic += 1.0 / r;
        }

        var weights = new float[rows];
        for (int r = 1; r <= rows; r++)
        {
            double probability = 1.0 / (r * harmonic);
            weights[r - 1] = (float)(smoothing / (smoothing + probability));
        }

        return weights;
    }

    private static float[][] PrepareComponents(IReadOnlyList<float[]>? components, int dimensions)
    {
        if (components is null)
        {
            return [];
        }

        var prepared = new float[components.Count][];
        for (int i = 0; i < prepared.Length; i++)
        {
            float[] component = components[i] ?? throw new ArgumentException($"Common component {i} is null.", nameof(components));
            if (component.Length != dimensions)
            {
                throw new ArgumentException($"Common component {i} has {component.Length} dimensions; the model has {dimensions}.", nameof(components));
            }

            VectorMath.EnsureFinite(component, nameof(components));
            float norm = VectorMath.Norm(component);
            if (norm == 0f)
            {
                throw new ArgumentException($"Common component {i} is the zero vector.", nameof(components));
            }

            prepared[i] = component.Select(v => v / norm).ToArray();
        }

        return prepared;
    }

    private static StaticEmbedderOptions Copy(StaticEmbedderOptions options) => new()
    {
        ModelPath = options.ModelPath,
        Format = options.Format,
        ModelId = options.ModelId,
        Weighting = options.Weighting,
        SifSmoothing = options.SifSmoothing,
        CommonComponents = options.CommonComponents?.Select(c => (float[])c.Clone()).ToArray(),
        ModelCommonComponents = options.ModelCommonComponents,
        Lowercase = options.Lowercase,
        Normalize = options.Normalize,
    };

    private static EmbedderDescriptor Describe(StaticEmbeddingModel model, StaticEmbedderOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        if (!double.IsFinite(options.SifSmoothing) || options.SifSmoothing <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.SifSmoothing, "SifSmoothing must be a positive finite number.");
        }

        string pooling = model.Kind == StaticModelKind.Subword
            ? (model.TokenWeights is null ? "mean" : "weighted-mean")
            : options.Weighting == WordWeighting.Sif
                ? string.Create(CultureInfo.InvariantCulture, $"sif-a{options.SifSmoothing:R}")
                : "mean";
        int modelComponents = ModelComponentCount(model, options);
        if (modelComponents > 0)
        {
            pooling += string.Create(CultureInfo.InvariantCulture, $"-mpc{modelComponents}");
        }

        if (options.CommonComponents is { Count: > 0 } components)
        {
            pooling += string.Create(CultureInfo.InvariantCulture, $"-pc{components.Count}x{Hash(components):x8}");
        }

        if (model.Kind == StaticModelKind.WordVectors && !options.Lowercase)
        {
            pooling += "-cased";
        }

        return new EmbedderDescriptor
        {
            ModelId = options.ModelId ?? DefaultModelId(model),
            Dimensions = model.Dimensions,
            Pooling = pooling,
            Normalized = options.Normalize,
            ProviderName = "static",
        };
    }

    private static int ModelComponentCount(StaticEmbeddingModel model, StaticEmbedderOptions options)
    {
        if (options.ModelCommonComponents is int count)
        {
            if (count < 0 || count > model.Dimensions)
            {
                throw new ArgumentOutOfRangeException(nameof(options), count, $"ModelCommonComponents must be from 0 to the model's {model.Dimensions} dimensions.");
            }

            return count;
        }

        bool sif = model.Kind == StaticModelKind.WordVectors && options.Weighting == WordWeighting.Sif;
        return sif && options.CommonComponents is not { Count: > 0 } ? 1 : 0;
    }

    private static string DefaultModelId(StaticEmbeddingModel model)
    {
        string path = model.SourcePath;
        if (Directory.Exists(path))
        {
            return Path.GetFileName(Path.TrimEndingDirectorySeparator(path));
        }

        string? folder = Path.GetFileName(Path.GetDirectoryName(path));
        string file = Path.GetFileName(path);
        return string.IsNullOrEmpty(folder) ? file : folder + "/" + file;
    }

    private static uint Hash(IReadOnlyList<float[]> components)
    {
        uint hash = 2166136261;
        foreach (float[] component in components)
        {
            foreach (float value in component)
            {
                hash = (hash ^ (uint)BitConverter.SingleToInt32Bits(value)) * 16777619;
            }
        }

        return hash;
    }
}
