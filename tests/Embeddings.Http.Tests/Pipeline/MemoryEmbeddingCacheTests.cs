using Embeddings.Pipeline;

namespace Embeddings.Http.Tests.Pipeline;

public sealed class MemoryEmbeddingCacheTests
{
    private static EmbeddingCacheKey Key(string text) => EmbeddingCacheKey.Create("model=m;revision=;pooling=;normalized=true;dimensions=4", EmbeddingInputKind.Unspecified, text);

    private static float[]? Get(MemoryEmbeddingCache cache, string text)
    {
        var results = new float[]?[1];
        cache.GetMany([Key(text)], results);
        return results[0];
    }

    [Fact]
    public void Least_recently_used_entries_go_first_when_the_entry_bound_is_reached()
    {
        var cache = new MemoryEmbeddingCache(new MemoryEmbeddingCacheOptions { MaxEntries = 2 });
        cache.SetMany([Key("a"), Key("b")], [[1f, 0, 0, 0], [0, 1f, 0, 0]]);
        Assert.NotNull(Get(cache, "a"));

        cache.SetMany([Key("c")], [[0, 0, 1f, 0]]);

        Assert.Equal(2, cache.Count);
        Assert.NotNull(Get(cache, "a"));
        Assert.Null(Get(cache, "b"));
        Assert.Equal([0, 0, 1f, 0], Get(cache, "c")!);
    }

    [Fact]
    public void The_byte_bound_holds()
    {
        long entry = (4 * sizeof(float)) + MemoryEmbeddingCache.EntryOverheadBytes;
        var cache = new MemoryEmbeddingCache(new MemoryEmbeddingCacheOptions { MaxEntries = null, MaxBytes = entry * 3 });

        for (int i = 0; i < 10; i++)
        {
            cache.SetMany([Key($"t{i}")], [new float[4]]);
        }

        Assert.Equal(3, cache.Count);
        Assert.Equal(entry * 3, cache.Bytes);
        Assert.NotNull(Get(cache, "t9"));
        Assert.Null(Get(cache, "t6"));
    }

    [Fact]
    public void Keys_differ_by_fingerprint_kind_and_text()
    {
        EmbeddingCacheKey key = Key("x");
        Assert.Equal(key, Key("x"));
        Assert.NotEqual(key, Key("y"));
        Assert.NotEqual(key, EmbeddingCacheKey.Create("model=other;revision=;pooling=;normalized=true;dimensions=4", EmbeddingInputKind.Unspecified, "x"));
        Assert.NotEqual(key, EmbeddingCacheKey.Create(key.Fingerprint, EmbeddingInputKind.Query, "x"));
        Assert.Equal(System.Security.Cryptography.SHA256.HashData("x"u8), key.GetHash());
        string longText = new('é', 5000);
        Assert.Equal(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(longText)), Key(longText).GetHash());
    }
}
