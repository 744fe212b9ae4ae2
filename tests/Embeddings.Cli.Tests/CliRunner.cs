using Embeddings.Cli.Hosting;

namespace Embeddings.Cli.Tests;

/// <summary>Runs the tool in-process, as a shell would: given stdin, capturing stdout and stderr, with neither a terminal.</summary>
internal static class CliRunner
{
    public static async Task<(int ExitCode, string Out, string Error)> RunWithInputAsync(string stdin, params string[] args)
    {
        using var input = new StringReader(stdin);
        using var output = new StringWriter();
        using var error = new StringWriter();
        int code = await CliApplication.RunAsync(args, new CliConsole(input, output, error), CancellationToken.None);
        return (code, output.ToString(), error.ToString());
    }

    public static Task<(int ExitCode, string Out, string Error)> RunAsync(params string[] args) => RunWithInputAsync(string.Empty, args);
}
