using Microsoft.Extensions.VectorData;

namespace VectorStoreRag;

/// <summary>A retrievable passage: MEVD attributes say what is the key, what can be filtered and what is embedded.</summary>
public sealed class Fact
{
    [VectorStoreKey]
    public int Id { get; set; }

    [VectorStoreData(IsIndexed = true)]
    public string Topic { get; set; } = string.Empty;

    // A string vector property: the store embeds it with the registered IEmbedder (all-MiniLM-L6-v2, 384 dims),
    // as a document on upsert and as a query on search. Hnsw picks our HnswIndex.
    [VectorStoreVector(384, DistanceFunction = DistanceFunction.CosineSimilarity, IndexKind = IndexKind.Hnsw)]
    public string Text { get; set; } = string.Empty;
}
