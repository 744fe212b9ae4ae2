using System.Runtime.Intrinsics;
using Embeddings.Indexing.Internal;
using Embeddings.Vectors.Internal;
using Embeddings.Testing;

namespace Embeddings.Core.Tests.Indexing;

public sealed class FlatIndexBatchSearchTests
{
    public static TheoryData<DistanceMetric, int, int, int> Shapes() => new()
    {
        // dims with and without a tail past the last 8-float step; row counts that end mid tile and mid block; query counts
        // that end mid tile and cross a query block.
        { DistanceMetric.Cosine, 100, 1_001, 70 },
        { DistanceMetric.DotProduct, 13, 257, 5 },
        { DistanceMetric.Euclidean, 8, 513, 1 },
        { DistanceMetric.EuclideanSquared, 3, 64, 129 },
        { DistanceMetric.Manhattan, 37, 300, 9 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Every_query_gets_the_exact_top_k_of_a_scalar_reference(DistanceMetric metric, int dims, int rows, int queries)
    {
        var random = new Random(dims * 31 + rows);
        float[][] vectors = RandomVectors(random, rows, dims);
        float[][] probes = RandomVectors(random, queries, dims);
        using var index = Build(metric, vectors);
        const int k = 10;

        IReadOnlyList<IReadOnlyList<VectorSearchResult>> results = index.SearchBatch(Flatten(probes), k);

        Assert.Equal(queries, results.Count);
        for (int q = 0; q < queries; q++)
        {
            AssertExactTopK(metric, vectors, probes[q], results[q], Math.Min(k, rows));
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void A_filtered_query_gets_the_exact_top_k_of_the_admitted_rows(DistanceMetric metric, int dims, int rows, int queries)
    {
        // Two rows in three admitted, in runs and gaps, so the 1,001-row shapes gather more admitted rows than one
        // block of the filtered scan holds.
        var random = new Random(dims * 7 + rows);
        float[][] vectors = RandomVectors(random, rows, dims);
        float[][] probes = RandomVectors(random, Math.Min(queries, 20), dims);
        using var index = new FlatIndex(dims, metric);
        for (int i = 0; i < rows; i++)
        {
            index.Add($"r{i}", vectors[i], new Dictionary<string, object?> { ["keep"] = i % 3 != 0 });
        }

        var options = new VectorSearchOptions { Filter = MetadataFilter.Equal("keep", true) };
        int admittedCount = Enumerable.Range(0, rows).Count(i => i % 3 != 0);
        foreach (float[] probe in probes)
        {
            AssertExactTopK(metric, vectors, probe, index.Search(probe, 10, options), Math.Min(10, admittedCount), row => row % 3 != 0);
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Batch_and_one_query_per_call_return_the_same_keys(DistanceMetric metric, int dims, int rows, int queries)
    {
        var random = new Random(dims + rows);
        float[][] vectors = RandomVectors(random, rows, dims);
        float[][] probes = RandomVectors(random, queries, dims);
        using var index = Build(metric, vectors);

        IReadOnlyList<IReadOnlyList<VectorSearchResult>> batch = index.SearchBatch(Flatten(probes), 7);

        for (int q = 0; q < queries; q++)
        {
            IReadOnlyList<VectorSearchResult> single = index.Search(probes[q], 7);
            Assert.Equal(single.Select(r => r.Key), batch[q].Select(r => r.Key));
            for (int i = 0; i < single.Count; i++)
            {
                Assert.Equal(single[i].Score, batch[q][i].Score, 1e-4f);
            }
        }
    }

    [Fact]
    public void Parallel_batches_match_the_sequential_ones()
    {
        var random = new Random(5);
        float[][] vectors = RandomVectors(random, 2_000, 24);
        float[][] probes = RandomVectors(random, 300, 24);
        using var sequential = Build(DistanceMetric.Cosine, vectors);
        using var parallel = Build(DistanceMetric.Cosine, vectors, new FlatIndexOptions { MaxDegreeOfParallelism = 3 });

        IReadOnlyList<IReadOnlyList<VectorSearchResult>> expected = sequential.SearchBatch(Flatten(probes), 5);
        IReadOnlyList<IReadOnlyList<VectorSearchResult>> actual = parallel.SearchBatch(Flatten(probes), 5);

        for (int q = 0; q < probes.Length; q++)
        {
            Assert.Equal(expected[q], actual[q]);
        }
    }

    [Fact]
    public void A_filter_is_applied_to_every_query_of_the_batch()
    {
        var random = new Random(11);
        float[][] vectors = RandomVectors(random, 600, 16);
        float[][] probes = RandomVectors(random, 9, 16);
        using var index = new FlatIndex(16, DistanceMetric.DotProduct);
        for (int i = 0; i < vectors.Length; i++)
        {
            index.Add($"r{i}", vectors[i], new Dictionary<string, object?> { ["even"] = i % 2 == 0, ["block"] = i / 100 });
        }

        var options = new VectorSearchOptions { Filter = MetadataFilter.And(MetadataFilter.Equal("even", true), MetadataFilter.Range("block", 1, 3)) };
        IReadOnlyList<IReadOnlyList<VectorSearchResult>> batch = index.SearchBatch(Flatten(probes), 8, options);

        for (int q = 0; q < probes.Length; q++)
        {
            Assert.Equal(index.Search(probes[q], 8, options).Select(r => r.Key), batch[q].Select(r => r.Key));
            Assert.All(batch[q], hit =>
            {
                int row = int.Parse(hit.Key.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture);
                Assert.True(row % 2 == 0 && row / 100 is >= 1 and <= 3, hit.Key);
            });
        }
    }

    [Fact]
    public void Float16_storage_takes_the_per_query_path_with_the_same_answers()
    {
        var random = new Random(3);
        float[][] vectors = RandomVectors(random, 400, 20);
        float[][] probes = RandomVectors(random, 6, 20);
        using var index = Build(DistanceMetric.Cosine, vectors, new FlatIndexOptions { Storage = VectorStorageKind.Float16 });

        IReadOnlyList<IReadOnlyList<VectorSearchResult>> batch = index.SearchBatch(Flatten(probes), 4);

        for (int q = 0; q < probes.Length; q++)
        {
            Assert.Equal(index.Search(probes[q], 4), batch[q]);
        }
    }

    [Fact]
    public void An_empty_index_answers_every_query_with_no_hits()
    {
        using var index = new FlatIndex(4);

        IReadOnlyList<IReadOnlyList<VectorSearchResult>> results = index.SearchBatch(new float[12], 3);

        Assert.Equal(3, results.Count);
        Assert.All(results, Assert.Empty);
    }

    [Fact]
    public void Bad_batches_are_refused_naming_the_problem()
    {
        using var index = new FlatIndex(4);
        index.Add("a", [1, 0, 0, 0]);

        ArgumentException ragged = Assert.Throws<ArgumentException>(() => index.SearchBatch(new float[6], 1));
        Assert.Contains("6 floats", ragged.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => index.SearchBatch(ReadOnlySpan<float>.Empty, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => index.SearchBatch(new float[4], 0));

        float[] withNaN = [1, 0, 0, 0, 0, float.NaN, 0, 0];
        ArgumentException nan = Assert.Throws<ArgumentException>(() => index.SearchBatch(withNaN, 1));
        Assert.Equal("queries[1]", nan.ParamName);
    }

    [Fact]
    public void A_cancelled_token_stops_the_batch()
    {
        using var index = Build(DistanceMetric.Cosine, RandomVectors(new Random(1), 100, 8));
        using var cts = new CancellationTokenSource();
        cts.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(() => index.SearchBatch(new float[8 * 10], 3, cancellationToken: cts.Token));
    }

    [Theory]
    [InlineData(128)]
    [InlineData(256)]
    [InlineData(512)]
    public void The_tile_kernel_matches_the_scalar_reference_for_each_pair_at_every_width(int width)
    {
        var random = new Random(17 + width);
        const int dims = 21;
        const int rows = 37;
        float[][] queries = RandomVectors(random, BlockedScan.QueryTile, dims);
        float[][] block = RandomVectors(random, rows, dims);
        const int stride = 256;
        var distances = new float[BlockedScan.QueryTile * stride];
        var packed = new float[stride * dims];
        BlockedScan.Pack(Flatten(block), rows, dims, 2 * width / 32, packed);

        Score<SquaredDifferenceElements>();
        AssertEach((q, r) => ScalarReference.EuclideanSquared(queries[q], block[r]));
        Score<DotElements>();
        AssertEach((q, r) => -ScalarReference.Dot(queries[q], block[r]));
        Score<AbsoluteDifferenceElements>();
        AssertEach((q, r) => ScalarReference.Manhattan(queries[q], block[r]));

        void Score<TMetric>()
            where TMetric : struct, IElementMetric
        {
            Array.Fill(distances, float.NaN);
            switch (width)
            {
                case 128:
                    BlockedScan.ScoreTile<TMetric, Lanes128, Vector128<float>>(Flatten(queries), packed, dims, rows, distances);
                    break;
                case 256:
                    BlockedScan.ScoreTile<TMetric, Lanes256, Vector256<float>>(Flatten(queries), packed, dims, rows, distances);
                    break;
                default:
                    BlockedScan.ScoreTile<TMetric, Lanes512, Vector512<float>>(Flatten(queries), packed, dims, rows, distances);
                    break;
            }
        }

        void AssertEach(Func<int, int, double> reference)
        {
            for (int q = 0; q < BlockedScan.QueryTile; q++)
            {
                for (int r = 0; r < rows; r++)
                {
                    Assert.Equal(reference(q, r), distances[(q * stride) + r], 1e-4);
                }
            }
        }
    }

    [Theory]
    [InlineData(128)]
    [InlineData(256)]
    [InlineData(512)]
    public void The_blocked_scan_keeps_the_exact_top_k_at_every_width(int width)
    {
        var random = new Random(23 + width);
        const int dims = 19;
        const int rows = 600;
        const int queries = 6;
        const int k = 9;
        float[][] vectors = RandomVectors(random, rows, dims);
        float[][] probes = RandomVectors(random, queries, dims);
        float[] padded = new float[8 * dims];
        Flatten(probes).CopyTo(padded, 0);
        var heaps = Enumerable.Range(0, queries).Select(_ => new NeighborHeap(k)).ToArray();
        var scratch = new float[BlockedScan.ScratchLength(dims)];
        switch (width)
        {
            case 128:
                BlockedScan.Scan<SquaredDifferenceElements, Lanes128, Vector128<float>>(padded, 0, queries, Flatten(vectors), dims, 0, rows, k, heaps, scratch);
                break;
            case 256:
                BlockedScan.Scan<SquaredDifferenceElements, Lanes256, Vector256<float>>(padded, 0, queries, Flatten(vectors), dims, 0, rows, k, heaps, scratch);
                break;
            default:
                BlockedScan.Scan<SquaredDifferenceElements, Lanes512, Vector512<float>>(padded, 0, queries, Flatten(vectors), dims, 0, rows, k, heaps, scratch);
                break;
        }

        for (int q = 0; q < queries; q++)
        {
            var drained = new HeapEntry[k];
            Assert.Equal(k, heaps[q].DrainAscending(drained));
            int[] expected = Enumerable.Range(0, rows).OrderBy(r => ScalarReference.EuclideanSquared(probes[q], vectors[r])).ThenBy(r => r).Take(k).ToArray();
            Assert.Equal(expected, drained.Select(e => e.Id).ToArray());
        }
    }

    private static FlatIndex Build(DistanceMetric metric, float[][] vectors, FlatIndexOptions? options = null)
    {
        var index = new FlatIndex(vectors[0].Length, metric, options);
        for (int i = 0; i < vectors.Length; i++)
        {
            index.Add($"r{i}", vectors[i]);
        }

        return index;
    }

    private static void AssertExactTopK(DistanceMetric metric, float[][] vectors, float[] query, IReadOnlyList<VectorSearchResult> hits, int expectedCount, Func<int, bool>? admitted = null)
    {
        admitted ??= _ => true;
        const double tolerance = 1e-4;
        Assert.Equal(expectedCount, hits.Count);
        var returned = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < hits.Count; i++)
        {
            int row = int.Parse(hits[i].Key.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(admitted(row), $"{hits[i].Key} is not admitted by the filter");
            Assert.Equal(ReferenceScore(metric, query, vectors[row]), hits[i].Score, tolerance);
            Assert.True(i == 0 || hits[i].Score <= hits[i - 1].Score, "scores must not increase");
            Assert.True(returned.Add(hits[i].Key), $"{hits[i].Key} returned twice");
        }

        double worstReturned = hits[^1].Score;
        for (int row = 0; row < vectors.Length; row++)
        {
            if (admitted(row) && !returned.Contains($"r{row}"))
            {
                Assert.True(ReferenceScore(metric, query, vectors[row]) <= worstReturned + tolerance, $"r{row} beats a returned hit but was left out");
            }
        }
    }

    private static double ReferenceScore(DistanceMetric metric, float[] query, float[] row) => metric switch
    {
        DistanceMetric.Cosine => ScalarReference.Cosine(query, row),
        DistanceMetric.DotProduct => ScalarReference.Dot(query, row),
        DistanceMetric.Euclidean => -ScalarReference.Euclidean(query, row),
        DistanceMetric.EuclideanSquared => -ScalarReference.EuclideanSquared(query, row),
        _ => -ScalarReference.Manhattan(query, row),
    };

    private static float[][] RandomVectors(Random random, int count, int dims)
    {
        var vectors = new float[count][];
        for (int i = 0; i < count; i++)
        {
            vectors[i] = new float[dims];
            for (int d = 0; d < dims; d++)
            {
                vectors[i][d] = (float)((random.NextDouble() * 2) - 1);
            }
        }

        return vectors;
    }

    private static float[] Flatten(float[][] vectors) => vectors.SelectMany(v => v).ToArray();
}
