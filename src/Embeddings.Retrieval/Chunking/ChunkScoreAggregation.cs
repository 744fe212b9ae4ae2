namespace Embeddings;

/// <summary>How <see cref="ChunkScoreAggregator"/> turns the scores of a document's retrieved chunks into one document score.</summary>
public enum ChunkScoreAggregation
{
    /// <summary>The best chunk's score: a document is as relevant as its most relevant passage. The default.</summary>
    Max = 0,

    /// <summary>The mean score of the document's retrieved chunks (chunks not retrieved are not counted).</summary>
    Mean = 1,

    /// <summary>The sum of the document's n best chunk scores: rewards documents relevant in several places.</summary>
    SumOfTopN = 2,
}
