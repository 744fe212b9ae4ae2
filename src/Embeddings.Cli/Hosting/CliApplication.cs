using System.CommandLine;
using System.CommandLine.Parsing;
using Embeddings.Cli.Commands;

namespace Embeddings.Cli.Hosting;

/// <summary>Builds the command tree and runs one command line, turning every failure into an exit code and one line on stderr.</summary>
internal static class CliApplication
{
    public const string ToolName = "embeddings";

    public static RootCommand CreateRootCommand(CliConsole console)
    {
        ArgumentNullException.ThrowIfNull(console);
        var root = new RootCommand("Embeddings on the command line: embed text, build and search vector indexes, evaluate models on BEIR data and manage models. Runs on the packaged static model unless --model names another.");
        root.Options.Add(CommonOptions.Verbose);
        root.Subcommands.Add(EmbedCommand.Create(console));
        root.Subcommands.Add(IndexCommands.Create(console));
        root.Subcommands.Add(EvalCommands.Create(console));
        root.Subcommands.Add(ModelsCommands.Create(console));
        return root;
    }

    public static async Task<int> RunAsync(string[] args, CliConsole console, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(console);
        RootCommand root = CreateRootCommand(console);
        ParseResult parsed = root.Parse(args);
        bool verbose = parsed.GetValue(CommonOptions.Verbose);
        if (parsed.Errors.Count > 0)
        {
            // One line a script can show as it is; --help prints the whole usage.
            string command = string.Join(' ', parsed.CommandResult.Command is RootCommand ? [ToolName] : CommandPath(parsed.CommandResult));
            string errors = string.Join("; ", parsed.Errors.Select(e => OneLine(e.Message)).Distinct());
            await console.Error.WriteLineAsync($"{ToolName}: {errors} (see '{command} --help')").ConfigureAwait(false);
            return ExitCodes.UsageError;
        }

        try
        {
            var configuration = new InvocationConfiguration
            {
                Output = console.Out,
                Error = console.Error,
                EnableDefaultExceptionHandler = false,
            };
            return await parsed.InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested || !verbose)
        {
            await console.Error.WriteLineAsync($"{ToolName}: cancelled").ConfigureAwait(false);
            return ExitCodes.Cancelled;
        }
        catch (CliUsageException e)
        {
            await console.Error.WriteLineAsync($"{ToolName}: {OneLine(e.Message)}").ConfigureAwait(false);
            return ExitCodes.UsageError;
        }
#pragma warning disable CA1031 // The tool's contract: any failure is an exit code and a line, never a crash with a stack trace.
        catch (Exception e)
#pragma warning restore CA1031
        {
            await console.Error.WriteLineAsync(verbose ? $"{ToolName}: {e}" : $"{ToolName}: {Describe(e)}").ConfigureAwait(false);
            return ExitCodes.RuntimeError;
        }
    }

    internal static string OneLine(string text) =>
        string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    // Wrapper exceptions (aggregate, type initializer, target invocation) say little; the innermost message says what broke.
    private static string Describe(Exception e)
    {
        while (e is AggregateException { InnerExceptions.Count: 1 } or TypeInitializationException or System.Reflection.TargetInvocationException && e.InnerException is not null)
        {
            e = e.InnerException!;
        }

        return OneLine(e.Message) + " (--verbose shows details)";
    }

    private static IEnumerable<string> CommandPath(SymbolResult? result)
    {
        var names = new Stack<string>();
        for (SymbolResult? current = result; current is not null; current = current.Parent)
        {
            if (current is CommandResult command)
            {
                names.Push(command.Command is RootCommand ? ToolName : command.Command.Name);
            }
        }

        return names;
    }
}
