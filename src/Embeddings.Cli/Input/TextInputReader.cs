using System.Text.Json;
using Embeddings.Cli.Hosting;

namespace Embeddings.Cli.Input;

/// <summary>
/// Reads the texts of <c>embed</c> and <c>index build</c>: each non-empty line of a text file (or of stdin) is one text,
/// with id <c>&lt;file&gt;:&lt;line&gt;</c>; a <c>.jsonl</c> file holds objects with <c>_id</c> or <c>id</c> and
/// <c>text</c> (and an optional <c>title</c>, as BEIR corpora do); <c>--whole-file</c> makes each file one text.
/// </summary>
internal static class TextInputReader
{
    public static async Task<List<InputText>> ReadAsync(IReadOnlyList<string> inputs, bool wholeFile, CliConsole console, CancellationToken cancellationToken)
    {
        var records = new List<InputText>();
        IReadOnlyList<string> sources = inputs.Count == 0 ? ["-"] : inputs;
        if (sources.Count(s => s == "-") > 1)
        {
            throw new CliUsageException("stdin ('-') can be named once only.");
        }

        foreach (string source in sources)
        {
            cancellationToken.ThrowIfCancellationRequested();
            bool isStdin = source == "-";
            string name = isStdin ? "stdin" : source;
            TextReader reader = isStdin ? console.In : new StreamReader(source);
            try
            {
                if (wholeFile)
                {
                    string text = await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
                    if (string.IsNullOrWhiteSpace(text))
                    {
                        throw new InvalidDataException($"'{name}' is empty: there is no text to embed.");
                    }

                    records.Add(new InputText(name, text));
                }
                else if (!isStdin && source.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase))
                {
                    await ReadJsonLinesAsync(reader, name, records, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    int line = 0;
                    while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is string text)
                    {
                        line++;
                        if (!string.IsNullOrWhiteSpace(text))
                        {
                            records.Add(new InputText($"{name}:{line}", text));
                        }
                    }
                }
            }
            finally
            {
                if (!isStdin)
                {
                    reader.Dispose();
                }
            }
        }

        if (records.Count == 0)
        {
            throw new InvalidDataException($"No text to embed in {string.Join(", ", sources.Select(s => s == "-" ? "stdin" : $"'{s}'"))}: every line is empty.");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (InputText record in records)
        {
            if (!seen.Add(record.Id))
            {
                throw new InvalidDataException($"The id '{record.Id}' occurs twice in the input; ids must be unique.");
            }
        }

        return records;
    }

    private static async Task ReadJsonLinesAsync(TextReader reader, string name, List<InputText> records, CancellationToken cancellationToken)
    {
        int line = 0;
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is string text)
        {
            line++;
            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }

            try
            {
                using JsonDocument document = JsonDocument.Parse(text);
                JsonElement root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object)
                {
                    throw new InvalidDataException($"'{name}' line {line} is not a JSON object.");
                }

                string id = ReadString(root, "_id") ?? ReadString(root, "id") ?? $"{name}:{line}";
                string body = ReadString(root, "text")
                    ?? throw new InvalidDataException($"'{name}' line {line} has no string field 'text'.");
                string? title = ReadString(root, "title");
                records.Add(new InputText(id, string.IsNullOrEmpty(title) ? body : string.Concat(title, " ", body)));
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"'{name}' line {line} is not valid JSON: {e.Message}", e);
            }
        }
    }

    private static string? ReadString(JsonElement element, string property) =>
        element.TryGetProperty(property, out JsonElement value)
            ? value.ValueKind switch
            {
                JsonValueKind.String => value.GetString(),
                JsonValueKind.Number => value.GetRawText(),
                _ => null,
            }
            : null;
}
