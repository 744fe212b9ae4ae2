using Embeddings.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Embeddings.Core.Tests.DependencyInjection;

public sealed class VectorIndexRegistrationTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "embeddings-index-di", Guid.NewGuid().ToString("N"));

    public VectorIndexRegistrationTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [InlineData("flat")]
    [InlineData("hnsw")]
    public async Task A_registered_index_is_saved_on_dispose_and_loaded_by_the_next_container(string kind)
    {
        string path = Path.Combine(_folder, $"{kind}.idx");
        DeterministicEmbedder embedder = DeterministicEmbedder.Create(32, "test/index-di");
        string[] texts = ["alpha", "beta", "gamma", "delta"];

        await using (ServiceProvider first = Build(kind, path, embedder))
        {
            IVectorIndex index = first.GetRequiredService<IVectorIndex>();
            Assert.False(first.GetRequiredService<VectorIndexFile>().Loaded);
            Assert.Equal(32, index.Dimensions);
            Assert.Equal(embedder.Fingerprint, index.Fingerprint);
            await index.UpsertAsync(texts.Select(t => new VectorRecord(t, DeterministicEmbedder.VectorFor(t, 32, normalized: true))).ToArray(), embedder.Fingerprint);
            Assert.False(File.Exists(path));
        }

        Assert.True(File.Exists(path));
        await using (ServiceProvider second = Build(kind, path, embedder))
        {
            VectorIndexFile file = second.GetRequiredService<VectorIndexFile>();
            Assert.True(file.Loaded);
            IVectorIndex index = second.GetRequiredService<IVectorIndex>();
            Assert.Same(file.Index, index);
            Assert.Equal(kind == "flat" ? typeof(FlatIndex) : typeof(HnswIndex), index.GetType());
            Assert.Equal(4, await index.CountAsync());
            IReadOnlyList<VectorSearchResult> hits = await index.SearchAsync(DeterministicEmbedder.VectorFor("gamma", 32, normalized: true), 1);
            Assert.Equal("gamma", hits[0].Key);
            Assert.Equal(1f, hits[0].Score, 1e-5f);
        }
    }

    [Fact]
    public async Task Save_writes_on_demand_and_SaveOnDispose_false_leaves_the_file_as_saved()
    {
        string path = Path.Combine(_folder, "on-demand.idx");
        DeterministicEmbedder embedder = DeterministicEmbedder.Create(16, "test/index-di");
        var services = new ServiceCollection();
        services.AddEmbeddings(e => e.UseProvider(_ => embedder));
        services.AddFlatIndex(o =>
        {
            o.Path = path;
            o.SaveOnDispose = false;
        });

        await using (ServiceProvider provider = services.BuildServiceProvider())
        {
            FlatIndex index = provider.GetRequiredService<FlatIndex>();
            index.Add("one", DeterministicEmbedder.VectorFor("one", 16, normalized: true));
            provider.GetRequiredService<VectorIndexFile>().Save();
            index.Add("two", DeterministicEmbedder.VectorFor("two", 16, normalized: true));
        }

        using FlatIndex reloaded = FlatIndex.Load(path);
        Assert.Equal(1, reloaded.Count);
    }

    [Fact]
    public async Task A_file_built_with_another_model_is_refused_and_no_embedder_without_dimensions_says_what_to_do()
    {
        string path = Path.Combine(_folder, "other.idx");
        using (var other = new FlatIndex(16, fingerprint: DeterministicEmbedder.Create(16, "test/other").Fingerprint))
        {
            other.Save(path);
        }

        await using (ServiceProvider provider = Build("flat", path, DeterministicEmbedder.Create(16, "test/mine")))
        {
            EmbedderMismatchException error = Assert.Throws<EmbedderMismatchException>(() => provider.GetRequiredService<IVectorIndex>());
            Assert.Contains("test/other", error.Message, StringComparison.Ordinal);
        }

        var services = new ServiceCollection();
        services.AddHnswIndex();
        await using ServiceProvider bare = services.BuildServiceProvider();
        InvalidOperationException missing = Assert.Throws<InvalidOperationException>(() => bare.GetRequiredService<IVectorIndex>());
        Assert.Contains("AddEmbeddings", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Keyed_indexes_take_the_embedder_under_the_same_key()
    {
        var services = new ServiceCollection();
        services.AddKeyedEmbeddings("small", e => e.UseProvider(_ => DeterministicEmbedder.Create(8, "test/small")));
        services.AddKeyedEmbeddings("large", e => e.UseProvider(_ => DeterministicEmbedder.Create(64, "test/large")));
        services.AddKeyedFlatIndex("small");
        services.AddKeyedHnswIndex("large");
        await using ServiceProvider provider = services.BuildServiceProvider();

        Assert.Equal(8, provider.GetRequiredKeyedService<IVectorIndex>("small").Dimensions);
        Assert.Equal(64, provider.GetRequiredKeyedService<HnswIndex>("large").Dimensions);
        Assert.Null(provider.GetRequiredKeyedService<VectorIndexFile>("large").Path);
    }

    private static ServiceProvider Build(string kind, string path, DeterministicEmbedder embedder)
    {
        var services = new ServiceCollection();
        services.AddEmbeddings(e => e.UseProvider(_ => embedder));
        if (kind == "flat")
        {
            services.AddFlatIndex(o => o.Path = path);
        }
        else
        {
            services.AddHnswIndex(o => o.Path = path, h => h.Seed = 1);
        }

        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }
}
