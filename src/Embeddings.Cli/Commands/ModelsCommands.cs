using System.CommandLine;
using System.Globalization;
using Embeddings.Cli.Hosting;
using Embeddings.Cli.Output;
using Embeddings.Onnx;
using Embeddings.Static;

namespace Embeddings.Cli.Commands;

/// <summary><c>models list</c> and <c>models download</c>: the catalog, and the Hugging Face downloader with progress.</summary>
internal static class ModelsCommands
{
    public static Command Create(CliConsole console)
    {
        var command = new Command("models", "List the model catalog and download models into the cache.");
        command.Subcommands.Add(CreateList(console));
        command.Subcommands.Add(CreateDownload(console));
        return command;
    }

    private static Command CreateList(CliConsole console)
    {
        Option<OutputFormat> format = CommonOptions.Format("table (markdown when redirected) or jsonl (one object a model).");
        var command = new Command("list", "List the models --model accepts by name: the packaged static default and the ONNX catalog.") { format };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var rows = new List<(string Name, string Kind, string Dimensions, string Pooling, string MaxTokens, string Notes)>
            {
                (ModelResolver.StaticDefault, "static (packaged)", string.Empty, "mean", string.Empty, $"{StaticDefaultModel.Name}: the default; ships inside Embeddings.Static, nothing to download."),
            };
            foreach (OnnxModelInfo info in OnnxModelCatalog.All)
            {
                string matryoshka = info.MatryoshkaDimensions.Count == 0 ? string.Empty : $"Matryoshka {string.Join('/', info.MatryoshkaDimensions)}. ";
                rows.Add((info.ModelId, "onnx (download)", info.Dimensions.ToString(CultureInfo.InvariantCulture), info.Pooling.ToString().ToLowerInvariant(), info.MaxTokens.ToString(CultureInfo.InvariantCulture), matryoshka + (info.Notes ?? string.Empty)));
            }

            if (parse.GetValue(format) == OutputFormat.Jsonl)
            {
                foreach (var row in rows)
                {
                    await console.Out.WriteLineAsync(JsonLines.Object(json =>
                    {
                        json.WriteString("name", row.Name);
                        json.WriteString("kind", row.Kind);
                        if (row.Dimensions.Length > 0)
                        {
                            json.WriteNumber("dimensions", int.Parse(row.Dimensions, CultureInfo.InvariantCulture));
                        }

                        json.WriteString("pooling", row.Pooling);
                        json.WriteString("notes", row.Notes.Trim());
                    })).ConfigureAwait(false);
                }
            }
            else
            {
                await TableOutput.WriteAsync(
                    console,
                    ["Model", "Kind", "Dimensions", "Pooling", "Max tokens", "Notes"],
                    rows.Select(r => (IReadOnlyList<string>)[r.Name, r.Kind, r.Dimensions, r.Pooling, r.MaxTokens, r.Notes.Trim()]),
                    new HashSet<int> { 2, 4 }).ConfigureAwait(false);
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command CreateDownload(CliConsole console)
    {
        Argument<string> model = new("model") { Description = "A catalog name (bge-small-en-v1.5) or Hugging Face id (BAAI/bge-small-en-v1.5)." };
        Option<string> revision = new("--revision") { Description = "The branch, tag or commit.", DefaultValueFactory = _ => "main" };
        Option<string?> cache = new("--cache-dir") { Description = "The cache folder. Default: EMBEDDINGS_CACHE, else ~/.cache/embeddings/models." };
        Option<Uri?> endpoint = new("--endpoint") { Description = "The server (a mirror). Default: HF_ENDPOINT, else https://huggingface.co." };
        var command = new Command("download", "Download a model's ONNX file and tokenizer into the cache (resuming partial files) and print its folder.")
        {
            model, revision, cache, endpoint,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            string name = parse.GetValue(model)!;
            string repository = OnnxModelCatalog.Find(name)?.ModelId
                ?? (HuggingFaceDownloader.IsRepositoryId(name)
                    ? name
                    : throw new CliUsageException($"'{name}' is neither a catalog model nor a Hugging Face id (owner/name); 'embeddings models list' shows the catalog."));

            string folder = await CliProgress.RunAsync(console, async board =>
            {
                var bars = new Dictionary<string, IProgressBar>(StringComparer.Ordinal);
                var options = new ModelDownloadOptions
                {
                    Revision = parse.GetValue(revision)!,
                    CacheDirectory = parse.GetValue(cache),
                    Endpoint = parse.GetValue(endpoint),
                    Progress = new SynchronousProgress<ModelDownloadProgress>(p =>
                    {
                        lock (bars)
                        {
                            if (!bars.TryGetValue(p.File, out IProgressBar? bar))
                            {
                                bar = board.Add(p.File, p.TotalBytes);
                                bars.Add(p.File, bar);
                            }

                            bar.Report(p.BytesReceived, p.TotalBytes);
                        }
                    }),
                };
                return await new HuggingFaceDownloader(options).DownloadAsync(repository, cancellationToken).ConfigureAwait(false);
            }).ConfigureAwait(false);

            await console.Out.WriteLineAsync(folder).ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return command;
    }

    // Progress<T> posts to the thread pool, so bars could move after the download returned; this reports in line.
    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
