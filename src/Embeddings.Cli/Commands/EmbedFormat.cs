namespace Embeddings.Cli.Commands;

/// <summary>What <c>embed</c> writes.</summary>
internal enum EmbedFormat
{
    Jsonl,
    Npy,
}
