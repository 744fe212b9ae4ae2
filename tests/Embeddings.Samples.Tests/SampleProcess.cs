using System.Diagnostics;
using System.Text;
using Embeddings.Testing;

namespace Embeddings.Samples.Tests;

/// <summary>Runs a built sample (<c>samples/NAME/bin/CONFIGURATION/net10.0/NAME.dll</c>) as a process, with stdout and stderr redirected.</summary>
internal static class SampleProcess
{
    /// <summary>The samples of the repository, one per folder under <c>samples/</c> with a project of the same name.</summary>
    public static readonly string[] All =
        ["Quickstart", "SemanticSearch", "QuantizationExplorer", "RetrievalEval", "PgVectorSearch", "VectorStoreRag", "OnnxSimilarity", "HttpEmbeddings", "HostedEmbeddings"];

    /// <summary>Runs the sample and returns its exit code and output; kills it and fails after <paramref name="timeout"/>.</summary>
    public static async Task<SampleRun> RunAsync(string sample, TimeSpan timeout, IReadOnlyDictionary<string, string>? environment = null, params string[] arguments)
    {
        string dll = SamplePath(sample);
        var start = new ProcessStartInfo(DotnetCli.DotnetPath())
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        foreach ((string name, string value) in environment ?? new Dictionary<string, string>())
        {
            // An empty value removes the variable, as on a machine that never set it.
            if (value.Length == 0)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        Task readOut = PumpAsync(process.StandardOutput, stdout);
        Task readErr = PumpAsync(process.StandardError, stderr);
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{sample} {string.Join(' ', arguments)} did not finish within {timeout}.\nstdout:\n{stdout}\nstderr:\n{stderr}");
        }

        await Task.WhenAll(readOut, readErr);
        return new SampleRun(sample, process.ExitCode, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Gets the built sample's assembly, built in the configuration of this test assembly.</summary>
    public static string SamplePath(string sample)
    {
        // This assembly lives in tests/Embeddings.Samples.Tests/bin/CONFIGURATION/TFM/.
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        string framework = output.Name, configuration = output.Parent!.Name;
        string dll = Path.Combine(SharedData.RepositoryRoot, "samples", sample, "bin", configuration, framework, sample + ".dll");
        Assert.True(File.Exists(dll), $"{dll} is missing: the test project builds the samples first (ProjectReference); build the solution.");
        return dll;
    }

    private static async Task PumpAsync(StreamReader reader, StringBuilder into)
    {
        while (await reader.ReadLineAsync() is string line)
        {
            into.AppendLine(line);
        }
    }
}
