using Embeddings.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.VectorData;

namespace Embeddings.VectorData.Tests.DependencyInjection;

public sealed class EmbeddingsVectorStoreServiceCollectionExtensionsTests
{
    public sealed class Note
    {
        [VectorStoreKey]
        public Guid Id { get; set; }

        [VectorStoreData]
        public string Tag { get; set; } = string.Empty;

        [VectorStoreVector(8)]
        public string Text { get; set; } = string.Empty;
    }

    [Fact]
    public async Task The_store_embeds_with_the_embedder_from_AddEmbeddings()
    {
        var services = new ServiceCollection();
        services.AddEmbeddings(e => e.UseProvider(_ => DeterministicEmbedder.Create(8, modelId: "test/default", prompts: new EmbeddingPrompts("q: ", "d: "))));
        services.AddEmbeddingsVectorStore();
        services.AddEmbeddingsCollection<Guid, Note>("notes");
        await using ServiceProvider provider = services.BuildServiceProvider();

        VectorStore store = provider.GetRequiredService<VectorStore>();
        Assert.Same(provider.GetRequiredService<EmbeddingsVectorStore>(), store);
        var notes = provider.GetRequiredService<VectorStoreCollection<Guid, Note>>();
        Assert.Same(notes, provider.GetRequiredService<IVectorSearchable<Note>>());
        await notes.EnsureCollectionExistsAsync();

        var note = new Note { Tag = "t", Text = "hello" }; // auto-generated Guid key
        await notes.UpsertAsync(note);
        Assert.NotEqual(Guid.Empty, note.Id);
        var hit = Assert.Single(await notes.SearchAsync("hello", 1).ToListAsync());
        Assert.Equal(note.Id, hit.Record.Id);
        Assert.Equal("test/default", ((EmbeddingsCollection<Guid, Note>)notes).Fingerprint!.ModelId);
        var embedder = (DeterministicEmbedder)provider.GetRequiredService<IEmbedder>();
        Assert.Contains("d: hello", embedder.Received);
        Assert.Contains("q: hello", embedder.Received);
    }

    [Fact]
    public async Task Keyed_stores_use_the_embedder_with_their_key_and_their_own_settings()
    {
        string folder = Path.Combine(Path.GetTempPath(), "embeddings-vectordata-di", Guid.NewGuid().ToString("N"));
        try
        {
            var services = new ServiceCollection();
            services.AddEmbeddings(e => e.UseProvider(_ => DeterministicEmbedder.Create(8, modelId: "test/default")));
            services.AddKeyedEmbeddings("small", e => e.UseProvider(_ => DeterministicEmbedder.Create(8, modelId: "test/small")));
            services.AddEmbeddingsVectorStore();
            services.AddKeyedEmbeddingsVectorStore("small", o => o.Directory = folder);
            services.AddKeyedEmbeddingsCollection<Guid, Note>("small", "notes");
            services.AddEmbeddingsCollection<Guid, Note>("notes");
            await using ServiceProvider provider = services.BuildServiceProvider();

            var keyedStore = provider.GetRequiredKeyedService<EmbeddingsVectorStore>("small");
            Assert.NotSame(provider.GetRequiredService<EmbeddingsVectorStore>(), keyedStore);
            Assert.Same(keyedStore, provider.GetRequiredKeyedService<VectorStore>("small"));
            Assert.Equal(Path.GetFullPath(folder), keyedStore.Directory);
            Assert.Null(provider.GetRequiredService<EmbeddingsVectorStore>().Directory);

            var keyed = (EmbeddingsCollection<Guid, Note>)provider.GetRequiredKeyedService<VectorStoreCollection<Guid, Note>>("small");
            var unkeyed = (EmbeddingsCollection<Guid, Note>)provider.GetRequiredService<VectorStoreCollection<Guid, Note>>();
            Assert.Equal("test/small", keyed.Fingerprint!.ModelId);
            Assert.Equal("test/default", unkeyed.Fingerprint!.ModelId);

            await keyed.EnsureCollectionExistsAsync();
            await keyed.UpsertAsync(new Note { Tag = "x", Text = "saved" });
            Assert.True(File.Exists(Path.Combine(folder, "notes", "CURRENT")));
            Assert.False(await unkeyed.CollectionExistsAsync()); // another store, other data
        }
        finally
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    [Fact]
    public void Arguments_are_checked()
    {
        var services = new ServiceCollection();
        Assert.Throws<ArgumentNullException>(() => services.AddKeyedEmbeddingsVectorStore(null!));
        Assert.Throws<ArgumentException>(() => services.AddEmbeddingsCollection<Guid, Note>(" "));
        Assert.Throws<ArgumentException>(() => new EmbeddingsVectorStore(new EmbeddingsVectorStoreOptions { Directory = "x", PgVectorConnectionString = "Host=localhost" }));
        using var store = new EmbeddingsVectorStore();
        var badName = Assert.Throws<ArgumentException>(() => store.GetCollection<Guid, Note>("../escape"));
        Assert.Contains("../escape", badName.Message, StringComparison.Ordinal);
        _ = typeof(IEmbeddingGenerator);
    }
}
