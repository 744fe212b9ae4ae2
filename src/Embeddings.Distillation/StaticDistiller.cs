using System.Numerics.Tensors;
using System.Text;
using System.Text.RegularExpressions;
using Embeddings.Onnx;

namespace Embeddings.Distillation;

/// <summary>
/// Distills a static embedding table from a transformer, as Model2Vec does: every vocabulary token goes through the
/// teacher alone, PCA reduces the token vectors, and a weight from the token's rank scales each row. The result is
/// written as a Model2Vec folder, which <c>StaticEmbedder</c> (and Python's model2vec) load.
/// </summary>
/// <remarks>
/// <para>
/// Each token t is fed as <c>[SEP] t [CLS]</c>, all three positions attended, and pooled with the teacher's pooling
/// (mean for sentence-transformers models such as all-MiniLM-L6-v2, which is Model2Vec's mean over the three
/// outputs): Model2Vec found the reversed special tokens work better. Tokens matching
/// <see cref="StaticDistillerOptions.TokenRemovePattern"/> are dropped first. PCA centres and does not whiten.
/// </para>
/// <para>
/// The output depends only on the teacher and the options: the forward passes, the PCA (a Jacobi eigensolver) and
/// the weights have no random step, so the same teacher, options and ONNX Runtime thread count give the same bytes.
/// </para>
/// </remarks>
public sealed class StaticDistiller
{
    private readonly StaticDistillerOptions _options;

    /// <summary>Creates a distiller.</summary>
    /// <param name="options">The options; <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    /// <exception cref="ArgumentException"><see cref="StaticDistillerOptions.TokenRemovePattern"/> is not a valid regular expression.</exception>
    public StaticDistiller(StaticDistillerOptions? options = null)
    {
        _options = (options ?? new StaticDistillerOptions()).Clone();
        _options.Validate();
        if (!string.IsNullOrEmpty(_options.TokenRemovePattern))
        {
            try
            {
                _ = new Regex(_options.TokenRemovePattern, RegexOptions.CultureInvariant);
            }
            catch (ArgumentException ex)
            {
                throw new ArgumentException($"TokenRemovePattern '{_options.TokenRemovePattern}' is not a valid regular expression: {ex.Message}", nameof(options), ex);
            }
        }
    }

    /// <summary>Gets a copy of the options.</summary>
    public StaticDistillerOptions Options => _options.Clone();

    /// <summary>Distills a table from <paramref name="teacher"/>.</summary>
    /// <param name="teacher">The transformer; its ONNX Runtime thread settings decide the speed.</param>
    /// <param name="progress">Receives progress: tokens embedded, then the PCA and weighting stages.</param>
    /// <param name="cancellationToken">Cancels the distillation, also during a forward pass.</param>
    /// <returns>The table, with what is needed to save it.</returns>
    /// <exception cref="InvalidOperationException">The pattern removes every token, or the vocabulary lacks the teacher's unknown token after removal.</exception>
    public Task<StaticDistillation> DistillAsync(OnnxEmbedder teacher, IProgress<StaticDistillationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(teacher);

        // Minutes of CPU work: keep it off a caller's synchronization context.
        return Task.Run(() => Distill(teacher, progress, cancellationToken), cancellationToken);
    }

    /// <summary>Distills a table from <paramref name="teacher"/> and writes it as a Model2Vec folder.</summary>
    /// <param name="teacher">The transformer.</param>
    /// <param name="directory">The folder to create or replace.</param>
    /// <param name="storage">The element type of the table.</param>
    /// <param name="progress">Receives progress.</param>
    /// <param name="cancellationToken">Cancels the distillation.</param>
    /// <returns>The table.</returns>
    public async Task<StaticDistillation> DistillToFolderAsync(
        OnnxEmbedder teacher,
        string directory,
        Static.Model2VecStorage storage = Static.Model2VecStorage.Float32,
        IProgress<StaticDistillationProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(teacher);
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        StaticDistillation distillation = await DistillAsync(teacher, progress, cancellationToken).ConfigureAwait(false);
        progress?.Report(new StaticDistillationProgress("write", 0, 1));
        distillation.Save(directory, storage, cancellationToken);
        progress?.Report(new StaticDistillationProgress("write", 1, 1));
        return distillation;
    }

