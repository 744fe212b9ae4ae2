using System.Globalization;

namespace Embeddings.Evaluation;

/// <summary>Loaders for sentence-similarity datasets.</summary>
public static class SentencePairDatasets
{
    /// <summary>
    /// Loads an STS Benchmark file (<c>sts-train.csv</c>, <c>sts-dev.csv</c>, <c>sts-test.csv</c>): tab-separated
    /// genre, file, year, id, score, sentence 1, sentence 2, and sometimes trailing source columns, which are ignored.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <returns>The pairs, in file order.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">A line has fewer than 7 fields or a score that is not a number; the message names the file and line.</exception>
    public static IReadOnlyList<SentencePair> LoadStsBenchmark(string path)
    {
        string full = RequireFile(path);
        var pairs = new List<SentencePair>();
        int lineNumber = 0;
        foreach (string line in File.ReadLines(full))
        {
            lineNumber++;
            if (line.Length == 0)
            {
                continue;
            }

            string[] fields = line.Split('\t');
            if (fields.Length < 7)
            {
                throw new InvalidDataException($"STS Benchmark file '{full}' line {lineNumber} has {fields.Length} tab-separated fields; expected at least 7.");
            }

            pairs.Add(new SentencePair(fields[5], fields[6], ParseScore(fields[4], full, lineNumber)));
        }

        return pairs;
    }

    /// <summary>
    /// Loads the SICK corpus (<c>SICK.txt</c>: tab-separated with a header naming <c>sentence_A</c>,
    /// <c>sentence_B</c>, <c>relatedness_score</c> and <c>SemEval_set</c>).
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="set">Keep only this <c>SemEval_set</c> (<c>TRAIN</c>, <c>TRIAL</c>, <c>TEST</c>); <see langword="null"/> (the default) for all.</param>
    /// <returns>The pairs with their relatedness scores, in file order.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The header lacks a needed column or a line is malformed.</exception>
    public static IReadOnlyList<SentencePair> LoadSick(string path, string? set = null)
    {
        string full = RequireFile(path);
        using var reader = new StreamReader(full);
        string header = reader.ReadLine() ?? throw new InvalidDataException($"SICK file '{full}' is empty.");
        string[] columns = header.Split('\t');
        int Column(string name)
        {
            int index = Array.IndexOf(columns, name);
            return index >= 0 ? index : throw new InvalidDataException($"SICK file '{full}' has no column '{name}' in its header.");
        }

        int a = Column("sentence_A"), b = Column("sentence_B"), score = Column("relatedness_score");
        int split = set is null ? -1 : Column("SemEval_set");
        var pairs = new List<SentencePair>();
        int lineNumber = 1;
        while (reader.ReadLine() is string line)
        {
            lineNumber++;
            if (line.Length == 0)
            {
                continue;
            }

            string[] fields = line.Split('\t');
            if (fields.Length < columns.Length)
            {
                throw new InvalidDataException($"SICK file '{full}' line {lineNumber} has {fields.Length} fields; the header has {columns.Length}.");
            }

            if (split >= 0 && !string.Equals(fields[split], set, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            pairs.Add(new SentencePair(fields[a], fields[b], ParseScore(fields[score], full, lineNumber)));
        }

        return pairs;
    }

    private static double ParseScore(string text, string path, int line) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && double.IsFinite(value)
            ? value
            : throw new InvalidDataException($"'{path}' line {line}: score '{text}' is not a number.");

    private static string RequireFile(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string full = Path.GetFullPath(path);
        return File.Exists(full) ? full : throw new FileNotFoundException($"Dataset file '{full}' does not exist.", full);
    }
}
