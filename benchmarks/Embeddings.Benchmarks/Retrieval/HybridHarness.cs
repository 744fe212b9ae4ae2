using System.Diagnostics;
using System.Globalization;
using Embeddings.Evaluation;
using Embeddings.Onnx;
using Embeddings.Static;
using Microsoft.Extensions.AI;

namespace Embeddings.Benchmarks.Retrieval;

/// <summary>
/// <c>dotnet run -c Release --project benchmarks/Embeddings.Benchmarks -- retrieval-hybrid [--shared DIR] [--static PATH] [--sets a,b] [--models static-default,static,static-sif,minilm] [--dump DIR]</c>:
/// BM25, dense and hybrid nDCG@10 on SciFact, the MS MARCO subset and Cranfield, with the static model at PATH
/// (default: GloVe in the shared folder) and all-MiniLM-L6-v2. Fusion settings are compared on the dev queries
/// only; the test table reports the library's default <see cref="HybridSearchOptions"/>.
/// </summary>
internal static class HybridHarness
{
    public const string Command = "retrieval-hybrid";
    private const int Depth = 100;

    public static async Task<int> RunAsync(string[] args)
    {
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        string shared = Option(args, "--shared") ?? Path.GetFullPath("../shared");
        string staticPath = Option(args, "--static") ?? Path.Combine(shared, "models", "glove-6B-100d-top100k", "vectors.bin");
        string[] setNames = (Option(args, "--sets") ?? string.Join(',', RetrievalSet.Names)).Split(',');
        string[] modelNames = (Option(args, "--models") ?? "static-default,minilm").Split(',');
        string? dump = Option(args, "--dump");
        string cache = Option(args, "--cache") ?? Path.GetFullPath(Path.Combine("benchmarks", ".cache"));
        var total = Stopwatch.StartNew();

        var models = new List<(string Name, string Key, Func<Task<IEmbeddingGenerator<string, Embedding<float>>>> Load)>();
        string staticKey = Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(staticPath))) + "-" + new FileInfo(staticPath).Length.ToString(CultureInfo.InvariantCulture);
        StaticEmbedder? staticModel = null;
        StaticEmbedder LoadStatic() => staticModel ??= StaticEmbedder.Load(staticPath);
        foreach (string name in modelNames)
        {
            switch (name)
            {
                case "static-default":
                    models.Add(($"static default ({StaticDefaultModel.Name}, UseStaticModel())", "static-default-" + StaticDefaultModel.Name, () => Task.FromResult<IEmbeddingGenerator<string, Embedding<float>>>(StaticEmbedder.Load((string?)null))));
                    break;
                case "static":
                    models.Add(($"static ({Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(staticPath)))}, default options)", staticKey, () => Task.FromResult<IEmbeddingGenerator<string, Embedding<float>>>(LoadStatic())));
                    break;
                case "static-sif":
                    models.Add(($"static ({Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(staticPath)))}, SIF)", staticKey + "-sif", () => Task.FromResult<IEmbeddingGenerator<string, Embedding<float>>>(LoadStatic().With(o => o.Weighting = WordWeighting.Sif))));
                    break;
                case "minilm":
                    models.Add(("all-MiniLM-L6-v2", "all-MiniLM-L6-v2", async () => await OnnxEmbedder.LoadAsync(PackagedModels.AllMiniLML6V2)));
                    break;
                default:
                    throw new ArgumentException($"Unknown model '{name}'; use static-default, static, static-sif or minilm.");
            }
        }

        var pairs = new List<Pair>();
        foreach (string setName in setNames)
        {
            RetrievalSet set = RetrievalSet.Load(shared, setName, cache);
            Console.Error.WriteLine($"{set.Name}: {set.Data.Corpus.Count} documents, {set.DevQueries.Count} dev / {set.TestQueries.Count} test queries");
            var lexical = new Bm25Index();
            foreach (BeirDocument document in set.Data.Corpus)
            {
                lexical.Upsert(document.Id, document.FullText);
            }

            Dictionary<string, IReadOnlyList<VectorSearchResult>> bm25 = set.DevQueries.Concat(set.TestQueries).ToDictionary(q => q.Id, q => lexical.Search(q.Text, Depth));
            foreach ((string name, string key, Func<Task<IEmbeddingGenerator<string, Embedding<float>>>> load) in models)
            {
                DenseRetriever dense = await DenseRetriever.CreateAsync(new LazyGenerator(load), key, set, cache);
                Dictionary<string, IReadOnlyList<VectorSearchResult>> vectors = set.DevQueries.Concat(set.TestQueries).ToDictionary(q => q.Id, q => dense.Search(q.Id, Depth));
                pairs.Add(new Pair(set, name, bm25, vectors));
                if (dump is not null)
                {
                    Dump(dump, set, key, bm25, vectors);
                }
            }
        }

        // Dev: every candidate fusion, scored by its margin over the better of its two parts.
        (string Name, HybridSearchOptions Options)[] candidates = Candidates().ToArray();
        var devRows = new List<(string Name, double[] Margins)>();
        foreach ((string name, HybridSearchOptions options) in candidates)
        {
            double[] margins = pairs.Select(p => p.Margin(options, dev: true)).ToArray();
            devRows.Add((name, margins));
        }

        Console.WriteLine("Dev queries only (SciFact train qrels; odd positions of the MS MARCO subset and Cranfield). Margin = hybrid nDCG@10 − max(BM25, dense).");
        Console.WriteLine();
        Console.WriteLine("| set | dense model | dev queries | BM25 | dense |");
        Console.WriteLine("|---|---|---:|---:|---:|");
        foreach (Pair pair in pairs)
        {
            Console.WriteLine($"| {pair.Set.Name} | {pair.Model} | {pair.Set.DevQueries.Count} | {pair.Bm25(dev: true):F4} | {pair.Dense(dev: true):F4} |");
        }

        Console.WriteLine();
        Console.WriteLine("| fusion (dev) | worst margin | mean margin | " + string.Join(" | ", pairs.Select(p => $"{Short(p.Set.Name)} / {ShortModel(p.Model)}")) + " |");
        Console.WriteLine("|---|---:|---:|" + string.Concat(pairs.Select(_ => "---:|")));
        foreach ((string name, double[] margins) in devRows.OrderByDescending(r => r.Margins.Min()).ThenByDescending(r => r.Margins.Average()))
        {
            Console.WriteLine($"| {name} | {margins.Min():+0.0000;-0.0000} | {margins.Average():+0.0000;-0.0000} | " + string.Join(" | ", margins.Select(m => m.ToString("+0.0000;-0.0000", CultureInfo.InvariantCulture))) + " |");
        }

        var defaults = new HybridSearchOptions();
        Console.WriteLine();
        Console.WriteLine($"Test queries, library default fusion: {Describe(defaults)}.");
        Console.WriteLine();
        Console.WriteLine("| set | dense model | test queries | BM25 | dense | default hybrid | hybrid − max(BM25, dense) | ≥ −0.005 |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|---:|---|");
        bool all = true;
        foreach (Pair pair in pairs)
        {
            double bm25 = pair.Bm25(dev: false), dense = pair.Dense(dev: false), hybrid = pair.Hybrid(defaults, dev: false);
            double margin = hybrid - Math.Max(bm25, dense);
            all &= margin >= -0.005;
            Console.WriteLine($"| {pair.Set.Name} | {pair.Model} | {pair.Set.TestQueries.Count} | {bm25:F4} | {dense:F4} | {hybrid:F4} | {margin:+0.0000;-0.0000} | {(margin >= -0.005 ? "yes" : "**no**")} |");
        }

        Console.WriteLine();
        (string Name, HybridSearchOptions Options)[] alternatives = devRows.OrderByDescending(r => r.Margins.Min()).ThenByDescending(r => r.Margins.Average())
            .Take(4).Select(r => candidates.First(c => c.Name == r.Name)).ToArray();
        Console.WriteLine("Test queries, the four best fusions on dev (worst dev margin): hybrid − max(BM25, dense) on test.");
        Console.WriteLine();
        Console.WriteLine("| fusion | worst test margin | " + string.Join(" | ", pairs.Select(p => $"{Short(p.Set.Name)} / {ShortModel(p.Model)}")) + " |");
        Console.WriteLine("|---|---:|" + string.Concat(pairs.Select(_ => "---:|")));
        foreach ((string name, HybridSearchOptions options) in alternatives)
        {
            double[] margins = pairs.Select(p => p.Margin(options, dev: false)).ToArray();
            Console.WriteLine($"| {name} | {margins.Min():+0.0000;-0.0000} | " + string.Join(" | ", margins.Select(m => m.ToString("+0.0000;-0.0000", CultureInfo.InvariantCulture))) + " |");
        }

        Console.WriteLine();
        Console.WriteLine($"GloVe path (models static, static-sif): {staticPath}. BM25: {nameof(Bm25Index)} defaults (k1 0.9, b 0.4, English analyzer). Depth {Depth} per retriever. " +
            $"{Environment.ProcessorCount} cores, total {total.Elapsed.TotalSeconds:F0} s.");
        return all ? 0 : 1;
    }

    /// <summary>Writes both runs and the qrels as TSV, for exploring fusion rules outside this program.</summary>
    private static void Dump(string folder, RetrievalSet set, string modelKey, Dictionary<string, IReadOnlyList<VectorSearchResult>> bm25, Dictionary<string, IReadOnlyList<VectorSearchResult>> dense)
    {
        Directory.CreateDirectory(folder);
        using (var runs = new StreamWriter(Path.Combine(folder, $"{set.Name}.{modelKey}.runs.tsv")))
        {
            foreach ((bool isDev, IReadOnlyList<BeirQuery> queries) in new[] { (true, set.DevQueries), (false, set.TestQueries) })
            {
                foreach (BeirQuery query in queries)
                {
                    foreach ((string source, IReadOnlyList<VectorSearchResult> list) in new[] { ("bm25", bm25[query.Id]), ("dense", dense[query.Id]) })
                    {
                        for (int i = 0; i < list.Count; i++)
                        {
                            runs.WriteLine($"{(isDev ? "dev" : "test")}\t{query.Id}\t{source}\t{i}\t{list[i].Key}\t{list[i].Score.ToString("R", CultureInfo.InvariantCulture)}");
                        }
                    }
                }
            }
        }

        using var qrels = new StreamWriter(Path.Combine(folder, $"{set.Name}.qrels.tsv"));
        foreach ((string split, IReadOnlyList<BeirQuery> queries, RelevanceJudgments judgments) in new[] { ("dev", set.DevQueries, set.DevQrels), ("test", set.TestQueries, set.TestQrels) })
        {
            foreach (BeirQuery query in queries)
            {
                foreach (KeyValuePair<string, int> judged in judgments.ForQuery(query.Id))
                {
                    qrels.WriteLine($"{split}\t{query.Id}\t{judged.Key}\t{judged.Value}");
                }
            }
        }
    }

    private static IEnumerable<(string, HybridSearchOptions)> Candidates()
    {
        foreach (int k in new[] { 1, 5, 10, 20, 40, 60 })
        {
            foreach (double w in new[] { 0.5, 0.6, 0.7, 0.8 })
            {
                var o = new HybridSearchOptions { Fusion = FusionMethod.ReciprocalRank, RankConstant = k, LexicalWeight = w, VectorWeight = 1 - w };
                yield return (Describe(o), o);
            }
        }

        foreach (ScoreNormalization normalization in new[] { ScoreNormalization.MinMax, ScoreNormalization.ZScore })
        {
            foreach (double w in new[] { 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9 })
            {
                var o = new HybridSearchOptions { Fusion = FusionMethod.WeightedScore, Normalization = normalization, LexicalWeight = w, VectorWeight = 1 - w };
                yield return (Describe(o), o);
            }
        }
    }

    internal static string Describe(HybridSearchOptions o) => o.Fusion == FusionMethod.ReciprocalRank
        ? $"RRF k={o.RankConstant}, BM25 weight {o.LexicalWeight:0.##} / dense {o.VectorWeight:0.##}"
        : $"{o.Normalization} convex, BM25 weight {o.LexicalWeight:0.##} / dense {o.VectorWeight:0.##}";

    private static string Short(string set) => set switch { "scifact" => "SciFact", "msmarco-trec-dl-subset" => "MS MARCO", "cranfield" => "Cranfield", _ => set };

    private static string ShortModel(string model) => model.StartsWith("all-MiniLM", StringComparison.Ordinal) ? "MiniLM"
        : model.StartsWith("static default", StringComparison.Ordinal) ? "static default"
        : model.Contains("SIF", StringComparison.Ordinal) ? "GloVe SIF" : "GloVe";

    private static string? Option(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private sealed class Pair(RetrievalSet set, string model, Dictionary<string, IReadOnlyList<VectorSearchResult>> bm25, Dictionary<string, IReadOnlyList<VectorSearchResult>> dense)
    {
        private readonly Dictionary<bool, (double Bm25, double Dense)> _parts = [];

        public RetrievalSet Set { get; } = set;

        public string Model { get; } = model;

        public double Bm25(bool dev) => Parts(dev).Bm25;

        public double Dense(bool dev) => Parts(dev).Dense;

        public double Hybrid(HybridSearchOptions options, bool dev) =>
            Ndcg(dev, q => HybridSearcher.Fuse(bm25[q.Id], dense[q.Id], Depth, options));

        public double Margin(HybridSearchOptions options, bool dev) => Hybrid(options, dev) - Math.Max(Bm25(dev), Dense(dev));

        private (double Bm25, double Dense) Parts(bool dev)
        {
            if (!_parts.TryGetValue(dev, out (double, double) parts))
            {
                parts = (Ndcg(dev, q => bm25[q.Id]), Ndcg(dev, q => dense[q.Id]));
                _parts[dev] = parts;
            }

            return parts;
        }

        private double Ndcg(bool dev, Func<BeirQuery, IReadOnlyList<VectorSearchResult>> search)
        {
            IReadOnlyList<BeirQuery> queries = dev ? Set.DevQueries : Set.TestQueries;
            var runs = queries.ToDictionary(q => q.Id, q => (IReadOnlyList<string>)search(q).Select(r => r.Key).ToArray());
            return RetrievalEvaluator.Evaluate(runs, dev ? Set.DevQrels : Set.TestQrels, [10]).NdcgAt[10];
        }
    }

    /// <summary>Loads the model only when a cache misses, so cached reruns never start ONNX Runtime.</summary>
    private sealed class LazyGenerator(Func<Task<IEmbeddingGenerator<string, Embedding<float>>>> load) : IEmbeddingGenerator<string, Embedding<float>>
    {
        private IEmbeddingGenerator<string, Embedding<float>>? _inner;

        public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
        {
            _inner ??= await load();
            return await _inner.GenerateAsync(values, options, cancellationToken);
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose() => _inner?.Dispose();
    }
}
