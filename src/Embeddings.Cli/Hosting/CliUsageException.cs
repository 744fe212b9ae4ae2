namespace Embeddings.Cli.Hosting;

/// <summary>A mistake in the command line found after parsing (a value that parses but cannot work): exit code 2.</summary>
internal sealed class CliUsageException : Exception
{
    public CliUsageException(string message)
        : base(message)
    {
    }

    public CliUsageException()
    {
    }

    public CliUsageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
