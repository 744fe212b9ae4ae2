using Spectre.Console;

namespace Embeddings.Samples;

/// <summary>
/// Tables and progress bars for the samples: a Spectre table when stdout is a terminal and a markdown table when it
/// is redirected (to a file, a CI log, a README); a progress bar on stderr only when stderr is a terminal.
/// </summary>
internal static class SampleOutput
{
    /// <summary>Prints a table.</summary>
    /// <param name="headers">The column headers; a header ending in <c>:</c> is right-aligned (numbers), the colon not shown.</param>
    /// <param name="rows">The rows, one cell per header.</param>
    /// <param name="title">A line printed above the table, or <see langword="null"/>.</param>
    public static void Table(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows, string? title = null)
    {
        ArgumentNullException.ThrowIfNull(headers);
        ArgumentNullException.ThrowIfNull(rows);
        bool[] right = headers.Select(h => h.EndsWith(':')).ToArray();
        string[] names = headers.Select(h => h.TrimEnd(':')).ToArray();
        if (!Console.IsOutputRedirected)
        {
            var table = new Table().RoundedBorder();
            if (title is not null)
            {
                table.Title = new TableTitle(Markup.Escape(title));
            }

            for (int i = 0; i < names.Length; i++)
            {
                var column = new TableColumn(Markup.Escape(names[i]));
                table.AddColumn(right[i] ? column.RightAligned() : column);
            }

            foreach (IReadOnlyList<string> row in rows)
            {
                table.AddRow(row.Select(Markup.Escape).ToArray());
            }

            AnsiConsole.Write(table);
            return;
        }

        if (title is not null)
        {
            Console.WriteLine(title);
            Console.WriteLine();
        }

        Console.WriteLine("| " + string.Join(" | ", names.Select(Escape)) + " |");
        Console.WriteLine("|" + string.Concat(right.Select(r => r ? "---:|" : "---|")));
        foreach (IReadOnlyList<string> row in rows)
        {
            Console.WriteLine("| " + string.Join(" | ", row.Select(Escape)) + " |");
        }

        Console.WriteLine();
    }

    /// <summary>
    /// Runs <paramref name="work"/> under a progress bar on stderr (a terminal only; redirected, one line when it ends).
    /// </summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="description">What the work does, for example <c>Embedding the corpus</c>.</param>
    /// <param name="total">The number of steps.</param>
    /// <param name="work">The work; it reports each step through the <see cref="SampleProgress"/> it is given.</param>
    /// <returns>The result of <paramref name="work"/>.</returns>
    public static async Task<T> ProgressAsync<T>(string description, double total, Func<SampleProgress, Task<T>> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        T result;
        if (Console.IsErrorRedirected)
        {
            result = await work(new SampleProgress(null)).ConfigureAwait(false);
            Console.Error.WriteLine($"{description}: done in {clock.Elapsed.TotalSeconds:F1} s");
            return result;
        }

        IAnsiConsole error = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        result = await error.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .StartAsync(context => work(new SampleProgress(context.AddTask(Markup.Escape(description), maxValue: Math.Max(total, 1)))))
            .ConfigureAwait(false);
        return result;
    }

    private static string Escape(string cell) =>
        cell.Replace("|", "\\|", StringComparison.Ordinal).Replace("\r", " ", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);
}
