using System.Diagnostics;
using System.Globalization;
using Embeddings.Evaluation;
using Embeddings.Static;

namespace Embeddings.Benchmarks.Static;

/// <summary>
/// <c>dotnet run -c Release --project benchmarks/Embeddings.Benchmarks -- static-eval [shared-folder]</c>: the
/// static embedder's quality figures (SciFact, MS MARCO subset, STS-B) and load/embedding timings, printed as
/// lines that <c>benchmarks/static/compare.sh</c> reads beside the NumPy reference.
/// </summary>
internal static class StaticHarness
{
    public static async Task<bool> TryRunAsync(string[] args)
    {
        if (args.Length == 0 || args[0] != "static-eval")
        {
            return false;
        }

        string shared = args.Length > 1 ? args[1] : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(StaticModelLocator.ResolveGloVe())!, "..", ".."));
        string modelPath = Path.Combine(shared, "models", "glove-6B-100d-top100k", "vectors.bin");

        var loads = new List<double>();
        StaticEmbeddingModel model = null!;
        for (int i = 0; i < 5; i++)
        {
            var watch = Stopwatch.StartNew();
            model = StaticEmbeddingModel.Load(modelPath);
            loads.Add(watch.Elapsed.TotalMilliseconds);
        }

        Print("load_ms_median", Median(loads));

        var sts = SentencePairDatasets.LoadStsBenchmark(Path.Combine(shared, "data", "stsbenchmark", "sts-test.csv"));
        var stsTrain = SentencePairDatasets.LoadStsBenchmark(Path.Combine(shared, "data", "stsbenchmark", "sts-train.csv"));
        string[] sentences = sts.SelectMany(p => new[] { p.Sentence1, p.Sentence2 }).ToArray();
        var plain = new StaticEmbedder(model);
        var sif = plain.With(o => o.Weighting = WordWeighting.Sif);
        var sifWeights = sif.With(o => o.ModelCommonComponents = 0);
        float[] buffer = new float[model.Dimensions];
        foreach ((string name, StaticEmbedder embedder) in new[] { ("mean", plain), ("sif", sif) })
        {
            var rates = new List<double>();
            for (int warmup = 0; warmup < 3; warmup++)
            {
                foreach (string sentence in sentences)
                {
                    embedder.Embed(sentence, buffer);
                }
            }

            for (int r = 0; r < 5; r++)
            {
                var watch = Stopwatch.StartNew();
                foreach (string sentence in sentences)
                {
                    embedder.Embed(sentence, buffer);
                }

                rates.Add(sentences.Length / watch.Elapsed.TotalSeconds);
            }

            Print($"embed_sentences_per_s_{name}", Median(rates));
        }

        var scifact = BeirDataset.Load(Path.Combine(shared, "data", "scifact"));
        var msmarco = BeirDataset.Load(Path.Combine(shared, "data", "msmarco-trec-dl-subset"));
        var sifPcSts = sif.With(o => o.CommonComponents = sif.FitCommonComponents(stsTrain.SelectMany(p => new[] { p.Sentence1, p.Sentence2 })));

        // sif_weights: SIF weights alone; sif: the default SIF (weights, then the model's first principal component removed).
        foreach ((string name, StaticEmbedder embedder) in new[] { ("mean", plain), ("sif_weights", sifWeights), ("sif", sif) })
        {
            Print($"scifact_ndcg10_{name}", await NdcgAsync(embedder, scifact));
            Print($"msmarco_ndcg10_{name}", await NdcgAsync(embedder, msmarco));
            Print($"stsb_spearman_{name}", (await SimilarityEvaluator.EvaluateAsync(embedder, sts)).Spearman);
        }

        // SIF with the common component fitted on each task's own unlabeled text instead (the corpus; STS-B train sentences).
        Print("scifact_ndcg10_sif_pc", await NdcgAsync(sif.With(o => o.CommonComponents = sif.FitCommonComponents(scifact.Corpus.Select(d => d.FullText))), scifact));
        Print("msmarco_ndcg10_sif_pc", await NdcgAsync(sif.With(o => o.CommonComponents = sif.FitCommonComponents(msmarco.Corpus.Select(d => d.FullText))), msmarco));
        Print("stsb_spearman_sif_pc", (await SimilarityEvaluator.EvaluateAsync(sifPcSts, sts)).Spearman);
        return true;
    }

    private static async Task<double> NdcgAsync(StaticEmbedder embedder, BeirDataset dataset)
    {
        var rankings = await ExactRetrieval.SearchAsync(embedder, dataset, k: 10);
        return RetrievalEvaluator.Evaluate(rankings, dataset.Judgments, [10]).NdcgAt[10];
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        return values[values.Count / 2];
    }

    private static void Print(string name, double value) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name} {value:F4}"));
}
