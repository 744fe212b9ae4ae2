using Embeddings.Evaluation;
using Embeddings.Testing;

namespace Embeddings.Evaluation.Tests.Similarity;

public sealed class CorrelationTests
{
    [SharedFact("data/sick", "data/stsbenchmark")]
    public void Pearson_matches_a_hand_computed_value()
    {
        // mean x = 2, mean y = 13/3; cov = 5, var x = 2, var y = 114/9.
        Assert.Equal(5 / Math.Sqrt(2 * 114.0 / 9), Correlation.Pearson([1, 2, 3], [2, 4, 7]), 12);
    }

    [SharedFact("data/sick", "data/stsbenchmark")]
    public void Spearman_gives_tied_values_their_average_rank()
    {
        Assert.Equal([1, 2.5, 2.5, 4], Correlation.AverageRanks([1, 2, 2, 3]));

        // Ranks x = 1, 2.5, 2.5, 4 and y = 1, 3, 2, 4: cov 4.5, var 4.5 and 5.
        Assert.Equal(4.5 / Math.Sqrt(4.5 * 5), Correlation.Spearman([1, 2, 2, 3], [1, 3, 2, 4]), 12);
    }

    [SharedFact("data/sick", "data/stsbenchmark")]
    public void Spearman_is_1_for_any_monotonic_relation_and_minus_1_for_a_reversed_one()
    {
        Assert.Equal(1, Correlation.Spearman([1, 2, 3, 4], [1, 8, 27, 64]), 12);
        Assert.Equal(-1, Correlation.Spearman([1, 2, 3, 4], [10, 5, 0, -5]), 12);
    }

    [SharedFact("data/sick", "data/stsbenchmark")]
    public void Bad_series_are_rejected_with_the_reason()
    {
        Assert.Contains("differ in length", Assert.Throws<ArgumentException>(() => Correlation.Pearson([1, 2], [1])).Message, StringComparison.Ordinal);
        Assert.Contains("at least two", Assert.Throws<ArgumentException>(() => Correlation.Spearman([1], [1])).Message, StringComparison.Ordinal);
        Assert.Contains("NaN", Assert.Throws<ArgumentException>(() => Correlation.Pearson([1, double.NaN], [1, 2])).Message, StringComparison.Ordinal);
        Assert.Equal(0, Correlation.Pearson([1, 1, 1], [1, 2, 3]));
    }

    [SharedFact("data/sick", "data/stsbenchmark")]
    public void STS_benchmark_and_SICK_load()
    {
        var test = SentencePairDatasets.LoadStsBenchmark(SharedData.Path("data", "stsbenchmark", "sts-test.csv"));
        Assert.Equal(1379, test.Count);
        Assert.Equal(new SentencePair("A girl is styling her hair.", "A girl is brushing her hair.", 2.5), test[0]);

        var sick = SentencePairDatasets.LoadSick(SharedData.Path("data", "sick", "SICK.txt"));
        Assert.Equal(9927, sick.Count);
        Assert.All(sick, p => Assert.InRange(p.Score, 1, 5));
        Assert.Equal(new SentencePair("A group of kids is playing in a yard and an old man is standing in the background", "A group of boys in a yard is playing and a man is standing in the background", 4.5), sick[0]);

        // This copy has no SemEval_set column, so a split cannot be chosen.
        var e = Assert.Throws<InvalidDataException>(() => SentencePairDatasets.LoadSick(SharedData.Path("data", "sick", "SICK.txt"), "TEST"));
        Assert.Contains("SemEval_set", e.Message, StringComparison.Ordinal);
    }
}
