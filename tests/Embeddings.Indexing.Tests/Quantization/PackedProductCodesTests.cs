using static Embeddings.Core.Tests.Quantization.QuantizationTestData;

namespace Embeddings.Core.Tests.Quantization;

public sealed class PackedProductCodesTests
{
    private const int D = 32;
    private const int M = 8;
    private static readonly Lazy<ProductQuantizer> Trained = new(() =>
        ProductQuantizer.Train(RandomVectors(3000, D, seed: 11), D, M, new ProductQuantizerOptions { Iterations = 4 }));

    public static TheoryData<DistanceMetric> Metrics => new() { DistanceMetric.DotProduct, DistanceMetric.Cosine, DistanceMetric.EuclideanSquared, DistanceMetric.Euclidean, DistanceMetric.Manhattan };

    /// <summary>The metrics the byte tables serve (cosine always scores with the float tables).</summary>
    public static TheoryData<DistanceMetric> ByteTableMetrics => new() { DistanceMetric.DotProduct, DistanceMetric.EuclideanSquared, DistanceMetric.Euclidean, DistanceMetric.Manhattan };

    [Theory]
    [MemberData(nameof(Metrics))]
    public void Float_table_search_equals_a_full_sort_of_every_code_scored_alone(DistanceMetric metric) =>
        Search_equals_a_full_sort_of_every_code_scored_alone(metric, accelerate: false);

    [Avx512VbmiTheory]
    [Trait(Avx512VbmiTheoryAttribute.Trait, Avx512VbmiTheoryAttribute.Value)]
    [MemberData(nameof(ByteTableMetrics))]
    public void Byte_table_search_equals_a_full_sort_of_every_code_scored_alone(DistanceMetric metric) =>
        Search_equals_a_full_sort_of_every_code_scored_alone(metric, accelerate: true);

    private static void Search_equals_a_full_sort_of_every_code_scored_alone(DistanceMetric metric, bool accelerate)
    {
        ProductQuantizer pq = Trained.Value;
        const int Count = 1000 + 37;
        byte[] codes = EncodeAll(pq, RandomVectors(Count, D, seed: 12));
        var packed = new PackedProductCodes(pq, codes, Count);
        float[] queries = RandomVectors(25, D, seed: 13);

        for (int q = 0; q < 25; q++)
        {
            ReadOnlySpan<float> query = queries.AsSpan(q * D, D);
            foreach (int k in new[] { 1, 10, 100 })
            {
                Assert.Equal(FullSort(pq, codes, Count, query, metric, k), Search(packed, query, metric, k, accelerate));
            }
        }
    }

    [Fact]
    public void Equal_scores_keep_the_lower_index_first_like_the_back_to_back_scan_with_float_tables() =>
        Equal_scores_keep_the_lower_index_first_like_the_back_to_back_scan(accelerate: false);

    [Avx512VbmiTheory]
    [Trait(Avx512VbmiTheoryAttribute.Trait, Avx512VbmiTheoryAttribute.Value)]
    [InlineData(DistanceMetric.DotProduct)]
    public void Equal_scores_keep_the_lower_index_first_like_the_back_to_back_scan_with_byte_tables(DistanceMetric metric)
    {
        Assert.Equal(DistanceMetric.DotProduct, metric);
        Equal_scores_keep_the_lower_index_first_like_the_back_to_back_scan(accelerate: true);
    }

    private static void Equal_scores_keep_the_lower_index_first_like_the_back_to_back_scan(bool accelerate)
    {
        ProductQuantizer pq = Trained.Value;
        byte[] patterns = EncodeAll(pq, RandomVectors(5, D, seed: 14));
        const int Count = 700;
        var codes = new byte[Count * M];
        for (int i = 0; i < Count; i++)
        {
            patterns.AsSpan((i * 7 % 5) * M, M).CopyTo(codes.AsSpan(i * M, M));
        }

        var packed = new PackedProductCodes(pq, codes, Count);
        float[] query = RandomVectors(1, D, seed: 15);
        QuantizedQueryScorer scorer = pq.CreateScorer(query, DistanceMetric.DotProduct);

        QuantizedSearchHit[] hits = Search(packed, query, DistanceMetric.DotProduct, 300, accelerate);

        Assert.Equal(QuantizedSearch.Scan(scorer, codes, Count, 300), hits);
        Assert.Equal(FullSort(pq, codes, Count, query, DistanceMetric.DotProduct, 300), hits);
        Assert.True(hits.Count(h => h.Score == hits[0].Score) > 100, "the first pattern repeats, so its score ties");
    }

