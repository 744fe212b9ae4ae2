using System.Diagnostics.CodeAnalysis;
using Microsoft.ML.Tokenizers;

namespace Embeddings.Static;

/// <summary>
/// A static embedding table loaded into memory: word vectors (word2vec, GloVe, fastText) or Model2Vec subword
/// vectors, with the vocabulary that maps text to rows. Immutable and thread-safe; share one instance between
/// embedders with different pooling options.
/// </summary>
/// <remarks>
/// For word vectors, the row order is the file order, which word2vec, GloVe and fastText write by descending
/// frequency: row <c>r</c> is the word of frequency rank <c>r + 1</c> (what SIF weighting relies on). When a
/// word occurs twice, its first row wins.
/// </remarks>
public sealed class StaticEmbeddingModel
{
    private readonly float[] _vectors;
#if NET9_0_OR_GREATER
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;
#endif
    private readonly Dictionary<string, int> _rows;
    private readonly Lock _componentsLock = new();
    private float[][]? _principalComponents;

    private StaticEmbeddingModel(
        string sourcePath,
        StaticModelFormat format,
        StaticModelKind kind,
        string[] vocabulary,
        float[] vectors,
        int rowCount,
        int dimensions,
        Tokenizer? tokenizer = null,
        int? unknownTokenId = null,
        float[]? tokenWeights = null,
        int[]? tokenMapping = null)
    {
        SourcePath = sourcePath;
        Format = format;
        Kind = kind;
        Vocabulary = vocabulary;
        _vectors = vectors;
        RowCount = rowCount;
        Dimensions = dimensions;
        SubwordTokenizer = tokenizer;
        UnknownTokenId = unknownTokenId;
        TokenWeights = tokenWeights;
        TokenMapping = tokenMapping;
        _rows = new Dictionary<string, int>(vocabulary.Length, StringComparer.Ordinal);
        for (int i = 0; i < vocabulary.Length; i++)
        {
            _rows.TryAdd(vocabulary[i], i);
        }

#if NET9_0_OR_GREATER
        _lookup = _rows.GetAlternateLookup<ReadOnlySpan<char>>();
#endif
    }

    /// <summary>Gets the file or folder the model was loaded from.</summary>
    public string SourcePath { get; }

    /// <summary>Gets the format the model was loaded from.</summary>
    public StaticModelFormat Format { get; }

    /// <summary>Gets how text maps to rows.</summary>
    public StaticModelKind Kind { get; }

    /// <summary>Gets the vocabulary: words in file (frequency) order for word vectors, token strings by id for Model2Vec.</summary>
    public IReadOnlyList<string> Vocabulary { get; }

    /// <summary>Gets the number of distinct vocabulary entries.</summary>
    public int VocabularySize => _rows.Count;

    /// <summary>Gets the number of rows in the embedding table.</summary>
    public int RowCount { get; }

    /// <summary>Gets the vector length.</summary>
    public int Dimensions { get; }

    /// <summary>Gets the Model2Vec tokenizer; <see langword="null"/> for word vectors.</summary>
    public Tokenizer? SubwordTokenizer { get; }

    /// <summary>Gets the id of the Model2Vec unknown token (skipped when pooling), or <see langword="null"/>.</summary>
    public int? UnknownTokenId { get; }

    /// <summary>Gets Model2Vec's per-token weights (tensor <c>weights</c>), or <see langword="null"/> when the model has none.</summary>
    public IReadOnlyList<float>? TokenWeights { get; }

    /// <summary>Gets Model2Vec's token-to-row mapping (tensor <c>mapping</c>), or <see langword="null"/> when token ids are rows.</summary>
    public IReadOnlyList<int>? TokenMapping { get; }

    /// <summary>Gets the embedding table, row-major: row <c>r</c> is <c>[r * Dimensions, (r + 1) * Dimensions)</c>.</summary>
    public ReadOnlySpan<float> Vectors => _vectors;

    /// <summary>Gets the vector of one row.</summary>
    /// <param name="row">The row, from 0 to <see cref="RowCount"/> - 1.</param>
    /// <returns>The vector.</returns>
    public ReadOnlySpan<float> GetVector(int row)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(row);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(row, RowCount);
        return _vectors.AsSpan(row * Dimensions, Dimensions);
    }

    /// <summary>Finds the row of a word (exact, case-sensitive match) without allocating.</summary>
    /// <param name="word">The word.</param>
    /// <param name="row">The row when found.</param>
    /// <returns>Whether the word is in the vocabulary.</returns>
#if NET9_0_OR_GREATER
    public bool TryGetRow(ReadOnlySpan<char> word, out int row) => _lookup.TryGetValue(word, out row);
#else
    // .NET 8 dictionaries have no span lookup; the word is copied to a string.
    public bool TryGetRow(ReadOnlySpan<char> word, out int row) => _rows.TryGetValue(word.ToString(), out row);
