using Embeddings.PgVector.Tests.Server;
using Embeddings.VectorData.Tests.Server;

namespace Embeddings.VectorData.Tests.Conformance;

/// <summary>The conformance scenarios on PgVector collections (pgvector HNSW tables) on the test server.</summary>
[Collection(VectorDataPgCollection.Name)]
public sealed class PgVectorConformanceTests(PgServerFixture server) : ConformanceTests
{
    protected override string IndexKind => EmbeddingsIndexKind.Hnsw;

    protected override bool SupportsVectorlessCollections => false;

    protected override EmbeddingsVectorStore CreateStore(EmbeddingsVectorStoreOptions options)
    {
        options.PgVectorDataSource = server.DataSource;
        return new EmbeddingsVectorStore(options);
    }

    protected override string NewCollectionName(string prefix) => server.NewCollection("vd_" + prefix);
}
