namespace Embeddings.Static;

/// <summary>The file formats a <see cref="StaticEmbeddingModel"/> loads.</summary>
public enum StaticModelFormat
{
    /// <summary>
    /// Chosen from the path: a folder or a <c>.safetensors</c> file is Model2Vec, <c>.bin</c> is word2vec
    /// binary, anything else is text (word2vec/fastText with a "count dimensions" header line, or GloVe without one).
    /// </summary>
    Auto = 0,

    /// <summary>word2vec binary: a header line "count dimensions", then per word the word, a space and the little-endian float32 values.</summary>
    Word2VecBinary,

    /// <summary>word2vec text: a header line "count dimensions", then per line a word and its values separated by spaces.</summary>
    Word2VecText,

    /// <summary>GloVe text: per line a word and its values separated by spaces, no header.</summary>
    GloVeText,

    /// <summary>fastText <c>.vec</c>: the word2vec text format (with the header line).</summary>
    FastTextVec,

    /// <summary>Model2Vec: a folder with <c>model.safetensors</c> (tensor <c>embeddings</c>), <c>tokenizer.json</c> and optionally <c>config.json</c>.</summary>
    Model2Vec,
}