    private StaticDistillation Distill(OnnxEmbedder teacher, IProgress<StaticDistillationProgress>? progress, CancellationToken cancellationToken)
    {
        var tokenizer = teacher.TextTokenizer;
        IReadOnlyList<string> all = tokenizer.Tokens;
        Regex? remove = string.IsNullOrEmpty(_options.TokenRemovePattern) ? null : new Regex(@"\G(?:" + _options.TokenRemovePattern + ")", RegexOptions.CultureInvariant);
        int[] kept = [.. Enumerable.Range(0, all.Count).Where(i => remove is null || !remove.IsMatch(all[i]))];
        if (kept.Length == 0)
        {
            throw new InvalidOperationException($"TokenRemovePattern '{_options.TokenRemovePattern}' removes all {all.Count} tokens of {teacher.Descriptor.ModelId}'s vocabulary.");
        }

        string[] vocabulary = [.. kept.Select(i => all[i])];
        if (!vocabulary.Contains(tokenizer.UnknownToken, StringComparer.Ordinal))
        {
            throw new InvalidOperationException($"TokenRemovePattern '{_options.TokenRemovePattern}' removes the unknown token '{tokenizer.UnknownToken}'.");
        }

        (string[] words, int[][] wordSequences) = AddedWords(teacher, vocabulary);
        vocabulary = [.. vocabulary, .. words];
        int rows = vocabulary.Length;
        int separator = tokenizer.SeparatorId;
        int classification = tokenizer.ClassificationId;
        float[]? table = null;
        int hidden = 0;
        progress?.Report(new StaticDistillationProgress("embed", 0, rows));
        for (int start = 0; start < kept.Length; start += _options.BatchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int count = Math.Min(_options.BatchSize, kept.Length - start);
            var batch = new int[count][];
            for (int i = 0; i < count; i++)
            {
                batch[i] = [separator, kept[start + i], classification];
            }

            float[] vectors = teacher.EmbedTokenSequences(batch, cancellationToken, out hidden);
            table ??= new float[(long)rows * hidden <= Array.MaxLength ? rows * hidden : throw new InvalidOperationException("The token table is too large for one array.")];
            vectors.CopyTo(table.AsSpan(start * hidden));
            progress?.Report(new StaticDistillationProgress("embed", start + count, rows));
        }

        // Words of similar length share a batch, so little of a batch is padding; the rows stay in the given order.
        int[] byLength = [.. Enumerable.Range(0, words.Length).OrderBy(i => wordSequences[i].Length).ThenBy(i => i)];
        for (int start = 0; start < byLength.Length; start += _options.BatchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int count = Math.Min(_options.BatchSize, byLength.Length - start);
            int[][] batch = [.. byLength.AsSpan(start, count).ToArray().Select(i => wordSequences[i])];
            float[] vectors = teacher.EmbedTokenSequences(batch, cancellationToken, out hidden);
            table ??= new float[(long)rows * hidden <= Array.MaxLength ? rows * hidden : throw new InvalidOperationException("The token table is too large for one array.")];
            for (int i = 0; i < count; i++)
            {
                vectors.AsSpan(i * hidden, hidden).CopyTo(table.AsSpan((kept.Length + byLength[start + i]) * hidden, hidden));
            }

            progress?.Report(new StaticDistillationProgress("embed", kept.Length + start + count, rows));
        }

        for (int i = 0; i < table!.Length; i++)
        {
            if (!float.IsFinite(table[i]))
            {
                throw new InvalidDataException($"The teacher {teacher.Descriptor.ModelId} gave a value that is not finite for token '{vocabulary[i / hidden]}'.");
            }
        }

        if (_options.NormalizeBeforePca)
        {
            for (int r = 0; r < rows; r++)
            {
                Span<float> row = table.AsSpan(r * hidden, hidden);
                float norm = TensorPrimitives.Norm(row);
                if (norm > 0)
                {
                    TensorPrimitives.Divide(row, norm, row);
                }
            }
        }

        float[] output = table;
        int dimensions = hidden;
        double explained = 1;
        if (_options.ApplyPca && rows > Math.Min(_options.Dimensions, hidden))
        {
            progress?.Report(new StaticDistillationProgress("pca", 0, 1));
            int components = Math.Min(_options.Dimensions, hidden);
            Pca.Fit fit = Pca.FitTable(table, rows, hidden, components, cancellationToken);
            output = Pca.Transform(fit, table, rows, hidden, cancellationToken);
            dimensions = components;
            explained = fit.ExplainedVarianceRatio;
            int drop = _options.DroppedLeadingComponents;
            if (drop >= components)
            {
                throw new InvalidOperationException($"The teacher has {hidden} dimensions, so PCA keeps {components} components; {drop} leading components cannot be dropped.");
            }

            if (drop > 0)
            {
                // Components come in descending variance, so the leading ones are the first columns of each row.
                int keptColumns = components - drop;
                var reduced = new float[rows * keptColumns];
                for (int r = 0; r < rows; r++)
                {
                    output.AsSpan((r * components) + drop, keptColumns).CopyTo(reduced.AsSpan(r * keptColumns, keptColumns));
                }

                output = reduced;
                dimensions = keptColumns;
            }

            progress?.Report(new StaticDistillationProgress("pca", 1, 1));
        }

        progress?.Report(new StaticDistillationProgress("weight", 0, 1));
        double[] weights = Weights(rows, _options);
        for (int r = 0; r < rows; r++)
        {
            float w = (float)weights[r];
            Span<float> row = output.AsSpan(r * dimensions, dimensions);
            for (int d = 0; d < dimensions; d++)
            {
                row[d] *= w;
            }
        }

        progress?.Report(new StaticDistillationProgress("weight", 1, 1));
        return new StaticDistillation(
            _options.TeacherName ?? teacher.Descriptor.ModelId,
            vocabulary,
            output,
            dimensions,
            hidden,
            explained,
            _options.Clone(),
            tokenizer.LowerCase,
            tokenizer.StripAccents,
            tokenizer.TokenizeChineseChars,
            tokenizer.UnknownToken,
            words.Length);
    }

