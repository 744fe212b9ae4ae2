// RetrievalEval: a markdown table of dataset x method x representation (nDCG@10, Recall@100, MRR@10, index
// memory, query latency) for BM25, the embedded default static embedder, and their hybrids, on BEIR sets.
//
//   dotnet run -c Release --project samples/RetrievalEval [-- scifact msmarco-trec-dl-subset]
// Needs the shared fixtures (BEIR datasets and the GloVe vectors under ../shared); without them it says so in one line.
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Embeddings;
using Embeddings.Evaluation;
using Embeddings.Samples;
using Embeddings.Static;
using RetrievalEval;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var datasetsArgument = new Argument<string[]>("datasets")
{
    Description = "BEIR datasets under shared/data, or BEIR folders.",
    Arity = ArgumentArity.ZeroOrMore,
    DefaultValueFactory = _ => ["scifact", "msmarco-trec-dl-subset"],
};
datasetsArgument.Validators.Add(r =>
{
    foreach (var token in r.Tokens.Where(t => t.Value.StartsWith('-')))
    {
        r.AddError($"'{token.Value}' is not an option (datasets are names under shared/data or folders).");
    }
});
var root = new RootCommand("A markdown table of dataset x method x representation (nDCG@10, Recall@100, MRR@10, index memory, query latency) for BM25, static embedders and their hybrids on BEIR sets.")
{
    datasetsArgument,
};
if (!SampleApp.TryParse(root, args, out ParseResult? parsed, out int exitCode))
{
    return exitCode;
}

string[] datasets = parsed.GetValue(datasetsArgument) is { Length: > 0 } named ? named : ["scifact", "msmarco-trec-dl-subset"];
const int Depth = 100;
if (SampleData.MissingFixtures("RetrievalEval", datasets) is string missing)
{
    return SampleApp.Missing(missing);
}

string glove;
try
{
    glove = StaticModelLocator.ResolveGloVe();
}
catch (FileNotFoundException)
{
    return SampleApp.Missing("RetrievalEval needs the GloVe vectors of the shared fixtures (models/glove-6B-100d-top100k/vectors.bin): put shared/ beside the checkout or set EMBEDDINGS_SHARED.");
}

var total = Stopwatch.StartNew();

StaticEmbedder mean = StaticEmbedder.Load(glove);
StaticEmbedder distilled = StaticEmbedder.Load((string?)null);
StaticEmbedder sif = mean.With(o => o.Weighting = WordWeighting.Sif);

// The weighted fusion's settings were chosen on SciFact's train qrels (not the test qrels reported here):
// z-scored scores with BM25 at 0.75 was the best of a 0.6..0.9 grid there.
var weighted = new HybridSearchOptions { Fusion = FusionMethod.WeightedScore, Normalization = ScoreNormalization.ZScore, LexicalWeight = 0.75, VectorWeight = 0.25 };
var rankFusion = new HybridSearchOptions { Fusion = FusionMethod.ReciprocalRank, RankConstant = 60, LexicalWeight = 1, VectorWeight = 1 };

