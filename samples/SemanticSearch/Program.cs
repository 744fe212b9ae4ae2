// SemanticSearch: index a BEIR corpus with the embedded default static embedder (and BM25), then answer
// queries given as arguments, or read one per line from stdin until it ends.
//
//   dotnet run --project samples/SemanticSearch -- "does vitamin d prevent fractures"
//   echo "what causes malaria" | dotnet run --project samples/SemanticSearch -- --dataset msmarco-trec-dl-subset
//   dotnet run --project samples/SemanticSearch -- --help
// Needs the shared fixtures (a BEIR dataset under ../shared/data); without them it says so in one line.
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Embeddings;
using Embeddings.Evaluation;
using Embeddings.Samples;
using Embeddings.Static;

var datasetOption = new Option<string>("--dataset", "-d")
{
    Description = "A BEIR dataset under shared/data (scifact, msmarco-trec-dl-subset, ...) or a BEIR folder.",
    DefaultValueFactory = _ => "scifact",
};
var modeOption = new Option<string>("--mode")
{
    Description = "hybrid (BM25 and vectors fused), static (vectors only) or bm25 (keywords only).",
    DefaultValueFactory = _ => "hybrid",
};
modeOption.AcceptOnlyFromAmong("hybrid", "static", "bm25");
var topOption = new Option<int>("--top", "-k") { Description = "How many documents each query returns.", DefaultValueFactory = _ => 5 };
topOption.Validators.Add(r =>
{
    if (r.GetValueOrDefault<int>() < 1)
    {
        r.AddError($"--top must be positive, not {r.GetValueOrDefault<int>()}.");
    }
});
var queriesArgument = new Argument<string[]>("queries") { Description = "The queries; none: read one per line from stdin.", Arity = ArgumentArity.ZeroOrMore };
queriesArgument.Validators.Add(r =>
{
    foreach (var token in r.Tokens.Where(t => t.Value.StartsWith('-')))
    {
        r.AddError($"'{token.Value}' is not an option (a query cannot start with '-').");
    }
});
var root = new RootCommand("Index a BEIR corpus with the distilled static default (and BM25), then answer queries given as arguments or read from stdin.")
{
    datasetOption,
    modeOption,
    topOption,
    queriesArgument,
};
if (!SampleApp.TryParse(root, args, out ParseResult? parsed, out int exitCode))
{
    return exitCode;
}

string dataset = parsed.GetValue(datasetOption)!, mode = parsed.GetValue(modeOption)!;
int top = parsed.GetValue(topOption);
List<string> queries = [.. parsed.GetValue(queriesArgument) ?? []];
if (SampleData.MissingFixtures("SemanticSearch", dataset) is string missing)
{
    return SampleApp.Missing(missing);
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
await SampleOutput.ProgressAsync($"Indexing {data.Corpus.Count:N0} documents", data.Corpus.Count, async bar =>
{
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

        bar.Advance(documents.Length);
    }

    return 0;
});

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
    double ms = clock.Elapsed.TotalMilliseconds;
    Console.WriteLine();
    SampleOutput.Table(
        ["rank:", "score:", "id", "title"],
        hits.Select((hit, rank) =>
        {
            BeirDocument document = titles[hit.Key];
            string title = document.Title.Length > 0 ? document.Title : document.Text;
            return (IReadOnlyList<string>)[(rank + 1).ToString(CultureInfo.InvariantCulture), hit.Score.ToString("F3", CultureInfo.InvariantCulture), hit.Key, title.Length <= 90 ? title : title[..87] + "..."];
        }),
        $"{query}   [{mode}, {ms.ToString("F1", CultureInfo.InvariantCulture)} ms{(hits.Count == 0 ? ", no match" : string.Empty)}]");
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
