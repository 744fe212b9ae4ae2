using Embeddings.Cli.Hosting;
using Spectre.Console;

namespace Embeddings.Cli.Output;

/// <summary>Prints a table: a Spectre table in a terminal, a markdown table when stdout is redirected (for files, CI logs and READMEs).</summary>
internal static class TableOutput
{
    public static async Task WriteAsync(CliConsole console, IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows, IReadOnlySet<int>? rightAligned = null)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(headers);
        ArgumentNullException.ThrowIfNull(rows);
        rightAligned ??= new HashSet<int>();
        if (console.OutputIsTerminal)
        {
            var table = new Table().RoundedBorder();
            for (int i = 0; i < headers.Count; i++)
            {
                var column = new TableColumn(Markup.Escape(headers[i]));
                table.AddColumn(rightAligned.Contains(i) ? column.RightAligned() : column);
            }

            foreach (IReadOnlyList<string> row in rows)
            {
                table.AddRow(row.Select(Markup.Escape).ToArray());
            }

            AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(console.Out) }).Write(table);
            return;
        }

        await console.Out.WriteLineAsync("| " + string.Join(" | ", headers.Select(Escape)) + " |").ConfigureAwait(false);
        await console.Out.WriteLineAsync("|" + string.Concat(Enumerable.Range(0, headers.Count).Select(i => rightAligned.Contains(i) ? "---:|" : "---|"))).ConfigureAwait(false);
        foreach (IReadOnlyList<string> row in rows)
        {
            await console.Out.WriteLineAsync("| " + string.Join(" | ", row.Select(Escape)) + " |").ConfigureAwait(false);
        }
    }

    private static string Escape(string cell) =>
        cell.Replace("|", "\\|", StringComparison.Ordinal).Replace("\r", " ", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);
}
