using Embeddings.Core.Tests.Quantization;
using static Embeddings.Core.Tests.Quantization.QuantizationTestData;

namespace Embeddings.Core.Tests.Retrieval.TwoStage;

public sealed class TwoStageRetrieverTests
{
    private const int D = 64;
    private const int N = 3000;

    public static TheoryData<string> Coarse => new() { "binary", "int8", "pq", "prefix" };

    [Theory]
    [MemberData(nameof(Coarse))]
    public void Rescored_results_carry_full_precision_scores_and_match_exact_search_closely(string coarseKind)
    {
        float[] data = RandomVectors(N, D, seed: 21, normalize: true);
        IVectorQuantizer coarse = coarseKind switch
        {
            "binary" => new BinaryQuantizer(D),
            "int8" => ScalarInt8Quantizer.Calibrate(data, D),
            "pq" => ProductQuantizer.Train(data, D, 16, new ProductQuantizerOptions { BitsPerCode = 6, Iterations = 4 }),
            _ => new MatryoshkaPrefixQuantizer(D, 32),
        };
        var fine = new Float32Quantizer(D);
        TwoStageRetriever retriever = TwoStageRetriever.Build(coarse, fine, data, DistanceMetric.Cosine);
        byte[] floatCodes = EncodeAll(fine, data);

        double recall = 0;
        const int Queries = 20;
        for (int q = 0; q < Queries; q++)
        {
            float[] query = RandomVectors(1, D, seed: 500 + q, normalize: true);
            QuantizedSearchHit[] hits = retriever.Search(query, 10, rescoreMultiplier: 10);
            QuantizedSearchHit[] exact = QuantizedSearch.Scan(fine.CreateScorer(query, DistanceMetric.Cosine), floatCodes, N, 10);

            Assert.Equal(10, hits.Length);
            foreach (QuantizedSearchHit hit in hits)
            {
                Assert.Equal(VectorMath.Cosine(query, data.AsSpan(hit.Index * D, D)), hit.Score, 1e-5f);
            }

            Assert.True(hits.Zip(hits.Skip(1)).All(p => p.First.Score >= p.Second.Score));
            recall += hits.Select(h => h.Index).Intersect(exact.Select(h => h.Index)).Count() / 10.0;
        }

        Assert.True(recall / Queries >= 0.6, $"{coarseKind}: recall@10 {recall / Queries}");
    }

    [Fact]
    public void A_multiplier_covering_every_vector_gives_exact_results()
    {
        float[] data = RandomVectors(200, D, seed: 4);
        var fine = new Float32Quantizer(D);
        TwoStageRetriever retriever = TwoStageRetriever.Build(new BinaryQuantizer(D), fine, data, DistanceMetric.DotProduct);
        float[] query = RandomVectors(1, D, seed: 5);

        QuantizedSearchHit[] hits = retriever.Search(query, 5, rescoreMultiplier: 40);
        QuantizedSearchHit[] exact = QuantizedSearch.Scan(fine.CreateScorer(query, DistanceMetric.DotProduct), EncodeAll(fine, data), 200, 5);

        Assert.Equal(exact, hits);
        Assert.Equal(8 + 256, retriever.BytesPerVector);
        Assert.Equal(DistanceMetric.Hamming, retriever.CoarseMetric);
    }

    [Fact]
    public void Int8_rescoring_scores_the_dequantized_vectors()
    {
        float[] data = RandomVectors(500, D, seed: 6);
        ScalarInt8Quantizer int8 = ScalarInt8Quantizer.Calibrate(data, D);
        TwoStageRetriever retriever = TwoStageRetriever.Build(new BinaryQuantizer(D), int8, data, DistanceMetric.DotProduct, DistanceMetric.DotProduct);
        float[] query = RandomVectors(1, D, seed: 7);
        var code = new byte[D];
        var decoded = new float[D];
        foreach (QuantizedSearchHit hit in retriever.Search(query, 5))
        {
            int8.Encode(data.AsSpan(hit.Index * D, D), code);
            int8.Decode(code, decoded);
            Assert.Equal(ScalarDot(query, decoded), hit.Score, 1e-4f);
        }
    }

    [Fact]
    public void Mismatched_inputs_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => new TwoStageRetriever(new BinaryQuantizer(8), new byte[8], new Float32Quantizer(9), new byte[36], 1, DistanceMetric.DotProduct));
        Assert.Throws<ArgumentException>(() => new TwoStageRetriever(new BinaryQuantizer(8), new byte[7], new Float32Quantizer(8), new byte[32], 1, DistanceMetric.DotProduct));
        Assert.Throws<ArgumentException>(() => new TwoStageRetriever(new BinaryQuantizer(8), new byte[8], new Float32Quantizer(8), new byte[32], 1, DistanceMetric.Hamming));
        TwoStageRetriever retriever = TwoStageRetriever.Build(new BinaryQuantizer(8), new Float32Quantizer(8), new float[16], DistanceMetric.DotProduct);
        Assert.Throws<ArgumentOutOfRangeException>(() => retriever.Search(new float[8], 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => retriever.Search(new float[8], 1, 0));
        Assert.Throws<ArgumentException>(() => retriever.Search(new float[7], 1));
    }
}
