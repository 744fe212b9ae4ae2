namespace Embeddings.Indexing.Internal;

/// <summary>Feeds a scan of scores into a top-k heap of distances (the negated scores).</summary>
/// <remarks>A plain struct, not a ref struct, so that it can be a generic argument on .NET 8 too.</remarks>
internal readonly struct NeighborHeapSink(NeighborHeap heap, int k) : IScoreSink
{
    public float Threshold => heap.Count < k ? float.NegativeInfinity : -heap.TopDistance;

    public void Add(float score, int index) => heap.PushBounded(-score, index, k);
}
