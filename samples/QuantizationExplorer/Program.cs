// QuantizationExplorer: what each quantizer costs in recall and buys in memory, on real embeddings: a BEIR
// corpus embedded with the embedded default static embedder (GloVe, SIF weighting), searched exhaustively.
//
//   dotnet run -c Release --project samples/QuantizationExplorer [-- --dataset scifact] [--rescore 4]
// Needs the shared fixtures (a BEIR dataset under ../shared/data); without them it says so in one line.
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Embeddings;
using Embeddings.Evaluation;
using Embeddings.Samples;
using Embeddings.Static;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var datasetOption = new Option<string>("--dataset", "-d")
{
    Description = "A BEIR dataset under shared/data (scifact, ...) or a BEIR folder.",
    DefaultValueFactory = _ => "scifact",
};
var rescoreOption = new Option<int>("--rescore")
{
    Description = "How many times k candidates the quantized scan keeps for re-ranking with float32 vectors.",
    DefaultValueFactory = _ => 4,
};
rescoreOption.Validators.Add(r =>
{
    if (r.GetValueOrDefault<int>() < 1)
    {
        r.AddError($"--rescore must be at least 1, not {r.GetValueOrDefault<int>()}.");
    }
});
var root = new RootCommand("What each quantizer (float16, int8, binary, PQ, Matryoshka prefix) costs in recall and buys in memory, on a BEIR corpus embedded with the static embedder.")
{
    datasetOption,
    rescoreOption,
};
if (!SampleApp.TryParse(root, args, out ParseResult? parsed, out int exitCode))
{
    return exitCode;
}

string dataset = parsed.GetValue(datasetOption)!;
int rescore = parsed.GetValue(rescoreOption);
if (SampleData.MissingFixtures("QuantizationExplorer", dataset) is string missing)
{
    return SampleApp.Missing(missing);
}

const int K = 10;
var total = Stopwatch.StartNew();
BeirDataset data = BeirDataset.Load(SampleData.Dataset(dataset));
StaticEmbedder embedder = StaticEmbedder.Load((string?)null, o => o.Weighting = WordWeighting.Sif);
float[][] documents = await SampleOutput.ProgressAsync($"Embedding {data.Corpus.Count:N0} documents", 1, async bar =>
{
    float[][] embedded = await ExactRetrieval.EmbedNormalizedAsync(embedder, data.Corpus.Select(d => d.FullText).ToArray(), EmbeddingInputKind.Document);
    bar.Advance();
    return embedded;
});
// Every query of the set is a nearest-neighbour query; the judged ones also give nDCG@10.
float[][] queries = await ExactRetrieval.EmbedNormalizedAsync(embedder, data.AllQueries.Select(q => q.Text).ToArray(), EmbeddingInputKind.Query);
int dimensions = documents[0].Length, count = documents.Length;
float[] flat = documents.SelectMany(v => v).ToArray();
Console.Error.WriteLine($"{data.Corpus.Count:N0} documents and {queries.Length:N0} queries embedded ({dimensions} d) in {total.ElapsedMilliseconds} ms; training quantizers ...");

// Exact float32 neighbours are the reference for recall.
int[][] exact = queries.Select(q => TopK(q, documents, K)).ToArray();

var quantizers = new List<(string Name, IVectorQuantizer Quantizer, DistanceMetric Metric)>
{
    ("float32", new Float32Quantizer(dimensions), DistanceMetric.DotProduct),
    ("float16", new Float16Quantizer(dimensions), DistanceMetric.DotProduct),
    ("int8 (min-max)", ScalarInt8Quantizer.Calibrate(flat, dimensions), DistanceMetric.DotProduct),
    ("int8 (0.1%-99.9% quantiles)", ScalarInt8Quantizer.Calibrate(flat, dimensions, 0.001f, 0.999f), DistanceMetric.DotProduct),
    ("binary, float query (asymmetric)", new BinaryQuantizer(dimensions), DistanceMetric.DotProduct),
    ("binary, Hamming", new BinaryQuantizer(dimensions), DistanceMetric.Hamming),
};
int[] subspaceCounts = [50, 25, 10];
await SampleOutput.ProgressAsync("Training product quantizers", subspaceCounts.Length, bar =>
{
    foreach (int subspaces in subspaceCounts)
    {
        ProductQuantizer pq = ProductQuantizer.Train(flat, dimensions, subspaces);
        quantizers.Add(($"PQ {subspaces} subspaces x 8 bits", pq, DistanceMetric.DotProduct));
        bar.Advance();
    }

    return Task.FromResult(0);
});

