namespace Embeddings.Cli.Output;

/// <summary>Where a verb adds its progress bars.</summary>
internal interface IProgressBoard
{
    IProgressBar Add(string description, double? total);
}
