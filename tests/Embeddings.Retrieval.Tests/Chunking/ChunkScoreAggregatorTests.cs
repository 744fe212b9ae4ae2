namespace Embeddings.Retrieval.Tests.Chunking;

public sealed class ChunkScoreAggregatorTests
{
    private static readonly VectorSearchResult[] Hits =
    [
        new("d1#0", 0.9f), new("d2#0", 0.8f), new("d1#1", 0.7f), new("d2#1", 0.75f), new("d3#0", 0.85f), new("d2#2", 0.1f),
    ];

    [Fact]
    public void Max_takes_the_best_chunk()
    {
        IReadOnlyList<VectorSearchResult> documents = ChunkScoreAggregator.Aggregate(Hits);
        Assert.Equal(["d1", "d3", "d2"], documents.Select(d => d.Key));
        Assert.Equal([0.9f, 0.85f, 0.8f], documents.Select(d => d.Score));
    }

    [Fact]
    public void Mean_averages_the_retrieved_chunks()
    {
        IReadOnlyList<VectorSearchResult> documents = ChunkScoreAggregator.Aggregate(Hits, ChunkScoreAggregation.Mean);
        Assert.Equal(["d3", "d1", "d2"], documents.Select(d => d.Key));
        Assert.Equal(0.8, documents[1].Score, 5);
        Assert.Equal((0.8 + 0.75 + 0.1) / 3, documents[2].Score, 5);
    }

    [Fact]
    public void Sum_of_top_n_adds_the_n_best_chunks()
    {
        IReadOnlyList<VectorSearchResult> documents = ChunkScoreAggregator.Aggregate(Hits, ChunkScoreAggregation.SumOfTopN, topN: 2);
        Assert.Equal(["d1", "d2", "d3"], documents.Select(d => d.Key));
        Assert.Equal(1.6, documents[0].Score, 5);
        Assert.Equal(1.55, documents[1].Score, 5);
        Assert.Equal(0.85, documents[2].Score, 5);
    }

    [Fact]
    public void Document_id_comes_from_chunk_metadata_when_present()
    {
        var chunk = new TextChunk("doc#with#hashes", 3, "t", "t", 0, 1, 1);
        VectorSearchResult[] hits = [new(chunk.Key, 0.5f, chunk.ToMetadata()), new("other#1", 0.4f)];
        IReadOnlyList<VectorSearchResult> documents = ChunkScoreAggregator.Aggregate(hits);
        Assert.Equal(["doc#with#hashes", "other"], documents.Select(d => d.Key));
        Assert.Equal(3L, documents[0].Metadata!["chunkIndex"]);
    }

    [Fact]
    public void Custom_selector_and_bad_input()
    {
        IReadOnlyList<VectorSearchResult> all = ChunkScoreAggregator.Aggregate(Hits, documentIdSelector: _ => "one");
        Assert.Equal(0.9f, Assert.Single(all).Score);
        Assert.Throws<ArgumentException>(() => ChunkScoreAggregator.Aggregate([new VectorSearchResult("nohash", 1f)]));
        Assert.Throws<ArgumentOutOfRangeException>(() => ChunkScoreAggregator.Aggregate(Hits, ChunkScoreAggregation.SumOfTopN, topN: 0));
        Assert.Empty(ChunkScoreAggregator.Aggregate([]));
    }
}
