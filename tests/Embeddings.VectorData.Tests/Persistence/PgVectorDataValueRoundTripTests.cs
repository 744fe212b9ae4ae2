using Embeddings.PgVector.Tests.Server;
using Embeddings.VectorData.Tests.Server;

namespace Embeddings.VectorData.Tests.Persistence;

/// <summary>The round trips on PgVector collections, whose data values travel as one JSON payload.</summary>
[Collection(VectorDataPgCollection.Name)]
public sealed class PgVectorDataValueRoundTripTests(PgServerFixture server) : DataValueRoundTripTests
{
    protected override EmbeddingsVectorStore CreateStore(EmbeddingsVectorStoreOptions options)
    {
        options.Directory = null;
        options.PgVectorDataSource = server.DataSource;
        return new EmbeddingsVectorStore(options);
    }

    protected override string NewCollectionName(string prefix) => server.NewCollection("vd_" + prefix);
}
