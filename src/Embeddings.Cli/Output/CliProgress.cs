using Embeddings.Cli.Hosting;
using Spectre.Console;

namespace Embeddings.Cli.Output;

/// <summary>
/// Progress bars on stderr when stderr is a terminal, and nothing otherwise, so that redirected output and logs stay clean.
/// </summary>
internal static class CliProgress
{
    public static async Task<T> RunAsync<T>(CliConsole console, Func<IProgressBoard, Task<T>> work)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(work);
        if (!console.ErrorIsTerminal)
        {
            return await work(SilentBoard.Instance).ConfigureAwait(false);
        }

        IAnsiConsole ansi = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(console.Error) });
        return await ansi.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(context => work(new SpectreBoard(context)))
            .ConfigureAwait(false);
    }

    private sealed class SilentBoard : IProgressBoard
    {
        public static readonly SilentBoard Instance = new();

        public IProgressBar Add(string description, double? total) => SilentBar.Instance;
    }

    private sealed class SilentBar : IProgressBar
    {
        public static readonly SilentBar Instance = new();

        public void Report(double value, double? total = null)
        {
        }
    }

    private sealed class SpectreBoard(ProgressContext context) : IProgressBoard
    {
        public IProgressBar Add(string description, double? total)
        {
            ProgressTask task = context.AddTask(Markup.Escape(description), autoStart: true, maxValue: total ?? 100);
            task.IsIndeterminate = total is null;
            return new SpectreBar(task);
        }
    }

    private sealed class SpectreBar(ProgressTask task) : IProgressBar
    {
        public void Report(double value, double? total = null)
        {
            if (total is double max && max > 0)
            {
                task.IsIndeterminate = false;
                task.MaxValue = max;
            }

            task.Value = value;
        }
    }
}
