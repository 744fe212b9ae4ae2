namespace Embeddings.Cli.Hosting;

/// <summary>The exit codes scripts can rely on.</summary>
internal static class ExitCodes
{
    public const int Success = 0;

    public const int RuntimeError = 1;

    public const int UsageError = 2;

    // As a shell reports a process ended by SIGINT.
    public const int Cancelled = 130;
}
