// StaticDistill: remakes the committed static default, and measures static models beside the teacher.
//
//   dotnet run -c Release --project benchmarks/static/StaticDistill -- distill [out-folder] [--dims 256] [--weighting zipf|sif|none] [--no-pca] [--storage int8|float16|float32] [--threads N] [--words N] [--normalize] [--drop-components N]
//   dotnet run -c Release --project benchmarks/static/StaticDistill -- eval [model2vec-folder ...] [--no-teacher] [--quick]
//   dotnet run -c Release --project benchmarks/static/StaticDistill -- latency [model2vec-folder] [--passes 5]
//   dotnet run -c Release --project benchmarks/static/StaticDistill -- tokenize model2vec-folder out-folder
//     (writes the row ids each evaluation text pools, for trying recipes on a float32 table outside .NET: benchmarks/static/recipes.py)
using System.Diagnostics;
using System.Globalization;
using Embeddings;
using Embeddings.Distillation;
using Embeddings.Evaluation;
using Embeddings.Onnx;
using Embeddings.Static;
using StaticDistill;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
if (args.Length == 0 || args[0] is not ("distill" or "eval" or "latency" or "tokenize"))
{
    Console.Error.WriteLine("usage: distill [out-folder] [--dims N] [--weighting zipf|sif|none] [--no-pca] [--storage int8|float16|float32] [--threads N] [--words N] [--normalize] [--drop-components N] | eval [folders...] [--no-teacher] [--quick] | latency [folder] [--passes N]");
    return 2;
}

string? Option(string name) => Array.IndexOf(args, name) is int i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
bool Flag(string name) => args.Contains(name);
string[] valueOptions = ["--dims", "--drop-components", "--weighting", "--storage", "--threads", "--words", "--passes"];
var positional = new List<string>();
for (int i = 1; i < args.Length; i++)
{
    if (valueOptions.Contains(args[i]))
    {
        i++;
    }
    else if (!args[i].StartsWith("--", StringComparison.Ordinal))
    {
        positional.Add(args[i]);
    }
}


if (args[0] == "distill")
{
    var options = new StaticDistillerOptions
    {
        Dimensions = int.Parse(Option("--dims") ?? "256", CultureInfo.InvariantCulture),
        ApplyPca = !Flag("--no-pca"),
        NormalizeBeforePca = Flag("--normalize"),
        DroppedLeadingComponents = int.Parse(Option("--drop-components") ?? "0", CultureInfo.InvariantCulture),
        Weighting = (Option("--weighting") ?? "zipf") switch
        {
            "sif" => TokenWeighting.Sif,
            "none" => TokenWeighting.None,
            _ => TokenWeighting.ZipfLogRank,
        },
        TeacherName = "sentence-transformers/all-MiniLM-L6-v2",
    };
    Model2VecStorage storage = (Option("--storage") ?? "int8") switch
    {
        "float16" => Model2VecStorage.Float16,
        "float32" => Model2VecStorage.Float32,
        _ => Model2VecStorage.Int8,
    };
    int threads = int.Parse(Option("--threads") ?? "2", CultureInfo.InvariantCulture);
    var watch = Stopwatch.StartNew();
    using OnnxEmbedder teacher = await OnnxEmbedder.LoadAsync(PackagedModels.AllMiniLML6V2, new OnnxEmbedderOptions { IntraOpThreads = threads });
    double loadSeconds = watch.Elapsed.TotalSeconds;
    int wordCount = int.Parse(Option("--words") ?? "0", CultureInfo.InvariantCulture);
    if (wordCount > 0)
    {
        options.Vocabulary = WordList(teacher, wordCount);
        Console.Error.WriteLine($"  {options.Vocabulary.Count} GloVe words added ({watch.Elapsed.TotalSeconds:F1} s)");
    }

    var distiller = new StaticDistiller(options);
    int lastPercent = -1;
    var progress = new Progress<StaticDistillationProgress>(p =>
    {
        int percent = p.Total == 0 ? 100 : p.Completed * 100 / p.Total;
        if (p.Stage != "embed" || percent / 10 != lastPercent / 10)
        {
            lastPercent = percent;
            Console.Error.WriteLine($"  {p.Stage} {p.Completed}/{p.Total} ({watch.Elapsed.TotalSeconds:F1} s)");
        }
    });
    StaticDistillation distillation = await distiller.DistillAsync(teacher, progress);
    double distillSeconds = watch.Elapsed.TotalSeconds - loadSeconds;
    string output = positional.Count > 0
        ? Path.GetFullPath(positional[0])
        : Path.Combine(RepositoryRoot(), "src", "Embeddings.Static", "DefaultModel", distillation.SuggestedName);
    distillation.Save(output, storage);
    long bytes = Directory.GetFiles(output).Sum(f => new FileInfo(f).Length);
    Console.WriteLine($"distilled {distillation.Vocabulary.Count} tokens x {distillation.Dimensions} d from {distillation.Teacher} in {distillSeconds:F1} s " +
        $"(teacher load {loadSeconds:F1} s, {threads} intra-op threads, explained variance {distillation.ExplainedVarianceRatio:F3}); wrote {output} ({bytes / 1048576.0:F1} MiB, {storage})");
    return 0;
}

