using Embeddings.PgVector.Tests.Server;

namespace Embeddings.VectorData.Tests.Server;

/// <summary>The test classes that talk to PostgreSQL share one server and run one at a time.</summary>
[CollectionDefinition(Name)]
public sealed class VectorDataPgCollection : ICollectionFixture<PgServerFixture>
{
    /// <summary>The collection name.</summary>
    public const string Name = "vectordata pgvector server";
}
