using Embeddings.Testing.Indexing;

namespace Embeddings.Core.Tests.Indexing;

public sealed class FlatIndexConformanceTests : VectorIndexConformanceTests
{
    protected override IReadOnlyList<DistanceMetric> SupportedMetrics { get; } =
        [DistanceMetric.Cosine, DistanceMetric.DotProduct, DistanceMetric.Euclidean, DistanceMetric.EuclideanSquared, DistanceMetric.Manhattan];

    protected override Task<IVectorIndex> CreateIndexAsync(int dimensions, DistanceMetric metric, EmbedderFingerprint? fingerprint) =>
        Task.FromResult<IVectorIndex>(new FlatIndex(dimensions, metric, new FlatIndexOptions { InitialCapacity = 4 }, fingerprint));
}

public sealed class Float16FlatIndexConformanceTests : VectorIndexConformanceTests
{
    protected override float ScoreTolerance => 5e-3f;

    protected override Task<IVectorIndex> CreateIndexAsync(int dimensions, DistanceMetric metric, EmbedderFingerprint? fingerprint) =>
        Task.FromResult<IVectorIndex>(new FlatIndex(dimensions, metric, new FlatIndexOptions { Storage = VectorStorageKind.Float16 }, fingerprint));
}

public sealed class HnswIndexConformanceTests : VectorIndexConformanceTests
{
    protected override IReadOnlyList<DistanceMetric> SupportedMetrics { get; } =
        [DistanceMetric.Cosine, DistanceMetric.DotProduct, DistanceMetric.Euclidean, DistanceMetric.EuclideanSquared, DistanceMetric.Manhattan];

    protected override Task<IVectorIndex> CreateIndexAsync(int dimensions, DistanceMetric metric, EmbedderFingerprint? fingerprint) =>
        Task.FromResult<IVectorIndex>(new HnswIndex(dimensions, metric, new HnswIndexOptions { M = 8, EfConstruction = 64, Seed = 1, InitialCapacity = 8 }, fingerprint));
}
