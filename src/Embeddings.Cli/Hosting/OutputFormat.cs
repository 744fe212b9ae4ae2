namespace Embeddings.Cli.Hosting;

/// <summary>How a verb prints results: a table (Spectre in a terminal, markdown when redirected) or one JSON object a line.</summary>
internal enum OutputFormat
{
    Table,
    Jsonl,
}