    [Fact]
    public void One_slice_with_a_huge_range_still_gives_the_exact_result_with_float_tables() =>
        One_slice_with_a_huge_range_still_gives_the_exact_result(accelerate: false);

    [Avx512VbmiTheory]
    [Trait(Avx512VbmiTheoryAttribute.Trait, Avx512VbmiTheoryAttribute.Value)]
    [InlineData(DistanceMetric.DotProduct)]
    [InlineData(DistanceMetric.EuclideanSquared)]
    public void One_slice_with_a_huge_range_still_gives_the_exact_result_with_byte_tables(DistanceMetric metric) =>
        One_slice_with_a_huge_range_still_gives_the_exact_result(accelerate: true, metric);

    private static void One_slice_with_a_huge_range_still_gives_the_exact_result(bool accelerate, DistanceMetric? only = null)
    {
        // One shared byte scale is sized by the widest slice, so the other slices round to a few levels: the
        // bound has to let enough codes through to the float rescoring for the answer to stay exact.
        float[] data = RandomVectors(2000, D, seed: 16);
        for (int i = 0; i < 2000; i++)
        {
            for (int t = 0; t < D / M; t++)
            {
                data[(i * D) + t] *= 1000f;
            }
        }

        ProductQuantizer pq = ProductQuantizer.Train(data, D, M, new ProductQuantizerOptions { Iterations = 3 });
        byte[] codes = EncodeAll(pq, data);
        var packed = new PackedProductCodes(pq, codes, 2000);
        float[] queries = RandomVectors(10, D, seed: 17);
        foreach (DistanceMetric metric in only is { } one ? [one] : new[] { DistanceMetric.DotProduct, DistanceMetric.EuclideanSquared })
        {
            for (int q = 0; q < 10; q++)
            {
                ReadOnlySpan<float> query = queries.AsSpan(q * D, D);
                Assert.Equal(FullSort(pq, codes, 2000, query, metric, 20), Search(packed, query, metric, 20, accelerate));
            }
        }
    }

    [Theory]
    [InlineData(0, 5)]
    [InlineData(1, 5)]
    [InlineData(63, 63)]
    [InlineData(64, 100)]
    [InlineData(65, 10)]
    [InlineData(128, 128)]
    public void Block_edges_and_k_beyond_the_count_return_what_a_full_sort_returns(int count, int k)
    {
        ProductQuantizer pq = Trained.Value;
        byte[] codes = EncodeAll(pq, RandomVectors(Math.Max(count, 1), D, seed: 18));
        var packed = new PackedProductCodes(pq, codes, count);
        float[] query = RandomVectors(1, D, seed: 19);

        foreach (bool accelerate in PackedProductCodes.IsHardwareAccelerated ? new[] { true, false } : [false])
        {
            QuantizedSearchHit[] hits = Search(packed, query, DistanceMetric.DotProduct, k, accelerate);
            Assert.Equal(Math.Min(k, count), hits.Length);
            Assert.Equal(FullSort(pq, codes, count, query, DistanceMetric.DotProduct, k), hits);
        }
    }

    [Fact]
    public void Fewer_centroids_and_many_subspaces_use_the_float_tables_and_stay_exact()
    {
        float[] data = RandomVectors(1200, 96, seed: 20);
        ProductQuantizer sixBits = ProductQuantizer.Train(data, 96, 12, new ProductQuantizerOptions { BitsPerCode = 6, Iterations = 3 });
        ProductQuantizer wide = ProductQuantizer.Train(data, 96, 96, new ProductQuantizerOptions { Iterations = 2 });
        float[] query = RandomVectors(1, 96, seed: 21);
        foreach (ProductQuantizer pq in new[] { sixBits, wide })
        {
            byte[] codes = EncodeAll(pq, data);
            var packed = new PackedProductCodes(pq, codes, 1200);
            QuantizedSearchHit[] expected = FullSort(pq, codes, 1200, query, DistanceMetric.EuclideanSquared, 15);
            Assert.Equal(expected, packed.Search(query, DistanceMetric.EuclideanSquared, 15));
            Assert.Equal(expected, Search(packed, query, DistanceMetric.EuclideanSquared, 15, accelerate: false));
        }
    }

