using System.Globalization;
using System.Text;
using System.Text.Json;
using Embeddings.Evaluation;

namespace Embeddings.Benchmarks.Retrieval;

/// <summary>
/// The BEIR sets the retrieval benchmarks run on, each with a dev split (for choosing settings) and a test split
/// (for reporting): SciFact's own train/test qrels; the MS MARCO TREC-DL subset and Cranfield split by query
/// position in queries.jsonl (1st, 3rd, 5th, … judged query: dev; 2nd, 4th, …: test).
/// </summary>
internal sealed record RetrievalSet(string Name, BeirDataset Data, IReadOnlyList<BeirQuery> DevQueries, RelevanceJudgments DevQrels, IReadOnlyList<BeirQuery> TestQueries, RelevanceJudgments TestQrels)
{
    public static readonly string[] Names = ["scifact", "msmarco-trec-dl-subset", "cranfield"];

    public static RetrievalSet Load(string shared, string name, string cacheRoot)
    {
        if (name == "scifact")
        {
            string directory = Path.Combine(shared, "data", "scifact");
            BeirDataset test = BeirDataset.Load(directory, "test");
            RelevanceJudgments train = RelevanceJudgments.Load(Path.Combine(directory, "qrels", "train.tsv"));
            BeirQuery[] trainQueries = test.AllQueries.Where(q => train.RelevantCount(q.Id) > 0).ToArray();
            return new RetrievalSet(name, test, trainQueries, train, test.Queries, test.Judgments);
        }

        string folder = name == "cranfield"
            ? CranfieldToBeir.Convert(Path.Combine(shared, "data", "cranfield"), Path.Combine(cacheRoot, "cranfield-beir"))
            : Path.Combine(shared, "data", name);
        BeirDataset data = BeirDataset.Load(folder, "test");
        BeirQuery[] dev = data.Queries.Where((_, i) => i % 2 == 0).ToArray();
        BeirQuery[] testQueries = data.Queries.Where((_, i) => i % 2 == 1).ToArray();
        return new RetrievalSet(name, data, dev, Subset(data.Judgments, dev), testQueries, Subset(data.Judgments, testQueries));
    }

    private static RelevanceJudgments Subset(RelevanceJudgments all, IEnumerable<BeirQuery> queries) =>
        new(queries.SelectMany(q => all.ForQuery(q.Id).Select(p => (q.Id, p.Key, p.Value))));
}

/// <summary>
/// Converts the Cranfield collection (cran.all.1400, cran.qry, cranqrel) to the BEIR layout, written once under
/// a cache folder. Documents: .T as title, .W as text. Queries are renumbered 1 to 225 in file order, as cranqrel
/// numbers them (cran.qry's own .I numbers have gaps). Grades are Cleverdon's 1 (complete answer) to 4 (minimum
/// interest), and -1 for "no interest" (his 5); BEIR relevance is 5 − grade, so 4 .. 1, and 0 for -1.
/// </summary>
internal static class CranfieldToBeir
{
    public static string Convert(string source, string target)
    {
        string marker = Path.Combine(target, "qrels", "test.tsv");
        if (File.Exists(marker))
        {
            return target;
        }

        List<Dictionary<char, string>> documents = ReadRecords(Path.Combine(source, "cran.all.1400"));
        List<Dictionary<char, string>> queries = ReadRecords(Path.Combine(source, "cran.qry"));
        if (documents.Count != 1400 || queries.Count != 225)
        {
            throw new InvalidDataException($"Cranfield at '{source}' has {documents.Count} documents and {queries.Count} queries; expected 1400 and 225.");
        }

        string temporary = target + ".tmp-" + Environment.ProcessId;
        Directory.CreateDirectory(Path.Combine(temporary, "qrels"));
        using (var corpus = new StreamWriter(Path.Combine(temporary, "corpus.jsonl"), false, new UTF8Encoding(false)))
        {
            foreach (Dictionary<char, string> document in documents)
            {
                corpus.WriteLine(JsonSerializer.Serialize(new Dictionary<string, string>
                {
                    ["_id"] = document['I'],
                    ["title"] = document.GetValueOrDefault('T', ""),
                    ["text"] = document.GetValueOrDefault('W', ""),
                }));
            }
        }

        using (var writer = new StreamWriter(Path.Combine(temporary, "queries.jsonl"), false, new UTF8Encoding(false)))
        {
            for (int i = 0; i < queries.Count; i++)
            {
                writer.WriteLine(JsonSerializer.Serialize(new Dictionary<string, string> { ["_id"] = (i + 1).ToString(CultureInfo.InvariantCulture), ["text"] = queries[i].GetValueOrDefault('W', "") }));
            }
        }

        using (var qrels = new StreamWriter(Path.Combine(temporary, "qrels", "test.tsv"), false, new UTF8Encoding(false)))
        {
            qrels.WriteLine("query-id\tcorpus-id\tscore");
            int line = 0;
            foreach (string raw in File.ReadLines(Path.Combine(source, "cranqrel")))
            {
                line++;
                string[] parts = raw.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length == 0)
                {
                    continue;
                }

                if (parts.Length != 3 || !int.TryParse(parts[2], CultureInfo.InvariantCulture, out int grade) || grade is not (-1 or >= 1 and <= 4))
                {
                    throw new InvalidDataException($"cranqrel line {line} is not 'query document grade' with grade -1 or 1..4: '{raw}'.");
                }

                int relevance = grade == -1 ? 0 : 5 - grade;
                qrels.WriteLine($"{parts[0]}\t{parts[1]}\t{relevance}");
            }
        }

        if (Directory.Exists(target))
        {
            Directory.Delete(target, recursive: true);
        }

        Directory.Move(temporary, target);
        return target;
    }

    private static List<Dictionary<char, string>> ReadRecords(string path)
    {
        var records = new List<Dictionary<char, string>>();
        Dictionary<char, string>? current = null;
        char field = '\0';
        var text = new StringBuilder();
        void Flush()
        {
            if (current is not null && field != '\0')
            {
                current[field] = text.ToString().Trim();
            }

            text.Clear();
        }

        foreach (string line in File.ReadLines(path))
        {
            if (line.Length >= 2 && line[0] == '.' && char.IsAsciiLetterUpper(line[1]) && (line.Length == 2 || line[2] == ' '))
            {
                Flush();
                field = line[1];
                if (field == 'I')
                {
                    current = new Dictionary<char, string> { ['I'] = line[2..].Trim().TrimStart('0') };
                    records.Add(current);
                    field = '\0';
                }

                continue;
            }

            if (text.Length > 0)
            {
                text.Append(' ');
            }

            text.Append(line.Trim());
        }

        Flush();
        return records;
    }
}
