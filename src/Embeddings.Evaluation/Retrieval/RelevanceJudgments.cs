using System.Globalization;

namespace Embeddings.Evaluation;

/// <summary>
/// Graded relevance judgments (qrels): for each query, the judged documents and their grades. A grade of 1 or
/// more means relevant (trec_eval's default relevance level); 0 or less means judged non-relevant.
/// </summary>
public sealed class RelevanceJudgments
{
    private static readonly IReadOnlyDictionary<string, int> NoJudgments = new Dictionary<string, int>(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, int>> _byQuery;
    private readonly Dictionary<string, int> _relevantCounts;

    /// <summary>Creates judgments from (query id, document id, grade) triples; a repeated pair keeps the last grade.</summary>
    /// <param name="judgments">The triples.</param>
    public RelevanceJudgments(IEnumerable<(string QueryId, string DocumentId, int Grade)> judgments)
    {
        ArgumentNullException.ThrowIfNull(judgments);
        _byQuery = new Dictionary<string, Dictionary<string, int>>(StringComparer.Ordinal);
        foreach ((string queryId, string documentId, int grade) in judgments)
        {
            ArgumentNullException.ThrowIfNull(queryId);
            ArgumentNullException.ThrowIfNull(documentId);
            if (!_byQuery.TryGetValue(queryId, out Dictionary<string, int>? documents))
            {
                documents = new Dictionary<string, int>(StringComparer.Ordinal);
                _byQuery.Add(queryId, documents);
            }

            documents[documentId] = grade;
        }

        _relevantCounts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (queryId, documents) in _byQuery)
        {
            _relevantCounts[queryId] = documents.Values.Count(g => g >= RetrievalMetrics.RelevanceLevel);
        }
    }

    /// <summary>Gets the ids of the queries that have at least one judgment, relevant or not.</summary>
    public IReadOnlyCollection<string> QueryIds => _byQuery.Keys;

    /// <summary>Gets the total number of judgments.</summary>
    public int Count => _byQuery.Values.Sum(d => d.Count);

    /// <summary>Gets the judgments of one query: document id to grade; empty when the query has none.</summary>
    /// <param name="queryId">The query id.</param>
    /// <returns>The judged documents and their grades.</returns>
    public IReadOnlyDictionary<string, int> ForQuery(string queryId)
    {
        ArgumentNullException.ThrowIfNull(queryId);
        return _byQuery.TryGetValue(queryId, out Dictionary<string, int>? documents) ? documents : NoJudgments;
    }

    /// <summary>Gets the number of relevant documents (grade 1 or more) of one query.</summary>
    /// <param name="queryId">The query id.</param>
    /// <returns>The count; 0 for an unknown query.</returns>
    public int RelevantCount(string queryId)
    {
        ArgumentNullException.ThrowIfNull(queryId);
        return _relevantCounts.TryGetValue(queryId, out int count) ? count : 0;
    }

    /// <summary>
    /// Loads a qrels file: tab-separated <c>query-id</c>, <c>corpus-id</c>, <c>score</c> (BEIR, with a header
    /// line, which is recognised because its score is not a number), or the four-column TREC form
    /// <c>query-id 0 doc-id grade</c> separated by spaces or tabs.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <returns>The judgments.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">A line is malformed; the message names the file and line.</exception>
    public static RelevanceJudgments Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string full = Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            throw new FileNotFoundException($"Qrels file '{full}' does not exist.", full);
        }

        var triples = new List<(string, string, int)>();
        int lineNumber = 0;
        foreach (string line in File.ReadLines(full))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            string[] fields = line.Split(line.Contains('\t', StringComparison.Ordinal) ? ['\t'] : [' '], StringSplitOptions.RemoveEmptyEntries);
            (string query, string document, string grade) = fields.Length switch
            {
                3 => (fields[0], fields[1], fields[2]),
                4 => (fields[0], fields[2], fields[3]),
                _ => throw new InvalidDataException($"Qrels file '{full}' line {lineNumber} has {fields.Length} fields; expected 3 (query-id, corpus-id, score) or 4 (TREC)."),
            };

            if (!int.TryParse(grade, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value))
            {
                if (lineNumber == 1)
                {
                    continue; // the header line
                }

                throw new InvalidDataException($"Qrels file '{full}' line {lineNumber}: score '{grade}' is not an integer.");
            }

            triples.Add((query, document, value));
        }

        return new RelevanceJudgments(triples);
    }
}
