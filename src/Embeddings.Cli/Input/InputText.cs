namespace Embeddings.Cli.Input;

/// <summary>One text to embed and the id it goes by in the output or the index.</summary>
internal sealed record InputText(string Id, string Text);
