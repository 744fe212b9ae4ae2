namespace Embeddings.Evaluation;

/// <summary>One document of a BEIR corpus (a line of <c>corpus.jsonl</c>).</summary>
/// <param name="Id">The document id (<c>_id</c>).</param>
/// <param name="Title">The title; empty when the corpus has none.</param>
/// <param name="Text">The body text.</param>
public sealed record BeirDocument(string Id, string Title, string Text)
{
    /// <summary>
    /// Gets the text to embed or index: <c>title + " " + text</c>, the BEIR convention, or the text alone when
    /// the title is empty.
    /// </summary>
    public string FullText => Title.Length == 0 ? Text : string.Concat(Title, " ", Text);
}
