using Embeddings.Static;
using Embeddings.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Embeddings.Indexing.Tests.Binding;

// EmbeddingIndex lives in Core (Binding); it is tested here because a real index (FlatIndex, HnswIndex) is needed.
public sealed class EmbeddingIndexTests
{
    private static readonly EmbeddingPrompts Prompts = new("query: ", "passage: ");

    [Fact]
    public async Task Texts_go_in_as_documents_and_queries_come_back_through_the_query_prompt()
    {
        DeterministicEmbedder embedder = DeterministicEmbedder.Create(24, prompts: Prompts);
        using var index = new FlatIndex(24);
        var bound = new EmbeddingIndex(index, embedder);

        await bound.AddAsync("a", "the cat sat", new Dictionary<string, object?> { ["lang"] = "en" });
        await bound.AddRangeAsync([new TextRecord("b", "a dog ran"), new TextRecord("c", "fish swim")]);
        IReadOnlyList<VectorSearchResult> hits = await bound.SearchAsync("anything", 3);

        Assert.Equal(["passage: the cat sat", "passage: a dog ran", "passage: fish swim", "query: anything"], embedder.Received);
        float[] query = DeterministicEmbedder.VectorFor("query: anything", 24, normalized: true);
        IReadOnlyList<VectorSearchResult> direct = await index.SearchAsync(query, 3);
        Assert.Equal(direct.Select(h => (h.Key, h.Score)), hits.Select(h => (h.Key, h.Score)));
        Assert.Equal(VectorMath.Cosine(query, DeterministicEmbedder.VectorFor("passage: the cat sat", 24, normalized: true)), hits.Single(h => h.Key == "a").Score, 1e-5f);
        Assert.Equal("en", hits.Single(h => h.Key == "a").Metadata!["lang"]);
    }

    [Fact]
    public async Task The_static_default_model_finds_the_closest_sentence_through_an_hnsw_index()
    {
        using StaticEmbedder embedder = StaticEmbedder.Load(StaticDefaultModel.GetPath());
        using var index = new HnswIndex(embedder.Dimensions, DistanceMetric.Cosine, fingerprint: embedder.Fingerprint);
        var bound = new EmbeddingIndex(index, embedder);
        string[] sentences =
        [
            "The cat sleeps on the warm windowsill.",
            "Interest rates rose again this quarter.",
            "The striker scored twice in the final.",
            "Bake the bread for forty minutes.",
        ];
        Assert.Equal(4, await bound.AddRangeAsync(sentences.Select((s, i) => new TextRecord($"s{i}", s))));

        IReadOnlyList<VectorSearchResult> hits = await bound.SearchAsync("a kitten napping in the sun", 4);

        Assert.Equal("s0", hits[0].Key);
        Assert.Equal(4, hits.Count);
        ReadOnlyMemory<float> query = await embedder.EmbedQueryAsync("a kitten napping in the sun");
        ReadOnlyMemory<float> first = (await embedder.EmbedDocumentsAsync([sentences[0]]))[0].Vector;
        Assert.Equal(VectorMath.Cosine(query.Span, first.Span), hits[0].Score, 1e-4f);
    }

    [Fact]
    public async Task AddRangeAsync_embeds_in_batches_and_keeps_the_batches_before_a_failure()
    {
        DeterministicEmbedder embedder = DeterministicEmbedder.Create(8);
        using var index = new FlatIndex(8);
        var bound = new EmbeddingIndex(index, embedder, batchSize: 4);

        Assert.Equal(10, await bound.AddRangeAsync(Enumerable.Range(0, 10).Select(i => new TextRecord($"k{i}", $"text {i}"))));
        Assert.Equal(3, embedder.Calls);
        Assert.Equal(10, await index.CountAsync());

        IEnumerable<TextRecord> BrokenAfterSix()
        {
            for (int i = 0; i < 6; i++)
            {
                yield return new TextRecord($"n{i}", $"new {i}");
            }

            yield return new TextRecord("", "no key");
        }

        var error = await Assert.ThrowsAsync<ArgumentException>(() => bound.AddRangeAsync(BrokenAfterSix()).AsTask());
        Assert.Contains("Record 6", error.Message, StringComparison.Ordinal);
        Assert.Equal(14, await index.CountAsync());
    }

    [Fact]
    public async Task Bad_records_are_refused_with_their_position()
    {
        DeterministicEmbedder embedder = DeterministicEmbedder.Create(8);
        using var index = new FlatIndex(8);
        var bound = new EmbeddingIndex(index, embedder);

        var repeated = await Assert.ThrowsAsync<ArgumentException>(() => bound.AddRangeAsync([new TextRecord("x", "1"), new TextRecord("x", "2")]).AsTask());
        Assert.Contains("Record 1 repeats the key 'x'", repeated.Message, StringComparison.Ordinal);
        var nullRecord = await Assert.ThrowsAsync<ArgumentException>(() => bound.AddRangeAsync([new TextRecord("x", "1"), null!]).AsTask());
        Assert.Contains("Record 1 is null", nullRecord.Message, StringComparison.Ordinal);
        var nullText = await Assert.ThrowsAsync<ArgumentException>(() => bound.AddRangeAsync([new TextRecord("y", null!)]).AsTask());
        Assert.Contains("Record 0 ('y') has a null text", nullText.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentException>(() => bound.AddAsync("", "text").AsTask());
        await Assert.ThrowsAsync<ArgumentNullException>(() => bound.SearchAsync(null!, 1).AsTask());
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => bound.SearchAsync("q", 0).AsTask());
        Assert.Equal(0, await index.CountAsync());
        Assert.Equal(0, embedder.Calls);
    }