var rows = new List<Row>();
await SampleOutput.ProgressAsync($"Evaluating on {datasets.Length} dataset(s)", datasets.Length, async bar =>
{
    foreach (string name in datasets)
    {
        BeirDataset data = BeirDataset.Load(SampleData.Dataset(name));
        string label = $"{Path.GetFileName(data.Directory)} ({data.Corpus.Count:N0} docs, {data.Judgments.QueryIds.Count(q => data.Judgments.RelevantCount(q) > 0)} queries)";
        Console.Error.WriteLine($"{label}: indexing ...");

        var lexical = new Bm25Index();
        foreach (BeirDocument document in data.Corpus)
        {
            lexical.Upsert(document.Id, document.FullText);
        }

        rows.Add(Evaluate(data, label, "BM25", "—", lexical.EstimatedMemoryBytes, q => lexical.Search(q, Depth)));

        string[] ids = data.Corpus.Select(d => d.Id).ToArray();
        float[][] meanVectors = await ExactRetrieval.EmbedNormalizedAsync(mean, data.Corpus.Select(d => d.FullText).ToArray(), EmbeddingInputKind.Document);
        Representation meanFloat = Representation.For(meanVectors, ids, compressed: false).Single();
        rows.Add(Evaluate(data, label, "static (mean)", meanFloat.Name, meanFloat.MemoryBytes, q => meanFloat.Search(Embed(mean, q), Depth)));

        float[][] distilledVectors = await ExactRetrieval.EmbedNormalizedAsync(distilled, data.Corpus.Select(d => d.FullText).ToArray(), EmbeddingInputKind.Document);
        Representation distilledFloat = Representation.For(distilledVectors, ids, compressed: false).Single();
        rows.Add(Evaluate(data, label, $"static default ({distilled.Fingerprint.ModelId})", distilledFloat.Name, distilledFloat.MemoryBytes, q => distilledFloat.Search(Embed(distilled, q), Depth)));

        float[][] sifVectors = await ExactRetrieval.EmbedNormalizedAsync(sif, data.Corpus.Select(d => d.FullText).ToArray(), EmbeddingInputKind.Document);
        Representation[] representations = Representation.For(sifVectors, ids, compressed: true).ToArray();
        foreach (Representation representation in representations)
        {
            rows.Add(Evaluate(data, label, "static (SIF)", representation.Name, representation.MemoryBytes, q => representation.Search(Embed(sif, q), Depth)));
        }

        foreach (Representation representation in representations)
        {
            rows.Add(Evaluate(data, label, "hybrid: BM25 + SIF, weighted z-score", representation.Name, representation.MemoryBytes + lexical.EstimatedMemoryBytes,
                q => HybridSearcher.Fuse(lexical.Search(q, Depth), representation.Search(Embed(sif, q), Depth), Depth, weighted)));
        }

        rows.Add(Evaluate(data, label, "hybrid: BM25 + SIF, RRF k=60", representations[0].Name, representations[0].MemoryBytes + lexical.EstimatedMemoryBytes,
            q => HybridSearcher.Fuse(lexical.Search(q, Depth), representations[0].Search(Embed(sif, q), Depth), Depth, rankFusion)));
        bar.Advance();
    }

    return 0;
});

SampleOutput.Table(
    ["dataset", "method", "representation", "nDCG@10:", "Recall@100:", "MRR@10:", "index memory:", "p50 latency:"],
    rows.Select(row => (IReadOnlyList<string>)[row.Dataset, row.Method, row.Representation, $"{row.Ndcg10:F4}", $"{row.Recall100:F4}", $"{row.Mrr10:F4}", FormatBytes(row.MemoryBytes), $"{row.P50Milliseconds:F3} ms"]));
Console.WriteLine($"Static embedder: {mean.Fingerprint.ModelId} ({mean.Dimensions} d). Latency: one query end to end (embedding, search, fusion) on one thread, median over the queries. " +
    $"Memory: vectors or postings of the index, model excluded. {Environment.ProcessorCount} cores, {RuntimeInformation.FrameworkDescription}, total {total.Elapsed.TotalSeconds:F1} s.");
return 0;

static float[] Embed(StaticEmbedder embedder, string query)
{
    float[] vector = new float[embedder.Dimensions];
    embedder.Embed(query, vector);
    VectorMath.Normalize(vector);
    return vector;
}

static Row Evaluate(BeirDataset data, string dataset, string method, string representation, long memory, Func<string, IReadOnlyList<VectorSearchResult>> search)
{
    var runs = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
    var latencies = new List<double>(data.Queries.Count);
    // Untimed warm-up, so the first queries do not pay for JIT compilation.
    foreach (BeirQuery query in data.Queries.Take(5))
    {
        search(query.Text);
    }

    foreach (BeirQuery query in data.Queries)
    {
        long start = Stopwatch.GetTimestamp();
        IReadOnlyList<VectorSearchResult> results = search(query.Text);
        latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        runs[query.Id] = results.Select(r => r.Key).ToArray();
    }

    RetrievalReport report = RetrievalEvaluator.Evaluate(runs, data.Judgments, [10, 100]);
    latencies.Sort();
    Console.Error.WriteLine($"  {method} / {representation}: nDCG@10 {report.NdcgAt[10]:F4}");
    return new Row(dataset, method, representation, report.NdcgAt[10], report.RecallAt[100], report.MrrAt[10], memory, latencies[latencies.Count / 2]);
}

static string FormatBytes(long bytes) => bytes >= 1 << 20 ? $"{bytes / (double)(1 << 20):F1} MiB" : $"{bytes / 1024.0:F0} KiB";

internal sealed record Row(string Dataset, string Method, string Representation, double Ndcg10, double Recall100, double Mrr10, long MemoryBytes, double P50Milliseconds);
