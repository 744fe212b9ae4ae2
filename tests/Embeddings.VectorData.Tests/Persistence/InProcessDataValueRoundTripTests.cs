namespace Embeddings.VectorData.Tests.Persistence;

/// <summary>The round trips on in-process collections saved to a folder and reopened.</summary>
public sealed class InProcessDataValueRoundTripTests : DataValueRoundTripTests
{
    protected override EmbeddingsVectorStore CreateStore(EmbeddingsVectorStoreOptions options) => new(options);

    protected override string NewCollectionName(string prefix) => prefix;
}
