using Embeddings.Indexing.Internal;

namespace Embeddings.Core.Tests.Indexing;

public sealed class IndexPersistenceTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("index-persistence-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static readonly EmbedderFingerprint Fingerprint = new("test/model", "r3", "mean", true, 32);

    private static List<VectorRecord> Records(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(i =>
        {
            var v = new float[32];
            for (int d = 0; d < v.Length; d++)
            {
                v[d] = (float)((random.NextDouble() * 2) - 1);
            }

            var metadata = new Dictionary<string, object?> { ["n"] = (long)i, ["tag"] = $"t{i % 3}", ["x"] = i * 0.5, ["odd"] = i % 2 == 1, ["none"] = null };
            return new VectorRecord($"key-{i}", v, metadata);
        }).ToList();
    }

    private static HnswIndex BuildHnsw()
    {
        var index = new HnswIndex(32, DistanceMetric.Cosine, new HnswIndexOptions { M = 10, EfConstruction = 60, EfSearch = 48, Seed = 5 }, Fingerprint);
        index.Upsert(Records(1500, 1), Fingerprint);
        for (int i = 0; i < 1500; i += 7)
        {
            index.Remove($"key-{i}");
        }

        return index;
    }

    private static void AssertSameResults(InMemoryVectorIndex expected, InMemoryVectorIndex actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        Assert.Equal(expected.Dimensions, actual.Dimensions);
        Assert.Equal(expected.Metric, actual.Metric);
        Assert.Equal(expected.Fingerprint, actual.Fingerprint);
        foreach (VectorRecord query in Records(40, 99))
        {
            foreach (VectorSearchOptions? options in new VectorSearchOptions?[] { null, new() { EfSearch = 20 }, new() { Filter = MetadataFilter.Equal("tag", "t1") } })
            {
                IReadOnlyList<VectorSearchResult> a = expected.Search(query.Vector.Span, 10, options);
                IReadOnlyList<VectorSearchResult> b = actual.Search(query.Vector.Span, 10, options);
                Assert.Equal(a.Select(r => (r.Key, r.Score)), b.Select(r => (r.Key, r.Score)));
                for (int i = 0; i < a.Count; i++)
                {
                    Assert.Equal(a[i].Metadata, b[i].Metadata);
                }
            }
        }
    }

    [Fact]
    public void Hnsw_save_load_search_returns_identical_results()
    {
        using HnswIndex index = BuildHnsw();
        string path = Path.Combine(_directory, "index.hnsw");
        index.Save(path);

        using HnswIndex loaded = HnswIndex.Load(path);

        AssertSameResults(index, loaded);
        Assert.Equal(index.M, loaded.M);
        Assert.Equal(index.EfConstruction, loaded.EfConstruction);
        Assert.Equal(index.EfSearch, loaded.EfSearch);
        Assert.Equal(index.Seed, loaded.Seed);
        Assert.Equal(index.TombstoneCount, loaded.TombstoneCount);

        // The loaded index keeps working: inserts reuse the tombstoned slots.
        loaded.Upsert(Records(50, 3).Select(r => r with { Key = "new-" + r.Key }).ToList());
        Assert.Equal(index.Count + 50, loaded.Count);
        Assert.Equal(index.TombstoneCount - 50, loaded.TombstoneCount);
    }

    [Theory]
    [InlineData(VectorStorageKind.Float32)]
    [InlineData(VectorStorageKind.Float16)]
    public void Flat_save_load_search_returns_identical_results(VectorStorageKind storage)
    {
        using var index = new FlatIndex(32, DistanceMetric.DotProduct, new FlatIndexOptions { Storage = storage }, Fingerprint);
        index.Upsert(Records(700, 2));
        index.Remove("key-3");
        string path = Path.Combine(_directory, "index.flat");
        index.Save(path);

        using FlatIndex loaded = FlatIndex.Load(path);

        Assert.Equal(storage, loaded.Storage);
        AssertSameResults(index, loaded);
    }

    [Fact]
    public void A_truncated_file_is_refused_with_a_clear_error()
    {
        using HnswIndex index = BuildHnsw();
        string path = Path.Combine(_directory, "cut.hnsw");
        index.Save(path);
        byte[] bytes = File.ReadAllBytes(path);

        foreach (int length in new[] { bytes.Length - 1, bytes.Length / 2, 40, 10 })
        {
            File.WriteAllBytes(path, bytes[..length]);
            var error = Assert.Throws<InvalidDataException>(() => HnswIndex.Load(path));
            Assert.Contains("truncated", error.Message, StringComparison.Ordinal);
            Assert.Contains(path, error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_flipped_byte_is_refused_with_a_clear_error()
    {
        using HnswIndex index = BuildHnsw();
        string path = Path.Combine(_directory, "flipped.hnsw");
        index.Save(path);
        byte[] bytes = File.ReadAllBytes(path);

        foreach (int at in new[] { 20, bytes.Length / 3, bytes.Length / 2, bytes.Length - 20 })
        {
            byte[] copy = (byte[])bytes.Clone();
            copy[at] ^= 0x10;
            File.WriteAllBytes(path, copy);
            var error = Assert.Throws<InvalidDataException>(() => HnswIndex.Load(path));
            Assert.Contains("corrupt", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_future_format_version_and_a_wrong_kind_are_refused_by_name()
    {
        using HnswIndex index = BuildHnsw();
        string path = Path.Combine(_directory, "future.hnsw");
        index.Save(path);
        byte[] bytes = File.ReadAllBytes(path);
        bytes[8] = 99;
        File.WriteAllBytes(path, bytes);

        var future = Assert.Throws<InvalidDataException>(() => HnswIndex.Load(path));
        Assert.Contains("format version 99", future.Message, StringComparison.Ordinal);

        index.Save(path);
        var kind = Assert.Throws<InvalidDataException>(() => FlatIndex.Load(path));
        Assert.Contains("Hnsw index, not a Flat index", kind.Message, StringComparison.Ordinal);

        File.WriteAllText(path, "this is not an index file at all, just some text");
        Assert.Contains("not an Embeddings index file", Assert.Throws<InvalidDataException>(() => HnswIndex.Load(path)).Message, StringComparison.Ordinal);
        Assert.Throws<FileNotFoundException>(() => HnswIndex.Load(Path.Combine(_directory, "missing.hnsw")));
    }

    [Fact]
    public void An_interrupted_save_leaves_the_previous_file_intact()
    {
        using HnswIndex index = BuildHnsw();
        string path = Path.Combine(_directory, "stable.hnsw");
        index.Save(path);
        byte[] before = File.ReadAllBytes(path);
        index.Upsert(Records(300, 8).Select(r => r with { Key = "more-" + r.Key }).ToList());

        IndexFileWriter.FlushObserverForTesting = written =>
        {
            if (written > 64 * 1024)
            {
                throw new IOException("simulated crash midway through the save");
            }
        };
        try
        {
            Assert.Throws<IOException>(() => index.Save(path));
        }
        finally
        {
            IndexFileWriter.FlushObserverForTesting = null;
        }

        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal(new[] { "stable.hnsw" }, Directory.GetFiles(_directory).Select(Path.GetFileName).ToArray());
        using HnswIndex loaded = HnswIndex.Load(path);
        Assert.Equal(index.Count - 300, loaded.Count);
    }

    [Fact]
    public async Task Saving_while_writers_run_produces_a_consistent_loadable_file()
    {
        using var index = new HnswIndex(32, DistanceMetric.Cosine, new HnswIndexOptions { M = 8, EfConstruction = 40 });
        List<VectorRecord> records = Records(3000, 4);
        using var stop = new CancellationTokenSource();
        Task writer = Task.Run(() =>
        {
            for (int i = 0; i < records.Count && !stop.IsCancellationRequested; i++)
            {
                index.Add(records[i].Key, records[i].Vector.Span, records[i].Metadata);
                if (i % 5 == 0)
                {
                    index.Remove(records[i / 2].Key);
                }
            }
        });

        for (int s = 0; s < 5; s++)
        {
            string path = Path.Combine(_directory, $"live-{s}.hnsw");
            index.Save(path);
            using HnswIndex loaded = HnswIndex.Load(path);
            IReadOnlyList<VectorSearchResult> all = loaded.SearchExact(records[0].Vector.Span, (int)Math.Max(1, loaded.Count));
            Assert.Equal(loaded.Count, all.Count);
            await Task.Delay(20);
        }

        await stop.CancelAsync();
        await writer;
    }

    [Fact]
    public void Temporary_files_left_by_a_killed_save_are_deleted_by_the_next_save_or_load()
    {
        using var index = new FlatIndex(4, DistanceMetric.DotProduct);
        index.Add("a", [1, 2, 3, 4]);
        string path = Path.Combine(_directory, "kill.flat");
        string Stale() => Path.Combine(_directory, $".kill.flat.{Guid.NewGuid():N}.tmp");

        // What kill -9 midway through two saves leaves: temp files nobody holds.
        string[] stale = [Stale(), Stale()];
        foreach (string file in stale)
        {
            File.WriteAllBytes(file, new byte[1000]);
        }

        // Not ours: another index's temp file, a name that only looks similar, and a temp file a live save holds.
        string otherIndex = Path.Combine(_directory, $".other.flat.{Guid.NewGuid():N}.tmp");
        string lookalike = Path.Combine(_directory, ".kill.flat.notaguid.tmp");
        string held = Stale();
        File.WriteAllBytes(otherIndex, [1]);
        File.WriteAllBytes(lookalike, [1]);
        using (new FileStream(held, FileMode.CreateNew, FileAccess.Write, FileShare.None))
        {
            index.Save(path);
            Assert.All(stale, file => Assert.False(File.Exists(file), file));
            Assert.True(File.Exists(held));
        }

        Assert.True(File.Exists(otherIndex));
        Assert.True(File.Exists(lookalike));

        // Load cleans too, now that the save holding its file has gone.
        using FlatIndex loaded = FlatIndex.Load(path);
        Assert.False(File.Exists(held));
        Assert.Equal(1, loaded.Count);
        Assert.Equal(new[] { ".kill.flat.notaguid.tmp", $"{Path.GetFileName(otherIndex)}", "kill.flat" }.Order(StringComparer.Ordinal), Directory.GetFiles(_directory).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }
}
