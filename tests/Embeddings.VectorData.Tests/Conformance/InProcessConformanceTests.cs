using System.Globalization;

namespace Embeddings.VectorData.Tests.Conformance;

/// <summary>The conformance scenarios on in-process collections (each test gets its own store).</summary>
public abstract class InProcessConformanceTests : ConformanceTests
{
    private static int s_counter;

    protected override Task<EmbeddingsVectorStore> CreateStoreAsync() => Task.FromResult(new EmbeddingsVectorStore(new EmbeddingsVectorStoreOptions { HnswSeed = 42 }));

    protected override string NewCollectionName(string prefix) => prefix + "_" + Interlocked.Increment(ref s_counter).ToString(CultureInfo.InvariantCulture);
}

/// <summary>The conformance scenarios on <see cref="FlatIndex"/> collections.</summary>
public sealed class FlatConformanceTests : InProcessConformanceTests
{
    protected override string IndexKind => EmbeddingsIndexKind.Flat;
}

/// <summary>The conformance scenarios on <see cref="HnswIndex"/> collections.</summary>
public sealed class HnswConformanceTests : InProcessConformanceTests
{
    protected override string IndexKind => EmbeddingsIndexKind.Hnsw;
}
