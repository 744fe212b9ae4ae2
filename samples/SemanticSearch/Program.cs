// SemanticSearch: index a BEIR corpus with the embedded default static embedder (and BM25), then answer
// queries given as arguments, or read one per line from stdin until it ends.
//
//   dotnet run --project samples/SemanticSearch -- "does vitamin d prevent fractures"
//   echo "what causes malaria" | dotnet run --project samples/SemanticSearch -- --dataset msmarco-trec-dl-subset
//   options: --dataset NAME|PATH (default scifact), --mode hybrid|static|bm25 (default hybrid), --top N (default 5)
using System.Diagnostics;
using Embeddings;
using Embeddings.Evaluation;
using Embeddings.Samples;
using Embeddings.Static;

string dataset = "scifact", mode = "hybrid";
int top = 5;
List<string> queries = [];
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--dataset" when i + 1 < args.Length: dataset = args[++i]; break;
        case "--mode" when i + 1 < args.Length: mode = args[++i].ToLowerInvariant(); break;
        case "--top" when i + 1 < args.Length: top = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture); break;
        case "-h" or "--help":
            Console.WriteLine("usage: SemanticSearch [--dataset NAME|PATH] [--mode hybrid|static|bm25] [--top N] [query ...]  (no query: read stdin)");
            return 0;
        default: queries.Add(args[i]); break;
    }
}

if (mode is not ("hybrid" or "static" or "bm25"))
{
    Console.Error.WriteLine($"Unknown mode '{mode}': use hybrid, static or bm25.");
    return 2;
}

if (SampleData.MissingFixtures("SemanticSearch", dataset) is string missing)
{
    Console.Error.WriteLine(missing);
    return 1;
}

var clock = Stopwatch.StartNew();
BeirDataset data = BeirDataset.Load(SampleData.Dataset(dataset));
StaticEmbedder embedder = StaticEmbedder.Load((string?)null, o => o.Weighting = WordWeighting.Sif);
Console.Error.WriteLine($"Loaded {data.Corpus.Count:N0} documents from {data.Directory} and {embedder.Fingerprint.ModelId} in {clock.ElapsedMilliseconds} ms");

clock.Restart();
using var index = new FlatIndex(embedder.Dimensions, DistanceMetric.Cosine, fingerprint: embedder.Fingerprint);
var lexical = new Bm25Index();
var titles = new Dictionary<string, BeirDocument>(StringComparer.Ordinal);
const int batch = 256;
int lastDecile = -1;
for (int start = 0; start < data.Corpus.Count; start += batch)
{
    BeirDocument[] documents = data.Corpus.Skip(start).Take(batch).ToArray();
    var embeddings = await embedder.EmbedDocumentsAsync(documents.Select(d => d.FullText));
    for (int i = 0; i < documents.Length; i++)
    {
        index.Add(documents[i].Id, embeddings[i].Vector.Span, source: embedder.Fingerprint);
        lexical.Upsert(documents[i].Id, documents[i].FullText);
        titles[documents[i].Id] = documents[i];
    }

    Progress(start + documents.Length, data.Corpus.Count, clock.Elapsed, ref lastDecile);
}

Console.Error.WriteLine();
var hybrid = new HybridSearcher(lexical, index, embedder, new HybridSearchOptions
{
    Fusion = FusionMethod.WeightedScore,
    Normalization = ScoreNormalization.ZScore,
    LexicalWeight = 0.75,
    VectorWeight = 0.25,
});

bool interactive = queries.Count == 0 && !Console.IsInputRedirected;
if (queries.Count == 0)
{
    Console.Error.WriteLine(interactive ? "Type a query and press Enter (Ctrl+D or an empty line to quit)." : "Reading queries from stdin, one per line.");
}

IEnumerable<string> source = queries.Count > 0 ? queries : ReadQueries(interactive);
foreach (string query in source)
{
    clock.Restart();
    IReadOnlyList<VectorSearchResult> hits = mode switch
    {
        "bm25" => lexical.Search(query, top),
        "static" => index.Search((await embedder.EmbedQueryAsync(query)).Span, top),
        _ => await hybrid.SearchAsync(query, top),
    };
    Console.WriteLine($"\n{query}   [{mode}, {clock.Elapsed.TotalMilliseconds:F1} ms]");
    if (hits.Count == 0)
    {
        Console.WriteLine("  (no match)");
    }

    foreach (VectorSearchResult hit in hits)
    {
        BeirDocument document = titles[hit.Key];
        string title = document.Title.Length > 0 ? document.Title : document.Text;
        Console.WriteLine($"  {hit.Score,7:F3}  {hit.Key,-10} {(title.Length <= 90 ? title : title[..87] + "...")}");
    }
}

return 0;

static IEnumerable<string> ReadQueries(bool interactive)
{
    while (true)
    {
        if (interactive)
        {
            Console.Write("> ");
        }

        // ReadLine returns null once stdin is closed or at end of input, so a closed stdin ends the loop at once.
        string? line = Console.ReadLine();
        if (line is null || (interactive && line.Length == 0))
        {
            yield break;
        }

        if (!string.IsNullOrWhiteSpace(line))
        {
            yield return line.Trim();
        }
    }
}

static void Progress(int done, int total, TimeSpan elapsed, ref int lastDecile)
{
    const int width = 30;
    int filled = (int)((long)width * done / total);
    string bar = new string('#', filled) + new string('.', width - filled);
    string line = $"Indexing [{bar}] {done,6:N0}/{total:N0} {100.0 * done / total,5:F1}%  {elapsed.TotalSeconds:F1} s";
    if (Console.IsErrorRedirected)
    {
        // Without a terminal a carriage return does not redraw, so print one line per tenth instead.
        int decile = (int)(10L * done / total);
        if (decile != lastDecile)
        {
            lastDecile = decile;
            Console.Error.WriteLine(line);
        }
    }
    else
    {
        Console.Error.Write("\r" + line);
    }
}