#endif

    /// <summary>
    /// Loads a model. Word2vec binary reads the whole file at once (the 100,000 x 100 GloVe table loads in well under a second).
    /// </summary>
    /// <param name="path">A vectors file, or a Model2Vec folder.</param>
    /// <param name="format">The format; <see cref="StaticModelFormat.Auto"/> (the default) picks it from the path.</param>
    /// <param name="cancellationToken">Cancels the load.</param>
    /// <returns>The model.</returns>
    /// <exception cref="FileNotFoundException">The file (or a file of the Model2Vec folder) does not exist; the message names it.</exception>
    /// <exception cref="InvalidDataException">The file is corrupt or truncated; the message names the path and the byte offset or line.</exception>
    /// <exception cref="NotSupportedException">A Model2Vec tokenizer of a kind other than WordPiece.</exception>
    public static StaticEmbeddingModel Load(string path, StaticModelFormat format = StaticModelFormat.Auto, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string full = Path.GetFullPath(path);
        StaticModelFormat resolved = format == StaticModelFormat.Auto ? Detect(full) : format;
        if (resolved == StaticModelFormat.Model2Vec)
        {
            string directory = File.Exists(full) ? Path.GetDirectoryName(full)! : full;
            if (!Directory.Exists(directory))
            {
                throw new DirectoryNotFoundException($"Model2Vec folder '{directory}' does not exist.");
            }

            Model2VecReader.Result m = Model2VecReader.Read(directory);
            return new StaticEmbeddingModel(directory, resolved, StaticModelKind.Subword, m.Vocabulary, m.Vectors, m.Rows, m.Dimensions, m.Tokenizer, m.UnknownTokenId, m.TokenWeights, m.TokenMapping);
        }

        if (!File.Exists(full))
        {
            throw new FileNotFoundException($"Static model file '{full}' does not exist.", full);
        }

        (string[] words, float[] vectors, int dimensions) = resolved switch
        {
            StaticModelFormat.Word2VecBinary => Word2VecBinaryReader.Read(full, cancellationToken),
            StaticModelFormat.Word2VecText or StaticModelFormat.FastTextVec => TextVectorReader.Read(full, hasHeader: true, cancellationToken),
            StaticModelFormat.GloVeText => TextVectorReader.Read(full, hasHeader: false, cancellationToken),
            _ => TextVectorReader.Read(full, hasHeader: null, cancellationToken),
        };
        return new StaticEmbeddingModel(full, resolved, StaticModelKind.WordVectors, words, vectors, words.Length, dimensions);
    }

    /// <summary>Creates a word-vector model from words and their vectors, in frequency order (most frequent first).</summary>
    /// <param name="words">The words.</param>
    /// <param name="vectors">The vectors, row-major: <c>words.Count * dimensions</c> values.</param>
    /// <param name="dimensions">The vector length.</param>
    /// <param name="name">A name standing in for the source path. Default: <c>in-memory</c>.</param>
    /// <returns>The model.</returns>
    public static StaticEmbeddingModel FromWordVectors(IReadOnlyList<string> words, ReadOnlySpan<float> vectors, int dimensions, string name = "in-memory")
    {
        ArgumentNullException.ThrowIfNull(words);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimensions);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (words.Count == 0)
        {
            throw new ArgumentException("At least one word is required.", nameof(words));
        }

        if (vectors.Length != (long)words.Count * dimensions)
        {
            throw new ArgumentException($"{words.Count} words of {dimensions} dimensions need {words.Count * dimensions} values; got {vectors.Length}.", nameof(vectors));
        }

        VectorMath.EnsureFinite(vectors, nameof(vectors));
        string[] copy = words.Select((w, i) => w ?? throw new ArgumentException($"Word {i} is null.", nameof(words))).ToArray();
        return new StaticEmbeddingModel(name, StaticModelFormat.Auto, StaticModelKind.WordVectors, copy, vectors.ToArray(), copy.Length, dimensions);
    }

    /// <summary>
    /// The leading <paramref name="count"/> principal components (uncentred, every row counting once) of the
    /// embedding table, unit length, strongest first. Computed on first use and kept: the first call for the
    /// 100,000 x 100 GloVe table takes a fraction of a second.
    /// </summary>
    internal float[][] GetPrincipalComponents(int count)
    {
        lock (_componentsLock)
        {
            if (_principalComponents is null || _principalComponents.Length < count)
            {
                double[] gram = PrincipalComponents.UncentredGram(_vectors, RowCount, Dimensions);
                _principalComponents = PrincipalComponents.TopEigenvectors(gram, Dimensions, count);
            }

            // Deflation finds the components one after the other, so the first k of a longer run are the same.
            return _principalComponents[..count];
        }
    }

    [SuppressMessage("Globalization", "CA1308:Normalize strings to uppercase", Justification = "File extensions are compared in lower case.")]
    private static StaticModelFormat Detect(string path)
    {
        if (Directory.Exists(path))
        {
            return StaticModelFormat.Model2Vec;
        }

        return Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".safetensors" => StaticModelFormat.Model2Vec,
            ".bin" => StaticModelFormat.Word2VecBinary,
            _ => StaticModelFormat.Auto,
        };
    }
}
