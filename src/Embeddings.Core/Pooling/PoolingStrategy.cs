namespace Embeddings;

/// <summary>
/// How token vectors (<c>[batch, sequence, hidden]</c>) become one vector per input. Every strategy looks
/// only at positions whose attention mask is non-zero, so left and right padding give the same result.
/// </summary>
public enum PoolingStrategy
{
    /// <summary>The first attended token ([CLS] for BERT-style models): bge, gte-large, snowflake-arctic-embed.</summary>
    Cls = 0,

    /// <summary>The mean of the attended tokens: all-MiniLM, e5, gte, nomic (sentence-transformers <c>pooling_mode_mean_tokens</c>).</summary>
    Mean = 1,

    /// <summary>The per-dimension maximum over attended tokens (<c>pooling_mode_max_tokens</c>).</summary>
    Max = 2,

    /// <summary>The last attended token, right for both right and left padding: decoder embedders (<c>pooling_mode_lasttoken</c>).</summary>
    LastToken = 3,

    /// <summary>The sum of attended tokens divided by the square root of their count (<c>pooling_mode_mean_sqrt_len_tokens</c>).</summary>
    MeanSqrtLength = 4,
}