    /// <summary>
    /// The words of <see cref="StaticDistillerOptions.Vocabulary"/> to add, in the form the teacher's tokenizer gives
    /// them (its pieces joined), with the ids the teacher sees for each (<c>[CLS] pieces [SEP]</c>).
    /// </summary>
    private (string[] Words, int[][] Sequences) AddedWords(OnnxEmbedder teacher, string[] vocabulary)
    {
        if (_options.Vocabulary is not { Count: > 0 } candidates)
        {
            return ([], []);
        }

        var tokenizer = teacher.TextTokenizer;
        IReadOnlyList<string> pieces = tokenizer.Tokens;
        int unknown = Array.IndexOf([.. pieces], tokenizer.UnknownToken);
        var seen = new HashSet<string>(vocabulary, StringComparer.Ordinal);
        var words = new List<string>();
        var sequences = new List<int[]>();
        var form = new StringBuilder();
        foreach (string candidate in candidates)
        {
            if (string.IsNullOrWhiteSpace(candidate))
            {
                continue;
            }

            int[] ids = [.. teacher.Tokenize(candidate.Trim())];

            // [CLS] piece piece ... [SEP]: a word that is one piece is already in the vocabulary.
            if (ids.Length < 4 || ids.AsSpan(1, ids.Length - 2).Contains(unknown))
            {
                continue;
            }

            form.Clear();
            bool oneWord = true;
            for (int i = 1; i < ids.Length - 1; i++)
            {
                string piece = pieces[ids[i]];
                if (i == 1)
                {
                    form.Append(piece);
                }
                else if (piece.StartsWith("##", StringComparison.Ordinal))
                {
                    form.Append(piece, 2, piece.Length - 2);
                }
                else
                {
                    // The pre-tokenizer split it (punctuation or space): WordPiece can never see it whole.
                    oneWord = false;
                    break;
                }
            }

            string word = form.ToString();
            if (oneWord && !word.StartsWith("##", StringComparison.Ordinal) && seen.Add(word))
            {
                words.Add(word);
                sequences.Add(ids);
            }
        }

        return ([.. words], [.. sequences]);
    }

    /// <summary>The row weights of <paramref name="rows"/> tokens by rank (0-based), in double precision.</summary>
    internal static double[] Weights(int rows, StaticDistillerOptions options)
    {
        var weights = new double[rows];
        switch (options.Weighting)
        {
            case TokenWeighting.ZipfLogRank:
                for (int r = 0; r < rows; r++)
                {
                    weights[r] = Math.Log(1 + r);
                }

                break;
            case TokenWeighting.Sif:
                double total = 0;
                for (int r = 0; r < rows; r++)
                {
                    total += 1.0 / (r + 2);
                }

                for (int r = 0; r < rows; r++)
                {
                    double probability = 1.0 / (r + 2) / total;
                    weights[r] = options.SifCoefficient / (options.SifCoefficient + probability);
                }

                break;
            default:
                Array.Fill(weights, 1.0);
                break;
        }

        return weights;
    }
}
