using System.Globalization;

namespace Embeddings.VectorData.Tests.Conformance;

/// <summary>
/// The conformance scenarios on in-process collections. The stores save to a per-test folder (every write saves),
/// so each scenario also runs through persistence, and a second store of the same test reads what the first wrote.
/// </summary>
public abstract class InProcessConformanceTests : ConformanceTests
{
    private static int s_counter;
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "embeddings-vectordata-tests", Guid.NewGuid().ToString("N"));

    protected override EmbeddingsVectorStore CreateStore(EmbeddingsVectorStoreOptions options)
    {
        options.Directory = _folder;
        return new EmbeddingsVectorStore(options);
    }

    protected override string NewCollectionName(string prefix) => prefix + "_" + Interlocked.Increment(ref s_counter).ToString(CultureInfo.InvariantCulture);

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
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
