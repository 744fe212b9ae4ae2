namespace Embeddings;

/// <summary>
/// Splits text into the terms a lexical index such as <see cref="Bm25Index"/> counts. Implementations decide
/// case folding, stemming and stop words; the same tokenizer must be used for documents and queries.
/// </summary>
/// <remarks>Implementations are thread-safe: an index calls them from concurrent searches.</remarks>
public interface ITermTokenizer
{
    /// <summary>Appends the terms of <paramref name="text"/>, in order and with repeats, to <paramref name="terms"/>.</summary>
    /// <param name="text">The text; may be empty.</param>
    /// <param name="terms">Where the terms go; existing items are kept.</param>
    void Tokenize(string text, List<string> terms);
}