if (args[0] == "tokenize")
{
    if (positional.Count < 2)
    {
        Console.Error.WriteLine("usage: tokenize model2vec-folder out-folder");
        return 2;
    }

    TokenDump.Write(StaticEmbeddingModel.Load(positional[0]), SharedRoot(), positional[1]);
    return 0;
}

if (args[0] == "latency")
{
    return await LatencyBenchmark.RunAsync(
        positional.Count > 0 ? positional[0] : StaticModelLocator.Resolve(),
        SharedRoot(),
        int.Parse(Option("--passes") ?? "5", CultureInfo.InvariantCulture));
}

// eval
string shared = SharedRoot();
bool quick = Flag("--quick");
var scifact = BeirDataset.Load(Path.Combine(shared, "data", "scifact"));
var msmarco = BeirDataset.Load(Path.Combine(shared, "data", "msmarco-trec-dl-subset"));
var sts = SentencePairDatasets.LoadStsBenchmark(Path.Combine(shared, "data", "stsbenchmark", "sts-test.csv"));
var sick = SentencePairDatasets.LoadSick(Path.Combine(shared, "data", "sick", "SICK.txt"));
string[] throughputSentences = sts.SelectMany(p => new[] { p.Sentence1, p.Sentence2 }).ToArray();

var models = new List<(string Name, IEmbedder Embedder, IEmbedder Speed, StaticEmbedder? Static)>();
foreach (string folder in positional.Count > 0 ? positional : [StaticModelLocator.Resolve()])
{
    var embedder = StaticEmbedder.Load(folder);
    models.Add(($"distilled: {embedder.Fingerprint.ModelId}", embedder, embedder, embedder));
}

var glove = StaticEmbedder.Load(StaticModelLocator.ResolveGloVe(), o => o.Weighting = WordWeighting.Sif);
models.Add(("GloVe 6B 100d SIF", glove, glove, glove));
if (!Flag("--no-teacher"))
{
    // Quality on every core (it is the same model); speed on one intra-op thread.
    OnnxEmbedder teacher = await OnnxEmbedder.LoadAsync(PackagedModels.AllMiniLML6V2);
    OnnxEmbedder teacherOneThread = await OnnxEmbedder.LoadAsync(PackagedModels.AllMiniLML6V2, new OnnxEmbedderOptions { IntraOpThreads = 1 });
    models.Add(("teacher: all-MiniLM-L6-v2 (ONNX)", teacher, teacherOneThread, null));
}

Console.WriteLine("| model | SciFact nDCG@10 | SciFact R@100 | MS MARCO nDCG@10 | MS MARCO R@100 | STS-B ρ | SICK ρ | sentences/s (1 thread) | query + search 5k docs p50 |");
Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
foreach ((string name, IEmbedder embedder, IEmbedder speed, StaticEmbedder? staticEmbedder) in models)
{
    var total = Stopwatch.StartNew();
    (double scifactNdcg, double scifactRecall) = await RetrievalAsync(embedder, scifact);
    (double msmarcoNdcg, double msmarcoRecall) = await RetrievalAsync(embedder, msmarco);
    double stsb = (await SimilarityEvaluator.EvaluateAsync(embedder, sts)).Spearman;
    double sickRho = (await SimilarityEvaluator.EvaluateAsync(embedder, sick)).Spearman;
    double rate = await ThroughputAsync(speed, staticEmbedder, quick || staticEmbedder is null ? throughputSentences.Take(1000).ToArray() : throughputSentences);
    double latency = await QueryLatencyAsync(speed, staticEmbedder, msmarco);
    Console.WriteLine($"| {name} | {scifactNdcg:F4} | {scifactRecall:F4} | {msmarcoNdcg:F4} | {msmarcoRecall:F4} | {stsb:F4} | {sickRho:F4} | {rate:N0} | {latency:F3} ms |");
    Console.Error.WriteLine($"  {name}: {total.Elapsed.TotalSeconds:F1} s");
}

Console.WriteLine();
Console.WriteLine($"{Environment.ProcessorCount} cores, load {LoadAverage()}, {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}. " +
    "Throughput: STS-B test sentences embedded one at a time on one thread (static: Embed into a buffer; teacher: GenerateAsync of one sentence, 1 intra-op thread), median of 5 passes after warm-up. " +
    "Query latency: embed one MS MARCO query, scan its 5,000 document vectors (float32 dot products) and keep the top 100 (bounded min-heap), median over 5 passes of the queries after warm-up.");
