using static Embeddings.Core.Tests.Quantization.QuantizationTestData;

namespace Embeddings.Core.Tests.Quantization;

public sealed class QuantizedSearchTests
{
    [Fact]
    public void Scan_returns_the_k_best_like_a_full_sort()
    {
        const int D = 20;
        float[] data = RandomVectors(2000, D, seed: 1);
        var quantizer = new Float32Quantizer(D);
        byte[] codes = EncodeAll(quantizer, data);
        float[] query = RandomVectors(1, D, seed: 2);
        QuantizedQueryScorer scorer = quantizer.CreateScorer(query, DistanceMetric.DotProduct);

        QuantizedSearchHit[] hits = QuantizedSearch.Scan(scorer, codes, 2000, 25);

        QuantizedSearchHit[] expected = Enumerable.Range(0, 2000)
            .Select(i => new QuantizedSearchHit(i, scorer.Score(codes.AsSpan(i * quantizer.BytesPerVector, quantizer.BytesPerVector))))
            .OrderByDescending(h => h.Score).ThenBy(h => h.Index).Take(25).ToArray();
        Assert.Equal(expected, hits);
    }

    [Fact]
    public void Ties_keep_the_lower_index_and_k_beyond_count_returns_everything()
    {
        var quantizer = new BinaryQuantizer(64);
        var codes = new byte[8 * 10];
        for (int i = 0; i < 10; i++)
        {
            codes[i * 8] = (byte)(i % 2);
        }

        var query = new float[64];
        query[0] = -1f;
        QuantizedQueryScorer scorer = quantizer.CreateScorer(query, DistanceMetric.Hamming);

        QuantizedSearchHit[] top3 = QuantizedSearch.Scan(scorer, codes, 10, 3);
        Assert.Equal([0, 2, 4], top3.Select(h => h.Index));

        QuantizedSearchHit[] all = QuantizedSearch.Scan(scorer, codes, 10, 50);
        Assert.Equal([0, 2, 4, 6, 8, 1, 3, 5, 7, 9], all.Select(h => h.Index));
        Assert.Equal(0f, all[0].Score);
        Assert.Equal(-1f, all[9].Score);
    }

    [Fact]
    public void Short_buffers_are_rejected()
    {
        var quantizer = new Float32Quantizer(4);
        QuantizedQueryScorer scorer = quantizer.CreateScorer(new float[4], DistanceMetric.DotProduct);
        Assert.Throws<ArgumentException>(() => QuantizedSearch.Scan(scorer, new byte[30], 2, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => QuantizedSearch.Scan(scorer, new byte[32], 2, 0));
    }
}
