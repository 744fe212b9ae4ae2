using System.Text.Json;

namespace Embeddings.Evaluation;

/// <summary>
/// A retrieval dataset in the BEIR layout: <c>corpus.jsonl</c> (<c>_id</c>, <c>title</c>, <c>text</c>),
/// <c>queries.jsonl</c> (<c>_id</c>, <c>text</c>) and <c>qrels/&lt;split&gt;.tsv</c>
/// (<c>query-id</c>, <c>corpus-id</c>, <c>score</c>, with a header line).
/// </summary>
public sealed class BeirDataset
{
    private BeirDataset(string directory, string split, IReadOnlyList<BeirDocument> corpus, IReadOnlyList<BeirQuery> queries, RelevanceJudgments judgments)
    {
        Directory = directory;
        Split = split;
        Corpus = corpus;
        AllQueries = queries;
        Judgments = judgments;
        var judged = new List<BeirQuery>();
        foreach (BeirQuery query in queries)
        {
            if (judgments.RelevantCount(query.Id) > 0)
            {
                judged.Add(query);
            }
        }

        Queries = judged;
    }

    /// <summary>Gets the folder the dataset was loaded from.</summary>
    public string Directory { get; }

    /// <summary>Gets the qrels split that was loaded (for example <c>test</c>).</summary>
    public string Split { get; }

    /// <summary>Gets the documents, in file order.</summary>
    public IReadOnlyList<BeirDocument> Corpus { get; }

    /// <summary>Gets every query of <c>queries.jsonl</c>, in file order, judged or not.</summary>
    public IReadOnlyList<BeirQuery> AllQueries { get; }

    /// <summary>
    /// Gets the queries that have at least one relevant document in the loaded split, in file order: the ones
    /// an evaluation averages over (queries without relevant documents are excluded, as in BEIR and pytrec_eval).
    /// </summary>
    public IReadOnlyList<BeirQuery> Queries { get; }

    /// <summary>Gets the relevance judgments of the loaded split.</summary>
    public RelevanceJudgments Judgments { get; }

    /// <summary>Loads a BEIR dataset.</summary>
    /// <param name="directory">The folder holding <c>corpus.jsonl</c>, <c>queries.jsonl</c> and <c>qrels/</c>.</param>
    /// <param name="split">The qrels split to load, the file name without <c>.tsv</c>. Default: <c>test</c>.</param>
    /// <param name="cancellationToken">Cancels the load.</param>
    /// <returns>The dataset.</returns>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="FileNotFoundException">One of the three files is missing.</exception>
    /// <exception cref="InvalidDataException">A line is not valid JSON or lacks <c>_id</c>, or a qrels line is malformed; the message names the file and line.</exception>
    public static BeirDataset Load(string directory, string split = "test", CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        ArgumentException.ThrowIfNullOrWhiteSpace(split);
        string root = Path.GetFullPath(directory);
        if (!System.IO.Directory.Exists(root))
        {
            throw new DirectoryNotFoundException($"BEIR dataset folder '{root}' does not exist.");
        }

        string corpusPath = RequireFile(Path.Combine(root, "corpus.jsonl"));
        string queriesPath = RequireFile(Path.Combine(root, "queries.jsonl"));
        string qrelsPath = RequireFile(Path.Combine(root, "qrels", split + ".tsv"));

        var corpus = new List<BeirDocument>();
        ReadJsonLines(corpusPath, cancellationToken, (element, line) => corpus.Add(new BeirDocument(
            RequiredString(element, "_id", corpusPath, line),
            OptionalString(element, "title"),
            OptionalString(element, "text"))));

        var queries = new List<BeirQuery>();
        ReadJsonLines(queriesPath, cancellationToken, (element, line) => queries.Add(new BeirQuery(
            RequiredString(element, "_id", queriesPath, line),
            OptionalString(element, "text"))));

        RelevanceJudgments judgments = RelevanceJudgments.Load(qrelsPath);
        return new BeirDataset(root, split, corpus, queries, judgments);
    }

    private static string RequireFile(string path) =>
        File.Exists(path) ? path : throw new FileNotFoundException($"BEIR file '{path}' does not exist.", path);

    private static void ReadJsonLines(string path, CancellationToken cancellationToken, Action<JsonElement, int> onLine)
    {
        int lineNumber = 0;
        foreach (string line in File.ReadLines(path))
        {
            lineNumber++;
            if ((lineNumber & 1023) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            try
            {
                using JsonDocument document = JsonDocument.Parse(line);
                if (document.RootElement.ValueKind != JsonValueKind.Object)
                {
                    throw new InvalidDataException($"'{path}' line {lineNumber} is not a JSON object.");
                }

                onLine(document.RootElement, lineNumber);
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"'{path}' line {lineNumber} is not valid JSON: {e.Message}", e);
            }
        }
    }

    private static string RequiredString(JsonElement element, string name, string path, int line)
    {
        if (element.TryGetProperty(name, out JsonElement value))
        {
            if (value.ValueKind == JsonValueKind.String)
            {
                return value.GetString()!;
            }

            if (value.ValueKind == JsonValueKind.Number)
            {
                return value.GetRawText();
            }
        }

        throw new InvalidDataException($"'{path}' line {line} has no string field '{name}'.");
    }

    private static string OptionalString(JsonElement element, string name) =>
        element.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : string.Empty;
}