return 0;

// The vocabulary to add: the most frequent words of GloVe 6B (Wikipedia + Gigaword, a general English frequency list,
// not any evaluation corpus), letters only, that the teacher splits into two or more WordPiece pieces, in GloVe's order.
static string[] WordList(OnnxEmbedder teacher, int count)
{
    StaticEmbeddingModel glove = StaticEmbeddingModel.Load(StaticModelLocator.ResolveGloVe());
    var words = new List<string>(count);
    foreach (string word in glove.Vocabulary)
    {
        if (word.Length >= 2 && word.All(c => c is >= 'a' and <= 'z') && teacher.Tokenize(word).Count >= 4)
        {
            words.Add(word);
            if (words.Count == count)
            {
                break;
            }
        }
    }

    return [.. words];
}

static async Task<(double Ndcg, double Recall)> RetrievalAsync(IEmbedder embedder, BeirDataset dataset)
{
    var rankings = await ExactRetrieval.SearchAsync(embedder, dataset, k: 100);
    RetrievalReport report = RetrievalEvaluator.Evaluate(rankings, dataset.Judgments, [10, 100]);
    return (report.NdcgAt[10], report.RecallAt[100]);
}

static async Task<double> ThroughputAsync(IEmbedder embedder, StaticEmbedder? staticEmbedder, string[] sentences)
{
    float[] buffer = new float[embedder.Dimensions];
    async Task Pass()
    {
        foreach (string sentence in sentences)
        {
            if (staticEmbedder is not null)
            {
                staticEmbedder.Embed(sentence, buffer);
            }
            else
            {
                await embedder.GenerateAsync([sentence]);
            }
        }
    }

    await Pass();
    var rates = new List<double>();
    for (int r = 0; r < (staticEmbedder is null ? 3 : 5); r++)
    {
        var watch = Stopwatch.StartNew();
        await Pass();
        rates.Add(sentences.Length / watch.Elapsed.TotalSeconds);
    }

    rates.Sort();
    return rates[rates.Count / 2];
}

static async Task<double> QueryLatencyAsync(IEmbedder embedder, StaticEmbedder? staticEmbedder, BeirDataset dataset)
{
    float[][] documents = await ExactRetrieval.EmbedNormalizedAsync(embedder, dataset.Corpus.Select(d => d.FullText).ToArray(), EmbeddingInputKind.Document);
    int d = embedder.Dimensions;
    float[] matrix = documents.SelectMany(v => v).ToArray();
    float[] query = new float[d];
    float[] scores = new float[documents.Length];
    var latencies = new List<double>();
    // Warm-up until the JIT has promoted the loop and PriorityQueue<int, float> to optimized code (about 2,000 calls;
    // with ~50 queries three passes were not enough on a loaded machine, and tier-0 code measured 2-3 ms), then 5 passes.
    int warmup = Math.Max(1, (2000 + dataset.Queries.Count - 1) / dataset.Queries.Count);
    for (int repeat = 0; repeat < warmup + 5; repeat++)
    {
        foreach (BeirQuery q in dataset.Queries)
        {
            long start = Stopwatch.GetTimestamp();
            if (staticEmbedder is not null)
            {
                staticEmbedder.Embed(q.Text, query);
            }
            else
            {
                (await embedder.GenerateAsync([q.Text])).First().Vector.Span.CopyTo(query);
            }

            for (int i = 0; i < documents.Length; i++)
            {
                scores[i] = System.Numerics.Tensors.TensorPrimitives.Dot(query, matrix.AsSpan(i * d, d));
            }

            _ = LatencyBenchmark.TopBounded(scores, 100);
            if (repeat >= warmup)
            {
                latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
        }
    }

    latencies.Sort();
    return latencies[latencies.Count / 2];
}

static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";

static string RepositoryRoot()
{
    for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "Embeddings.Core.sln")))
        {
            return dir.FullName;
        }
    }

    throw new DirectoryNotFoundException("Embeddings.Core.sln was not found above the program folder; pass the output folder.");
}

static string SharedRoot()
{
    string? shared = Environment.GetEnvironmentVariable("EMBEDDINGS_SHARED");
    if (!string.IsNullOrWhiteSpace(shared))
    {
        return shared;
    }

    for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        foreach (string candidate in new[] { Path.Combine(dir.FullName, "shared"), Path.Combine(dir.FullName, "..", "shared") })
        {
            if (Directory.Exists(Path.Combine(candidate, "data")))
            {
                return Path.GetFullPath(candidate);
            }
        }
    }

    throw new DirectoryNotFoundException("The shared fixtures folder was not found; set EMBEDDINGS_SHARED.");
}
