namespace Embeddings.Samples.Tests;

/// <summary>Every sample parses its command line: <c>--help</c> prints the usage, a bad value is one line and exit code 2.</summary>
public sealed class CommandLineTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    public static TheoryData<string> Samples => new(SampleProcess.All);

    // One bad value per sample, each aimed at that sample's own validation (a range, a choice, a malformed address).
    public static TheoryData<string, string[], string> BadArguments => new()
    {
        { "Quickstart", ["--top", "0"], "--top must be between 1 and 10" },
        { "SemanticSearch", ["--mode", "fuzzy"], "fuzzy" },
        { "QuantizationExplorer", ["--rescore", "0"], "--rescore must be at least 1" },
        { "RetrievalEval", ["--no-such-option"], "--no-such-option" },
        { "PgVectorSearch", ["--backend", "Oracle"], "Oracle" },
        { "VectorStoreRag", ["one-folder", "two-folders"], "two-folders" },
        { "OnnxSimilarity", ["--model", "no-such-model"], "is not a packaged model" },
        { "HttpEmbeddings", ["--endpoint", "ftp://example.org"], "is not an absolute http:// or https:// address" },
        { "HostedEmbeddings", ["--text"], "--text" },
    };

    [Theory]
    [MemberData(nameof(Samples))]
    public async Task Help_prints_the_usage_and_exits_zero(string sample)
    {
        SampleRun run = await SampleProcess.RunAsync(sample, Timeout, null, "--help");

        run.AssertSucceeded();
        Assert.Contains("Usage:", run.Output, StringComparison.Ordinal);
        Assert.Contains(sample, run.Output, StringComparison.Ordinal);
        Assert.Contains("--verbose", run.Output, StringComparison.Ordinal);
        Assert.Empty(run.ErrorLines);
    }

    [Theory]
    [MemberData(nameof(BadArguments))]
    public async Task A_bad_value_is_one_line_on_stderr_and_exit_code_2(string sample, string[] arguments, string expected)
    {
        SampleRun run = await SampleProcess.RunAsync(sample, Timeout, null, arguments);

        string line = run.AssertOneLineError(2);
        Assert.Contains(expected, line, StringComparison.Ordinal);
        Assert.Contains($"see '{sample} --help'", line, StringComparison.Ordinal);
        Assert.Equal(string.Empty, run.Output);
    }

    [Fact]
    public void Every_sample_folder_is_tested()
    {
        string[] folders = Directory.GetDirectories(Path.Combine(Embeddings.Testing.SharedData.RepositoryRoot, "samples"))
            .Select(Path.GetFileName)
            .Where(name => File.Exists(Path.Combine(Embeddings.Testing.SharedData.RepositoryRoot, "samples", name!, name + ".csproj")))
            .Select(name => name!)
            .Order(StringComparer.Ordinal)
            .ToArray();

        Assert.Equal(folders, SampleProcess.All.Order(StringComparer.Ordinal).ToArray());
    }
}