quantizers.Add(("first 50 dims (GloVe is not Matryoshka-trained)", new MatryoshkaPrefixQuantizer(dimensions, dimensions / 2), DistanceMetric.DotProduct));

var rows = await SampleOutput.ProgressAsync($"Scanning with {quantizers.Count} representations", quantizers.Count, bar =>
{
    var table = new List<IReadOnlyList<string>>();
    foreach ((string name, IVectorQuantizer quantizer, DistanceMetric metric) in quantizers)
    {
        int bytes = quantizer.BytesPerVector;
        byte[] codes = new byte[(long)bytes * count];
        for (int i = 0; i < count; i++)
        {
            quantizer.Encode(documents[i], codes.AsSpan(i * bytes, bytes));
        }

        double recall = 0, recallRescored = 0;
        var runs = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        var runsRescored = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        var scan = new List<double>(queries.Length);
        for (int q = 0; q < queries.Length; q++)
        {
            long start = Stopwatch.GetTimestamp();
            QuantizedSearchHit[] hits = QuantizedSearch.Scan(quantizer.CreateScorer(queries[q], metric), codes, count, K * rescore);
            scan.Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds);

            int[] approximate = hits.Take(K).Select(h => h.Index).ToArray();
            // Rescoring: re-rank the wider candidate list with the original float32 vectors (kept on disk, say).
            int[] rescored = hits.Select(h => h.Index).OrderByDescending(i => VectorMath.Dot(queries[q], documents[i])).ThenBy(i => i).Take(K).ToArray();
            recall += exact[q].Intersect(approximate).Count() / (double)K;
            recallRescored += exact[q].Intersect(rescored).Count() / (double)K;
            runs[data.AllQueries[q].Id] = approximate.Select(i => data.Corpus[i].Id).ToArray();
            runsRescored[data.AllQueries[q].Id] = rescored.Select(i => data.Corpus[i].Id).ToArray();
        }

        scan.Sort();
        double ndcg = RetrievalEvaluator.Evaluate(runs, data.Judgments, [10]).NdcgAt[10];
        double ndcgRescored = RetrievalEvaluator.Evaluate(runsRescored, data.Judgments, [10]).NdcgAt[10];
        table.Add([name, $"{bytes}", $"{4.0 * dimensions / bytes:F1}x", $"{codes.LongLength / 1024.0:F0} KiB", $"{recall / queries.Length:F3}", $"{recallRescored / queries.Length:F3}", $"{ndcg:F4}", $"{ndcgRescored:F4}", $"{scan[scan.Count / 2]:F0} µs"]);
        bar.Advance();
    }

    return Task.FromResult(table);
});

SampleOutput.Table(
    ["representation", "bytes/vector:", "compression:", "memory:", $"recall@{K}:", $"recall@{K}, {rescore}x rescored:", "nDCG@10:", "nDCG@10 rescored:", "scan per query:"],
    rows,
    $"{Path.GetFileName(data.Directory)}: {count:N0} documents, {queries.Length:N0} queries, {embedder.Fingerprint.ModelId} with SIF weighting, exhaustive search, k = {K}");
Console.WriteLine();
Console.WriteLine($"recall@{K}: overlap with the exact float32 top {K}. Rescored: the top {K * rescore} by the quantized score re-ranked with float32 vectors. " +
    $"Scan: median time of one exhaustive scan over the codes. Total {total.Elapsed.TotalSeconds:F1} s on {Environment.ProcessorCount} cores.");
return 0;

static int[] TopK(float[] query, float[][] documents, int k)
{
    float[] scores = documents.Select(d => VectorMath.Dot(query, d)).ToArray();
    return Enumerable.Range(0, scores.Length).OrderByDescending(i => scores[i]).ThenBy(i => i).Take(k).ToArray();
}
