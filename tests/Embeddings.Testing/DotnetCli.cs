using System.Diagnostics;
using System.Text;

namespace Embeddings.Testing;

/// <summary>Runs the <c>dotnet</c> CLI from a test (pack, build, run a packed tool or host) and fails the test when it fails.</summary>
public static class DotnetCli
{
    /// <summary>Runs <c>dotnet</c> with the arguments and returns its standard output and error, interleaved by line.</summary>
    /// <param name="workingDirectory">The folder to run in.</param>
    /// <param name="timeout">How long it may run before it is killed and the test fails.</param>
    /// <param name="arguments">The arguments, one per item (no shell quoting).</param>
    /// <returns>The output.</returns>
    public static async Task<string> RunAsync(string workingDirectory, TimeSpan timeout, params string[] arguments)
    {
        var start = new ProcessStartInfo(DotnetPath())
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // The test host inherits MSBuild settings from the `dotnet test` that launched it; a nested build or pack must not.
        foreach (string name in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || k.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(name);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";

        using var process = Process.Start(start)!;
        var output = new StringBuilder();
        Task stdout = PumpAsync(process.StandardOutput, output);
        Task stderr = PumpAsync(process.StandardError, output);
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet {string.Join(' ', arguments)} did not finish within {timeout}.\n{output}");
        }

        await Task.WhenAll(stdout, stderr);
        Assert.True(process.ExitCode == 0, $"dotnet {string.Join(' ', arguments)} exited with {process.ExitCode}:\n{output}");
        return output.ToString();
    }

    /// <summary>Gets the <c>dotnet</c> host that runs the tests (<c>DOTNET_HOST_PATH</c>), else <c>dotnet</c> from the PATH.</summary>
    /// <returns>The path or command name.</returns>
    public static string DotnetPath()
    {
        string? host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        return !string.IsNullOrEmpty(host) && File.Exists(host) ? host : "dotnet";
    }

    private static async Task PumpAsync(StreamReader reader, StringBuilder into)
    {
        while (await reader.ReadLineAsync() is string line)
        {
            lock (into)
            {
                into.AppendLine(line);
            }
        }
    }
}
