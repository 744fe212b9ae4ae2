using System.Globalization;
using Embeddings.Evaluation;
using Embeddings.Static;

namespace Embeddings.Benchmarks.Quantization;

/// <summary>
/// `dotnet run -c Release --project benchmarks/Embeddings.Benchmarks -- quantization-retention SHARED_DIR`:
/// nDCG@10 on SciFact (test) and the MS MARCO subset with the static GloVe embedder (mean pooling, exact search)
/// for every stored representation of the documents; queries stay float32 (asymmetric scoring). Prints a markdown table.
/// </summary>
internal static class RetentionHarness
{
    private const int Depth = 100;
    private const int PqSubspaces = 25;

    public static async Task RunAsync(string[] args)
    {
        string shared = args.Length > 0 ? args[0] : "../shared";
        var model = StaticEmbeddingModel.Load(Path.Combine(shared, "models", "glove-6B-100d-top100k", "vectors.bin"));
        using var embedder = new StaticEmbedder(model, new StaticEmbedderOptions());
        string[] datasets = ["scifact", "msmarco-trec-dl-subset"];
        var rows = new List<(string Name, int Bytes, double[] Ndcg)>();
        for (int s = 0; s < datasets.Length; s++)
        {
            BeirDataset dataset = BeirDataset.Load(Path.Combine(shared, "data", datasets[s]));
            float[][] documents = await ExactRetrieval.EmbedNormalizedAsync(embedder, dataset.Corpus.Select(d => d.FullText).ToArray(), EmbeddingInputKind.Document).ConfigureAwait(false);
            float[][] queries = await ExactRetrieval.EmbedNormalizedAsync(embedder, dataset.Queries.Select(q => q.Text).ToArray(), EmbeddingInputKind.Query).ConfigureAwait(false);
            int d = documents[0].Length;
            float[] flat = documents.SelectMany(v => v).ToArray();
            string[] ids = dataset.Corpus.Select(doc => doc.Id).ToArray();

            var candidates = new List<(string Name, Func<float[], QuantizedSearchHit[]> Search, int Bytes)>();
            void AddScan(string name, IVectorQuantizer quantizer, DistanceMetric metric)
            {
                byte[] codes = Encode(quantizer, flat, d);
                candidates.Add((name, q => QuantizedSearch.Scan(quantizer.CreateScorer(q, metric), codes, ids.Length, Depth), quantizer.BytesPerVector));
            }

            void AddTwoStage(string name, IVectorQuantizer coarse, IVectorQuantizer fine, int multiplier)
            {
                TwoStageRetriever retriever = TwoStageRetriever.Build(coarse, fine, flat, DistanceMetric.DotProduct);
                candidates.Add((name, q => retriever.Search(q, Depth, multiplier), retriever.BytesPerVector));
            }

            AddScan("float32", new Float32Quantizer(d), DistanceMetric.DotProduct);
            AddScan("float16", new Float16Quantizer(d), DistanceMetric.DotProduct);
            AddScan("int8 (min/max calibrated on the corpus)", ScalarInt8Quantizer.Calibrate(flat, d), DistanceMetric.DotProduct);
            AddScan("binary (Hamming)", new BinaryQuantizer(d), DistanceMetric.Hamming);
            AddScan("binary (asymmetric: float query vs signs)", new BinaryQuantizer(d), DistanceMetric.DotProduct);
            AddTwoStage("binary + float32 rescoring, multiplier 4", new BinaryQuantizer(d), new Float32Quantizer(d), 4);
            AddTwoStage("binary + int8 rescoring, multiplier 4", new BinaryQuantizer(d), ScalarInt8Quantizer.Calibrate(flat, d), 4);
            AddScan($"PQ m={PqSubspaces} nbits=8 (trained on the corpus)", ProductQuantizer.Train(flat, d, PqSubspaces), DistanceMetric.DotProduct);
            AddScan($"Matryoshka-style half ({d / 2} dims, re-normalized)", new MatryoshkaPrefixQuantizer(d, d / 2), DistanceMetric.DotProduct);
            AddTwoStage($"half ({d / 2} dims) + float32 rescoring, multiplier 4", new MatryoshkaPrefixQuantizer(d, d / 2), new Float32Quantizer(d), 4);

            for (int c = 0; c < candidates.Count; c++)
            {
                var rankings = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
                for (int q = 0; q < queries.Length; q++)
                {
                    rankings[dataset.Queries[q].Id] = candidates[c].Search(queries[q]).Select(h => ids[h.Index]).ToArray();
                }

                double ndcg = RetrievalEvaluator.Evaluate(rankings, dataset.Judgments, [10]).NdcgAt[10];
                if (s == 0)
                {
                    rows.Add((candidates[c].Name, candidates[c].Bytes, new double[datasets.Length]));
                }

                rows[c].Ndcg[s] = ndcg;
            }
        }

        Console.WriteLine("| documents stored as | bytes/vector | SciFact nDCG@10 | retained | MS MARCO subset nDCG@10 | retained |");
        Console.WriteLine("|---|---|---|---|---|---|");
        foreach ((string name, int bytes, double[] ndcg) in rows)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {bytes} | {ndcg[0]:F4} | {100 * ndcg[0] / rows[0].Ndcg[0]:F2}% | {ndcg[1]:F4} | {100 * ndcg[1] / rows[0].Ndcg[1]:F2}% |"));
        }
    }

    private static byte[] Encode(IVectorQuantizer quantizer, float[] vectors, int d)
    {
        int n = vectors.Length / d;
        var codes = new byte[n * quantizer.BytesPerVector];
        for (int i = 0; i < n; i++)
        {
            quantizer.Encode(vectors.AsSpan(i * d, d), codes.AsSpan(i * quantizer.BytesPerVector, quantizer.BytesPerVector));
        }

        return codes;
    }
}
