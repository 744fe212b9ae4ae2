namespace Embeddings;

/// <summary>
/// What a text is embedded as. Asymmetric retrieval models (e5, bge, nomic, ...) are trained with
/// different prefixes for the query side and the document side; the embedder picks the prefix from this.
/// </summary>
public enum EmbeddingInputKind
{
    /// <summary>No role is known: no prefix is applied (the sentence-transformers default without a prompt).</summary>
    Unspecified = 0,

    /// <summary>A search query: the model's query prefix is applied (e5 "query: ", nomic "search_query: ", bge's instruction).</summary>
    Query = 1,

    /// <summary>A document or passage to be searched: the model's document prefix is applied (e5 "passage: ", nomic "search_document: ").</summary>
    Document = 2,
}
