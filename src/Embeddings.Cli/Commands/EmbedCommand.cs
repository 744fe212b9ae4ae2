using System.CommandLine;
using Embeddings.Cli.Hosting;
using Embeddings.Cli.Input;
using Embeddings.Cli.Output;

namespace Embeddings.Cli.Commands;

/// <summary><c>embed</c>: texts from files or stdin to vectors, as JSON lines or a NumPy <c>.npy</c> matrix.</summary>
internal static class EmbedCommand
{
    public static Command Create(CliConsole console)
    {
        Argument<string[]> inputs = CommonOptions.InputFiles("Text files (one text a line), .jsonl files ({\"_id\", \"text\"} a line) or '-' for stdin; stdin when none is named.");
        Option<string?> model = CommonOptions.Model();
        Option<string?> output = new("--output", "-o") { Description = "The file to write; stdout when omitted (JSON lines only)." };
        Option<EmbedFormat?> format = new("--format") { Description = "jsonl (one {\"id\", \"vector\"} object a line) or npy (a float32 matrix, with the ids in <output>.ids.txt). Default: from the output's extension, else jsonl." };
        Option<EmbeddingInputKind> kind = new("--kind") { Description = "Whether the texts are documents or queries (models with query/document prefixes use them).", DefaultValueFactory = _ => EmbeddingInputKind.Document };
        Option<bool> wholeFile = new("--whole-file") { Description = "Embed each input file as one text instead of one text a line." };
        Option<bool> includeText = new("--include-text") { Description = "Add each text to its JSON line." };
        Option<int> batchSize = CommonOptions.BatchSize(64);

        var command = new Command("embed", "Embed texts from files or stdin and write the vectors as JSON lines or .npy.")
        {
            inputs, model, output, format, kind, wholeFile, includeText, batchSize,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            string? outputPath = parse.GetValue(output);
            EmbedFormat resolved = parse.GetValue(format)
                ?? (outputPath is not null && outputPath.EndsWith(".npy", StringComparison.OrdinalIgnoreCase) ? EmbedFormat.Npy : EmbedFormat.Jsonl);
            if (resolved == EmbedFormat.Npy && outputPath is null)
            {
                throw new CliUsageException("--format npy writes a binary file: name it with --output.");
            }

            List<InputText> records = await TextInputReader.ReadAsync(parse.GetValue(inputs) ?? [], parse.GetValue(wholeFile), console, cancellationToken).ConfigureAwait(false);
            using IEmbedder embedder = await ModelResolver.LoadAsync(parse.GetValue(model), cancellationToken).ConfigureAwait(false);
            ReadOnlyMemory<float>[] vectors = await CliProgress.RunAsync(console, board => BatchEmbedding.EmbedAsync(
                embedder, records.Select(r => r.Text).ToArray(), parse.GetValue(kind), parse.GetValue(batchSize), board.Add("Embedding", records.Count), cancellationToken)).ConfigureAwait(false);

            if (resolved == EmbedFormat.Npy)
            {
                await AtomicFile.WriteAsync(outputPath!, stream =>
                {
                    NpyWriter.Write(stream, vectors, embedder.Dimensions);
                    return Task.CompletedTask;
                }, cancellationToken).ConfigureAwait(false);
                await AtomicFile.WriteAsync(outputPath + ".ids.txt", async stream =>
                {
                    await using var writer = new StreamWriter(stream, leaveOpen: true);
                    foreach (InputText record in records)
                    {
                        await writer.WriteLineAsync(record.Id).ConfigureAwait(false);
                    }
                }, cancellationToken).ConfigureAwait(false);
                await console.Error.WriteLineAsync($"Wrote {records.Count} vectors of {embedder.Dimensions} dimensions ({embedder.Fingerprint.ModelId}) to {outputPath}").ConfigureAwait(false);
                return ExitCodes.Success;
            }

            bool withText = parse.GetValue(includeText);
            async Task WriteLinesAsync(TextWriter writer)
            {
                for (int i = 0; i < records.Count; i++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    InputText record = records[i];
                    ReadOnlyMemory<float> vector = vectors[i];
                    await writer.WriteLineAsync(JsonLines.Object(json =>
                    {
                        json.WriteString("id", record.Id);
                        if (withText)
                        {
                            json.WriteString("text", record.Text);
                        }

                        json.WriteStartArray("vector");
                        foreach (float value in vector.Span)
                        {
                            json.WriteNumberValue(value);
                        }

                        json.WriteEndArray();
                    })).ConfigureAwait(false);
                }
            }

            if (outputPath is null)
            {
                await WriteLinesAsync(console.Out).ConfigureAwait(false);
                await console.Out.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await AtomicFile.WriteAsync(outputPath, async stream =>
                {
                    await using var writer = new StreamWriter(stream, leaveOpen: true);
                    await WriteLinesAsync(writer).ConfigureAwait(false);
                }, cancellationToken).ConfigureAwait(false);
                await console.Error.WriteLineAsync($"Wrote {records.Count} vectors of {embedder.Dimensions} dimensions ({embedder.Fingerprint.ModelId}) to {outputPath}").ConfigureAwait(false);
            }

            return ExitCodes.Success;
        });
        return command;
    }
}
