using Embeddings.PgVector.Tests.Server;
using Embeddings.Testing.Indexing;

namespace Embeddings.PgVector.Tests.Indexing;

/// <summary>The shared index conformance suite, run against the pgvector backend (HNSW index, default settings).</summary>
[Collection(PgServerCollection.Name)]
public sealed class PgVectorConformanceTests(PgServerFixture server) : VectorIndexConformanceTests
{
    protected override IReadOnlyList<DistanceMetric> SupportedMetrics { get; } =
        [DistanceMetric.Cosine, DistanceMetric.DotProduct, DistanceMetric.Euclidean, DistanceMetric.EuclideanSquared, DistanceMetric.Manhattan];

    protected override async Task<IVectorIndex> CreateIndexAsync(int dimensions, DistanceMetric metric, EmbedderFingerprint? fingerprint)
    {
        PgVectorIndexOptions options = server.NewOptions("conformance", dimensions, metric);
        options.Fingerprint = fingerprint;
        var index = new PgVectorIndex(server.DataSource, options);
        await index.MigrateAsync();
        return index;
    }
}
