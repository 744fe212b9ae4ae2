using Microsoft.Extensions.VectorData;

namespace Embeddings.VectorData.Tests.Persistence;

public sealed class CollectionFolderTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "embeddings-vectordata-folder", Guid.NewGuid().ToString("N"));

    public sealed class Item
    {
        [VectorStoreKey]
        public long Id { get; set; }

        [VectorStoreData(IsIndexed = true)]
        public string Name { get; set; } = string.Empty;

        [VectorStoreVector(4, IndexKind = EmbeddingsIndexKind.FlatFloat16)]
        public float[] Vector { get; set; } = [];
    }

    public sealed class BinaryItem
    {
        [VectorStoreKey]
        public long Id { get; set; }

        [VectorStoreVector(64, IndexKind = EmbeddingsIndexKind.FlatBinary)]
        public float[] Vector { get; set; } = [];
    }

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private async Task<VectorStoreCollection<long, Item>> WriteAsync()
    {
        using var store = new EmbeddingsVectorStore(new EmbeddingsVectorStoreOptions { Directory = _folder });
        var items = store.GetCollection<long, Item>("items");
        await items.EnsureCollectionExistsAsync();
        await items.UpsertAsync([new Item { Id = 1, Name = "one", Vector = [1, 0, 0, 0] }, new Item { Id = 2, Name = "two", Vector = [0, 1, 0, 0] }]);
        return items;
    }

    [Fact]
    public async Task A_save_replaces_CURRENT_and_leaves_one_version()
    {
        await WriteAsync();
        string collection = Path.Combine(_folder, "items");
        string current = File.ReadAllText(Path.Combine(collection, "CURRENT"));
        Assert.Equal([current], Directory.EnumerateDirectories(collection).Select(Path.GetFileName));
        Assert.True(File.Exists(Path.Combine(collection, current, "index.bin")));

        using var reopened = new EmbeddingsVectorStore(new EmbeddingsVectorStoreOptions { Directory = _folder });
        var items = reopened.GetCollection<long, Item>("items");
        Item? one = await items.GetAsync(1, new RecordRetrievalOptions { IncludeVectors = true });
        Assert.Equal("one", one!.Name);
        Assert.Equal([1f, 0, 0, 0], one.Vector);
        var hit = (await items.SearchAsync(new float[] { 0, 1, 0, 0 }, 1).ToListAsync()).Single();
        Assert.Equal(2, hit.Record.Id);
        Assert.Equal(1.0, hit.Score!.Value, 3); // float16 storage: cosine of identical vectors within half precision
        Assert.Equal(["items"], await reopened.ListCollectionNamesAsync().ToListAsync());
    }

    [Fact]
    public async Task Without_AutoSave_nothing_reaches_disk_until_SaveAsync()
    {
        using var store = new EmbeddingsVectorStore(new EmbeddingsVectorStoreOptions { Directory = _folder, AutoSave = false });
        var items = store.GetCollection<long, Item>("items");
        await items.EnsureCollectionExistsAsync(); // creating writes the empty collection
        await items.UpsertAsync(new Item { Id = 5, Name = "five", Vector = [0, 0, 1, 0] });

        using (var other = new EmbeddingsVectorStore(new EmbeddingsVectorStoreOptions { Directory = _folder }))
        {
            Assert.Null(await other.GetCollection<long, Item>("items").GetAsync(5));
        }

        await store.SaveAsync("items");
        using var after = new EmbeddingsVectorStore(new EmbeddingsVectorStoreOptions { Directory = _folder });
        Assert.Equal("five", (await after.GetCollection<long, Item>("items").GetAsync(5))!.Name);
    }

    [Fact]
    public async Task A_corrupt_records_file_is_refused_naming_the_file_and_line()
    {
        await WriteAsync();
        string collection = Path.Combine(_folder, "items");
        string records = Path.Combine(collection, File.ReadAllText(Path.Combine(collection, "CURRENT")), "records.jsonl");
        File.WriteAllLines(records, [File.ReadLines(records).First(), "{ not json"]);

        using var store = new EmbeddingsVectorStore(new EmbeddingsVectorStoreOptions { Directory = _folder });
        var refused = await Assert.ThrowsAsync<InvalidDataException>(() => store.GetCollection<long, Item>("items").GetAsync(1));
        Assert.Contains("records.jsonl line 2", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_index_file_is_refused_naming_it()
    {
        await WriteAsync();
        string collection = Path.Combine(_folder, "items");
        File.Delete(Path.Combine(collection, File.ReadAllText(Path.Combine(collection, "CURRENT")), "index.bin"));

        using var store = new EmbeddingsVectorStore(new EmbeddingsVectorStoreOptions { Directory = _folder });
        var refused = await Assert.ThrowsAsync<FileNotFoundException>(() => store.GetCollection<long, Item>("items").GetAsync(1));
        Assert.Contains("index.bin", refused.FileName ?? refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Binary_flat_collections_rank_by_sign_agreement()
    {
        using var store = new EmbeddingsVectorStore();
        var items = store.GetCollection<long, BinaryItem>("bits");
        await items.EnsureCollectionExistsAsync();
        var random = new Random(3);
        float[][] vectors = Enumerable.Range(0, 20).Select(_ => Enumerable.Range(0, 64).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray()).ToArray();
        await items.UpsertAsync(vectors.Select((v, i) => new BinaryItem { Id = i, Vector = v }));

        // A query equal to a stored vector has all 64 signs in common with it: that record comes first.
        var hits = await items.SearchAsync(vectors[7], 3).ToListAsync();
        Assert.Equal(7, hits[0].Record.Id);
        Assert.True(hits[0].Score >= hits[1].Score);
        Assert.IsType<FlatIndex>(items.GetService(typeof(IVectorIndex)));
        Assert.Equal(VectorStorageKind.Quantized, ((FlatIndex)items.GetService(typeof(IVectorIndex))!).Storage);
    }
}
