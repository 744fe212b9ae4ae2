using Embeddings.Static;
using Embeddings.Testing;

namespace Embeddings.Retrieval.Tests;

public sealed class HybridSearcherTests
{
    private static readonly (string Text, string Topic)[] Documents =
    [
        ("The cat sleeps on the warm windowsill.", "pets"),
        ("A kitten naps in the afternoon sun.", "pets"),
        ("Stock markets fell after the interest rate decision.", "finance"),
        ("Investors sold shares as the central bank raised rates.", "finance"),
        ("Bake the cake for forty minutes.", "food"),
        ("The recipe needs flour, butter and eggs.", "food"),
    ];

    private static async Task<(Bm25Index Lexical, FlatIndex Vectors, StaticEmbedder Embedder)> BuildAsync()
    {
        StaticEmbedder embedder = SharedGlove.Mean;
        var lexical = new Bm25Index();
        var vectors = new FlatIndex(embedder.Dimensions, DistanceMetric.Cosine);
        var embeddings = await embedder.EmbedDocumentsAsync(Documents.Select(d => d.Text));
        for (int i = 0; i < Documents.Length; i++)
        {
            var metadata = new Dictionary<string, object?> { ["topic"] = Documents[i].Topic };
            lexical.Upsert($"d{i}", Documents[i].Text, metadata);
            vectors.Add($"d{i}", embeddings[i].Vector.Span, metadata);
        }

        return (lexical, vectors, embedder);
    }

    [SharedFact("models/glove-6B-100d-top100k")]
    public async Task SearchAsync_fuses_the_bm25_and_vector_rankings_of_the_query()
    {
        (Bm25Index lexical, FlatIndex vectors, StaticEmbedder embedder) = await BuildAsync();
        using (vectors)
        {
            var options = new HybridSearchOptions { CandidateCount = 4 };
            var searcher = new HybridSearcher(lexical, vectors, embedder, options);

            IReadOnlyList<VectorSearchResult> results = await searcher.SearchAsync("sleepy kitten", 3);

            ReadOnlyMemory<float> query = await embedder.EmbedQueryAsync("sleepy kitten");
            IReadOnlyList<VectorSearchResult> expected = HybridSearcher.Fuse(lexical.Search("sleepy kitten", 4), vectors.Search(query.Span, 4), 3, options);
            Assert.Equal(expected.Select(r => (r.Key, r.Score)), results.Select(r => (r.Key, r.Score)));
            // The kitten sentence is first in both rankings; the cat sentence only in the vector one.
            Assert.Equal(["d1", "d0"], results.Take(2).Select(r => r.Key));
            Assert.Equal("pets", results[0].Metadata!["topic"]);
        }
    }

    [SharedFact("models/glove-6B-100d-top100k")]
    public async Task Filter_applies_to_both_retrievers_and_a_missing_embedder_is_reported()
    {
        (Bm25Index lexical, FlatIndex vectors, StaticEmbedder embedder) = await BuildAsync();
        using (vectors)
        {
            var searcher = new HybridSearcher(lexical, vectors, embedder, new HybridSearchOptions { Fusion = FusionMethod.WeightedScore });
            IReadOnlyList<VectorSearchResult> finance = await searcher.SearchAsync("sleepy kitten rates", 5, MetadataFilter.Equal("topic", "finance"));
            Assert.Equal(2, finance.Count);
            Assert.All(finance, r => Assert.Equal("finance", r.Metadata!["topic"]));
            Assert.Equal("d3", finance[0].Key);

            var withoutEmbedder = new HybridSearcher(lexical, vectors);
            await Assert.ThrowsAsync<InvalidOperationException>(() => withoutEmbedder.SearchAsync("kitten", 1));
            ReadOnlyMemory<float> query = await embedder.EmbedQueryAsync("kitten");
            Assert.Equal("d1", (await withoutEmbedder.SearchAsync("kitten", query, 1))[0].Key);
        }
    }
}
