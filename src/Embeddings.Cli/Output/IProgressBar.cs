namespace Embeddings.Cli.Output;

/// <summary>One progress bar.</summary>
internal interface IProgressBar
{
    void Report(double value, double? total = null);
}