    [Fact]
    public void Packing_keeps_every_code_and_pads_only_the_last_block()
    {
        ProductQuantizer pq = Trained.Value;
        byte[] codes = EncodeAll(pq, RandomVectors(130, D, seed: 22));
        var packed = new PackedProductCodes(pq, codes, 130);
        var code = new byte[M];

        for (int i = 0; i < 130; i++)
        {
            packed.CopyCodeTo(i, code);
            Assert.Equal(codes.AsSpan(i * M, M).ToArray(), code);
        }

        Assert.Equal(130, packed.Count);
        Assert.Equal(3L * PackedProductCodes.BlockSize * M, packed.SizeInBytes);
    }

    [Fact]
    public void Bad_arguments_are_rejected_with_the_value_named()
    {
        ProductQuantizer pq = Trained.Value;
        byte[] codes = EncodeAll(pq, RandomVectors(10, D, seed: 23));
        var packed = new PackedProductCodes(pq, codes, 10);
        float[] query = RandomVectors(1, D, seed: 24);

        Assert.Throws<ArgumentNullException>("quantizer", () => new PackedProductCodes(null!, codes, 10));
        Assert.Throws<ArgumentOutOfRangeException>("count", () => new PackedProductCodes(pq, codes, -1));
        Assert.Contains("88 bytes", Assert.Throws<ArgumentException>("codes", () => new PackedProductCodes(pq, codes, 11)).Message);
        Assert.Throws<ArgumentOutOfRangeException>("k", () => packed.Search(query, DistanceMetric.DotProduct, 0));
        Assert.Throws<ArgumentException>("vector", () => packed.Search(new float[D + 1], DistanceMetric.DotProduct, 3));
        float[] nan = (float[])query.Clone();
        nan[5] = float.NaN;
        Assert.Throws<ArgumentException>("query", () => packed.Search(nan, DistanceMetric.DotProduct, 3));
        Assert.Throws<ArgumentException>("metric", () => packed.Search(query, DistanceMetric.Hamming, 3));
        Assert.Throws<ArgumentException>(() => packed.Search(query, DistanceMetric.DotProduct, new float[3], new int[2]));
        Assert.Throws<ArgumentOutOfRangeException>("index", () => packed.CopyCodeTo(10, new byte[M]));
        Assert.Throws<ArgumentException>("code", () => packed.CopyCodeTo(0, new byte[M - 1]));

        ProductQuantizer sixBits = ProductQuantizer.Train(RandomVectors(300, D, seed: 25), D, M, new ProductQuantizerOptions { BitsPerCode = 6, Iterations = 1 });
        var invalid = new byte[2 * M];
        invalid[M + 3] = 64;
        Assert.Contains("Code 1, sub-code 3, is 64", Assert.Throws<ArgumentException>("codes", () => new PackedProductCodes(sixBits, invalid, 2)).Message);
    }

    private static QuantizedSearchHit[] Search(PackedProductCodes packed, ReadOnlySpan<float> query, DistanceMetric metric, int k, bool accelerate)
    {
        // A byte-table row must run the byte tables: one that fell back to the float tables would pass untested.
        Assert.Equal(accelerate, accelerate && ProductCodeBlocks.SupportsByteTables((ProductQuantizer.TableScorer)packed.Quantizer.CreateScorer(query, metric)));

        int size = Math.Min(k, packed.Count);
        var scores = new float[size];
        var indices = new int[size];
        int found = packed.Search(query, metric, scores, indices, accelerate);
        return Enumerable.Range(0, found).Select(i => new QuantizedSearchHit(indices[i], scores[i])).ToArray();
    }

    /// <summary>The reference: every code scored on its own, then sorted by score, ties by index.</summary>
    private static QuantizedSearchHit[] FullSort(ProductQuantizer pq, byte[] codes, int count, ReadOnlySpan<float> query, DistanceMetric metric, int k)
    {
        QuantizedQueryScorer scorer = pq.CreateScorer(query, metric);
        return Enumerable.Range(0, count)
            .Select(i => new QuantizedSearchHit(i, scorer.Score(codes.AsSpan(i * pq.Subspaces, pq.Subspaces))))
            .OrderByDescending(h => h.Score).ThenBy(h => h.Index).Take(k).ToArray();
    }
}
