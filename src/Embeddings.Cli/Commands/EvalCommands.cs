using System.CommandLine;
using System.Globalization;
using Embeddings.Cli.Hosting;
using Embeddings.Cli.Output;
using Embeddings.Evaluation;

namespace Embeddings.Cli.Commands;

/// <summary><c>eval beir</c>: exact retrieval over a BEIR folder, scored as BEIR and MTEB score it (nDCG@10, recall@100, ...).</summary>
internal static class EvalCommands
{
    public static Command Create(CliConsole console)
    {
        var command = new Command("eval", "Evaluate a model.");
        command.Subcommands.Add(CreateBeir(console));
        return command;
    }

    private static Command CreateBeir(CliConsole console)
    {
        Argument<string> folder = new("folder") { Description = "A BEIR dataset folder: corpus.jsonl, queries.jsonl and qrels/<split>.tsv." };
        folder.Validators.Add(result =>
        {
            string? path = result.GetValueOrDefault<string>();
            if (path is not null && !Directory.Exists(path))
            {
                result.AddError($"BEIR folder '{path}' does not exist.");
            }
        });
        Option<string> split = new("--split") { Description = "The qrels split to score.", DefaultValueFactory = _ => "test" };
        Option<string?> model = CommonOptions.Model();
        Option<int> batchSize = CommonOptions.BatchSize(64);
        Option<OutputFormat> format = CommonOptions.Format("table (markdown when redirected) or jsonl (one {\"metric\", \"value\"} object a line).");

        var command = new Command("beir", "Embed a BEIR corpus and its queries, rank exactly by cosine and report nDCG, recall, MRR, precision and MAP.")
        {
            folder, split, model, batchSize, format,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            BeirDataset dataset = BeirDataset.Load(parse.GetValue(folder)!, parse.GetValue(split)!, cancellationToken);
            if (dataset.Queries.Count == 0)
            {
                throw new InvalidDataException($"No query in '{dataset.Directory}' has a relevant document in qrels/{dataset.Split}.tsv.");
            }

            using IEmbedder embedder = await ModelResolver.LoadAsync(parse.GetValue(model), cancellationToken).ConfigureAwait(false);
            int batch = parse.GetValue(batchSize);
            const int Depth = 100;
            Dictionary<string, IReadOnlyList<string>> rankings = await CliProgress.RunAsync(console, async board =>
            {
                float[][] documents = await EmbedNormalizedAsync(embedder, dataset.Corpus.Select(d => d.FullText).ToArray(), EmbeddingInputKind.Document, batch, board.Add("Corpus", dataset.Corpus.Count), cancellationToken).ConfigureAwait(false);
                float[][] queries = await EmbedNormalizedAsync(embedder, dataset.Queries.Select(q => q.Text).ToArray(), EmbeddingInputKind.Query, batch, board.Add("Queries", dataset.Queries.Count), cancellationToken).ConfigureAwait(false);
                string[] ids = dataset.Corpus.Select(d => d.Id).ToArray();
                var result = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
                float[] scores = new float[documents.Length];
                IProgressBar ranking = board.Add("Ranking", queries.Length);
                for (int q = 0; q < queries.Length; q++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    for (int d = 0; d < documents.Length; d++)
                    {
                        scores[d] = VectorMath.Dot(queries[q], documents[d]);
                    }

                    result[dataset.Queries[q].Id] = Ranking.TopK(ids, scores, Depth);
                    ranking.Report(q + 1);
                }

                return result;
            }).ConfigureAwait(false);

            RetrievalReport report = RetrievalEvaluator.Evaluate(rankings, dataset.Judgments, [1, 3, 5, 10, 100]);
            (string Metric, double Value)[] rows =
            [
                ("nDCG@10", report.NdcgAt[10]),
                ("nDCG@100", report.NdcgAt[100]),
                ("Recall@10", report.RecallAt[10]),
                ("Recall@100", report.RecallAt[100]),
                ("MRR@10", report.MrrAt[10]),
                ("P@1", report.PrecisionAt[1]),
                ("P@10", report.PrecisionAt[10]),
                ("MAP@100", report.Map),
            ];

            if (parse.GetValue(format) == OutputFormat.Jsonl)
            {
                foreach ((string metric, double value) in rows)
                {
                    await console.Out.WriteLineAsync(JsonLines.Object(json =>
                    {
                        json.WriteString("metric", metric);
                        json.WriteNumber("value", value);
                    })).ConfigureAwait(false);
                }
            }
            else
            {
                await console.Out.WriteLineAsync($"{Path.GetFileName(dataset.Directory)} ({dataset.Split}): {report.EvaluatedQueries} queries, {dataset.Corpus.Count} documents, model {embedder.Fingerprint.ModelId} ({embedder.Dimensions} dimensions)").ConfigureAwait(false);
                await TableOutput.WriteAsync(
                    console,
                    ["Metric", "Value"],
                    rows.Select(r => (IReadOnlyList<string>)[r.Metric, r.Value.ToString("F4", CultureInfo.InvariantCulture)]),
                    new HashSet<int> { 1 }).ConfigureAwait(false);
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static async Task<float[][]> EmbedNormalizedAsync(IEmbedder embedder, IReadOnlyList<string> texts, EmbeddingInputKind kind, int batchSize, IProgressBar progress, CancellationToken cancellationToken)
    {
        ReadOnlyMemory<float>[] vectors = await BatchEmbedding.EmbedAsync(embedder, texts, kind, batchSize, progress, cancellationToken).ConfigureAwait(false);
        var normalized = new float[vectors.Length][];
        for (int i = 0; i < vectors.Length; i++)
        {
            normalized[i] = vectors[i].ToArray();
            VectorMath.Normalize(normalized[i]);
        }

        return normalized;
    }
}
