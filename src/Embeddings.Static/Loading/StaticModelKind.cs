namespace Embeddings.Static;

/// <summary>How a static model turns text into rows of its embedding table.</summary>
public enum StaticModelKind
{
    /// <summary>Word vectors (word2vec, GloVe, fastText): tokens (<c>\w+|[^\w\s]</c>, .NET regex semantics) looked up in the vocabulary; unknown words are skipped.</summary>
    WordVectors = 0,

    /// <summary>Subword vectors (Model2Vec): the model's own tokenizer from <c>tokenizer.json</c>; the unknown token is skipped.</summary>
    Subword,
}
