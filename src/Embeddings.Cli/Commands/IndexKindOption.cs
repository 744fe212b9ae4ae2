namespace Embeddings.Cli.Commands;

/// <summary>The index a command builds or searches.</summary>
internal enum IndexKindOption
{
    Auto,
    Flat,
    Hnsw,
    PgVector,
}