    [Fact]
    public void An_index_of_another_model_or_size_is_refused_naming_both()
    {
        DeterministicEmbedder embedder = DeterministicEmbedder.Create(8, "test/current");
        DeterministicEmbedder other = DeterministicEmbedder.Create(8, "test/original");
        using var foreign = new FlatIndex(8, fingerprint: other.Fingerprint);
        using var wrongSize = new FlatIndex(16);

        var mismatch = Assert.Throws<EmbedderMismatchException>(() => new EmbeddingIndex(foreign, embedder));
        Assert.Equal(other.Fingerprint, mismatch.Expected);
        Assert.Equal(embedder.Fingerprint, mismatch.Actual);
        Assert.Contains("test/original", mismatch.Message, StringComparison.Ordinal);
        Assert.Contains("test/current", mismatch.Message, StringComparison.Ordinal);
        var size = Assert.Throws<ArgumentException>(() => new EmbeddingIndex(wrongSize, embedder));
        Assert.Contains("16-dimensional", size.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new EmbeddingIndex(wrongSize, DeterministicEmbedder.Create(16), batchSize: 0));
    }

    [Fact]
    public async Task The_fingerprint_reaches_the_index_and_a_foreign_one_in_the_options_is_refused()
    {
        DeterministicEmbedder embedder = DeterministicEmbedder.Create(8, "test/current");
        using var index = new FlatIndex(8, fingerprint: embedder.Fingerprint);
        var bound = new EmbeddingIndex(index, embedder);
        await bound.AddAsync("a", "alpha");

        // Vectors of another model offered directly are refused by the index; the bound path always names its own.
        float[] vector = DeterministicEmbedder.VectorFor("alpha", 8, normalized: true);
        await Assert.ThrowsAsync<EmbedderMismatchException>(() => index.UpsertAsync([new VectorRecord("b", vector)], DeterministicEmbedder.Create(8, "test/other").Fingerprint).AsTask());
        var options = new VectorSearchOptions { Fingerprint = DeterministicEmbedder.Create(8, "test/other").Fingerprint };
        await Assert.ThrowsAsync<EmbedderMismatchException>(() => bound.SearchAsync("alpha", 1, options).AsTask());
        var filtered = new VectorSearchOptions { Filter = MetadataFilter.Equal("lang", "en") };
        Assert.Empty(await bound.SearchAsync("alpha", 1, filtered));
        Assert.Equal("a", (await bound.SearchAsync("alpha", 1))[0].Key);
    }

    [Fact]
    public async Task A_cancelled_add_stores_nothing()
    {
        DeterministicEmbedder embedder = DeterministicEmbedder.Create(8);
        using var index = new FlatIndex(8);
        var bound = new EmbeddingIndex(index, embedder);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => bound.AddAsync("a", "alpha", cancellationToken: cancelled.Token).AsTask());
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => bound.SearchAsync("alpha", 1, cancellationToken: cancelled.Token).AsTask());
        Assert.Equal(0, await index.CountAsync());
    }

    [Fact]
    public async Task AddEmbeddingIndex_binds_the_registered_index_and_embedder_plain_and_keyed()
    {
        DeterministicEmbedder embedder = DeterministicEmbedder.Create(16, "test/bound-di");
        DeterministicEmbedder keyedEmbedder = DeterministicEmbedder.Create(8, "test/bound-di-keyed");
        var services = new ServiceCollection();
        services.AddEmbeddings(e => e.UseProvider(_ => embedder));
        services.AddFlatIndex();
        services.AddEmbeddingIndex();
        services.AddKeyedEmbeddings("small", e => e.UseProvider(_ => keyedEmbedder));
        services.AddKeyedHnswIndex("small");
        services.AddKeyedEmbeddingIndex("small");
        await using ServiceProvider provider = services.BuildServiceProvider();

        EmbeddingIndex bound = provider.GetRequiredService<EmbeddingIndex>();
        Assert.Same(provider.GetRequiredService<IVectorIndex>(), bound.Index);
        await bound.AddAsync("a", "alpha");
        Assert.Equal("a", (await bound.SearchAsync("alpha", 1))[0].Key);
        EmbeddingIndex keyed = provider.GetRequiredKeyedService<EmbeddingIndex>("small");
        Assert.IsType<HnswIndex>(keyed.Index);
        Assert.Equal(8, keyed.Index.Dimensions);
        Assert.Equal(keyedEmbedder.Fingerprint, keyed.Embedder.Fingerprint);
    }
}
