namespace Embeddings.Samples.Tests;

/// <summary>What one run of a sample printed and returned.</summary>
internal sealed record SampleRun(string Sample, int ExitCode, string Output, string Error)
{
    /// <summary>Gets the non-empty lines of stderr.</summary>
    public IReadOnlyList<string> ErrorLines => Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(l => l.Length > 0).ToArray();

    /// <summary>Fails unless the run ended with one line on stderr, exit code <paramref name="exitCode"/> and no stack trace anywhere.</summary>
    public string AssertOneLineError(int exitCode)
    {
        Assert.True(ExitCode == exitCode, $"{Sample} exited with {ExitCode}, expected {exitCode}.\n{this}");
        AssertNoStackTrace();
        string line = Assert.Single(ErrorLines);
        Assert.Matches($"^{Sample}[: ]", line);
        return line;
    }

    /// <summary>Fails unless the run succeeded without a stack trace.</summary>
    public void AssertSucceeded()
    {
        Assert.True(ExitCode == 0, $"{Sample} exited with {ExitCode}.\n{this}");
        AssertNoStackTrace();
    }

    /// <summary>Fails when stdout or stderr holds a .NET stack frame.</summary>
    public void AssertNoStackTrace()
    {
        Assert.False(Output.Contains("   at ", StringComparison.Ordinal) || Error.Contains("   at ", StringComparison.Ordinal), $"{Sample} printed a stack trace.\n{this}");
        Assert.DoesNotContain("Unhandled exception", Error, StringComparison.Ordinal);
    }

    /// <inheritdoc />
    public override string ToString() => $"exit code {ExitCode}\nstdout:\n{Output}\nstderr:\n{Error}";
}
