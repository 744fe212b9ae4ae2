namespace Embeddings.PgVector.Tests.Server;

/// <summary>Every test class that talks to the server shares one server and runs one class at a time (CI has two cores).</summary>
[CollectionDefinition(Name)]
public sealed class PgServerCollection : ICollectionFixture<PgServerFixture>
{
    /// <summary>The collection name.</summary>
    public const string Name = "pgvector server";
}
