using Embeddings.PgVector.Tests.Server;
using Embeddings.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Embeddings.PgVector.Tests.DependencyInjection;

[Collection(PgServerCollection.Name)]
public sealed class PgVectorServiceCollectionExtensionsTests(PgServerFixture server)
{
    [Fact]
    public async Task AddPgVectorIndex_locks_the_index_to_the_registered_embedder_and_round_trips_embeddings()
    {
        string collection = server.NewCollection("di");
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["VectorIndex:ConnectionString"] = server.ConnectionString,
            ["VectorIndex:Collection"] = collection,
            ["VectorIndex:HnswM"] = "8",
            ["VectorIndex:Retry:MaxRetryAttempts"] = "1",
        }).Build();
        var services = new ServiceCollection();
        DeterministicEmbedder embedder = DeterministicEmbedder.Create(12);
        services.AddEmbeddings(e => e.UseProvider(_ => embedder));
        services.AddPgVectorIndex(configuration.GetSection("VectorIndex"));

        await using ServiceProvider provider = services.BuildServiceProvider();
        IVectorIndex index = provider.GetRequiredService<IVectorIndex>();
        PgVectorIndex pg = Assert.IsType<PgVectorIndex>(index);
        Assert.Same(pg, provider.GetRequiredService<PgVectorIndex>());
        Assert.Equal(12, index.Dimensions);
        Assert.Equal(embedder.Fingerprint, index.Fingerprint);
        Assert.Equal(collection, pg.Collection);

        IEmbedder registered = provider.GetRequiredService<IEmbedder>();
        string[] texts = ["alpha", "beta", "gamma"];
        GeneratedEmbeddings<Embedding<float>> vectors = await registered.GenerateAsync(texts);
        await index.UpsertAsync(texts.Select((t, i) => new VectorRecord(t, vectors[i].Vector)).ToList(), registered.Fingerprint);
        var hits = await index.SearchAsync(vectors[1].Vector, 1, new VectorSearchOptions { Fingerprint = registered.Fingerprint });
        Assert.Equal("beta", hits[0].Key);
        string definition = (string)(await server.ScalarAsync("SELECT indexdef FROM pg_indexes WHERE indexname = $1", collection + "_hnsw"))!;
        Assert.Contains("m='8'", definition.Replace(" ", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_data_source_in_the_container_is_used_when_no_connection_string_is_set()
    {
        var services = new ServiceCollection();
        services.AddSingleton(_ => NpgsqlDataSource.Create(server.ConnectionString)); // the container disposes it
        string collection = server.NewCollection("di_ds");
        services.AddKeyedPgVectorIndex("docs", o =>
        {
            o.Collection = collection;
            o.Dimensions = 4;
        });

        await using ServiceProvider provider = services.BuildServiceProvider();
        IVectorIndex index = provider.GetRequiredKeyedService<IVectorIndex>("docs");
        await index.UpsertAsync([new VectorRecord("a", new float[] { 1, 0, 0, 0 })]);
        Assert.Equal(1, await index.CountAsync());
    }

    [Fact]
    public async Task Without_any_connection_the_error_says_what_to_set()
    {
        var services = new ServiceCollection();
        services.AddPgVectorIndex(o => o.Dimensions = 4);
        await using ServiceProvider provider = services.BuildServiceProvider();
        var ex = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<IVectorIndex>());
        Assert.Contains("ConnectionString", ex.Message, StringComparison.Ordinal);
    }
}
