using static Embeddings.Core.Tests.Quantization.QuantizationTestData;

namespace Embeddings.Core.Tests.Retrieval.TwoStage;

/// <summary>NaN and infinities are refused by both stages, when the codes are built and when a query is scored (#14 item 6).</summary>
public sealed class TwoStageRetrieverNonFiniteTests
{
    private const int D = 16;

    public static TheoryData<string, float> Cases => new()
    {
        { "binary", float.NaN }, { "binary", float.PositiveInfinity }, { "prefix", float.NegativeInfinity }, { "prefix", float.NaN },
    };

    private static IVectorQuantizer Coarse(string kind) => kind == "binary" ? new BinaryQuantizer(D) : new MatryoshkaPrefixQuantizer(D, 8);

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_non_finite_vector_is_refused_when_the_retriever_is_built(string coarse, float bad)
    {
        float[] data = RandomVectors(20, D, seed: 4, normalize: true);
        data[(7 * D) + 3] = bad;

        var ex = Assert.Throws<ArgumentException>(() => TwoStageRetriever.Build(Coarse(coarse), new Float32Quantizer(D), data, DistanceMetric.Cosine));

        Assert.Contains("index 3", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_non_finite_query_is_refused_instead_of_ranking_by_NaN(string coarse, float bad)
    {
        float[] data = RandomVectors(20, D, seed: 4, normalize: true);
        TwoStageRetriever retriever = TwoStageRetriever.Build(Coarse(coarse), new Float32Quantizer(D), data, DistanceMetric.Cosine);
        float[] query = RandomVectors(1, D, seed: 9, normalize: true);
        query[11] = bad;

        var ex = Assert.Throws<ArgumentException>(() => retriever.Search(query, 5));

        Assert.Contains("index 11", ex.Message, StringComparison.Ordinal);
    }
}
