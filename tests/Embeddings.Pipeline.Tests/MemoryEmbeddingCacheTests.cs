using Embeddings.Pipeline;

namespace Embeddings.Pipeline.Tests;

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
    [Fact]
    public void Random_sets_gets_and_evictions_across_vector_lengths_match_a_reference_lru()
    {
        // Lengths 4 and 8 share slabs of thousands of slots; 30,000 floats give two slots per slab, so slabs come and go.
        int[] lengths = [4, 8, 30_000];
        long entryBytes(int length) => ((long)length * sizeof(float)) + MemoryEmbeddingCache.EntryOverheadBytes;
        var random = new Random(7);
        var cache = new MemoryEmbeddingCache(new MemoryEmbeddingCacheOptions { MaxEntries = 40, MaxBytes = entryBytes(30_000) * 6 });
        var reference = new List<(string Text, float[] Vector)>(); // most recent first
        for (int step = 0; step < 5_000; step++)
        {
            string text = $"t{random.Next(120)}";
            if (random.Next(3) == 0)
            {
                float[]? got = Get(cache, text);
                int at = reference.FindIndex(e => e.Text == text);
                if (at < 0)
                {
                    Assert.Null(got);
                }
                else
                {
                    Assert.Equal(reference[at].Vector, got!);
                    var entry = reference[at];
                    reference.RemoveAt(at);
                    reference.Insert(0, entry);
                }
            }
            else
            {
                int length = lengths[random.Next(lengths.Length)];
                float[] vector = Enumerable.Range(0, length).Select(i => (float)(step + (i * 0.001))).ToArray();
                cache.SetMany([Key(text)], [vector]);
                vector[0] = -1; // the cache keeps a copy, not the caller's array
                reference.RemoveAll(e => e.Text == text);
                reference.Insert(0, (text, vector.Select((v, i) => i == 0 ? (float)step : v).ToArray()));
                while (reference.Count > 40 || reference.Sum(e => entryBytes(e.Vector.Length)) > entryBytes(30_000) * 6)
                {
                    reference.RemoveAt(reference.Count - 1);
                }
            }

            Assert.Equal(reference.Count, cache.Count);
            Assert.Equal(reference.Sum(e => entryBytes(e.Vector.Length)), cache.Bytes);
        }

        foreach ((string text, float[] vector) in reference.ToArray().Reverse())
        {
            Assert.Equal(vector, Get(cache, text)!);
        }
    }

    [Fact]
    public void A_returned_vector_is_a_copy_the_caller_may_modify()
    {
        var cache = new MemoryEmbeddingCache();
        cache.SetMany([Key("a")], [[1f, 2f, 3f, 4f]]);
        float[] first = Get(cache, "a")!;
        first[0] = 99f;
        Assert.Equal([1f, 2f, 3f, 4f], Get(cache, "a")!);
    }
}
