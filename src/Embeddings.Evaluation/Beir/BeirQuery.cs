namespace Embeddings.Evaluation;

/// <summary>One query of a BEIR dataset (a line of <c>queries.jsonl</c>).</summary>
/// <param name="Id">The query id (<c>_id</c>).</param>
/// <param name="Text">The query text.</param>
public sealed record BeirQuery(string Id, string Text);
