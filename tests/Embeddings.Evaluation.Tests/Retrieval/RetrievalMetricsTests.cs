using Embeddings.Evaluation;

namespace Embeddings.Evaluation.Tests.Retrieval;

public sealed class RetrievalMetricsTests
{
    // Graded judgments: d1 = 3, d2 = 2, d3 = 1, d4 = 0 (judged non-relevant); d5 is unjudged.
    private static readonly Dictionary<string, int> Graded = new() { ["d1"] = 3, ["d2"] = 2, ["d3"] = 1, ["d4"] = 0 };
    private static readonly string[] Run = ["d4", "d1", "d5", "d3", "d2"];

    [Fact]
    public void NDCG_uses_linear_gain_and_the_ideal_DCG_of_all_judged_relevant_documents()
    {
        // DCG@3 = 3 / log2(3); IDCG@3 = 3 / 1 + 2 / log2(3) + 1 / 2.
        Assert.Equal(0.397489522, RetrievalMetrics.NdcgAtK(Run, Graded, 3), 9);
        Assert.Equal((3 / Math.Log2(3)) / (3 + (2 / Math.Log2(3)) + 0.5), RetrievalMetrics.NdcgAtK(Run, Graded, 3), 12);
    }

    [Fact]
    public void NDCG_ideal_counts_relevant_documents_that_were_not_retrieved()
    {
        // Only d1 retrieved, at rank 1: DCG = 3; the ideal also holds d2 and d3.
        double expected = 3 / (3 + (2 / Math.Log2(3)) + 0.5);
        Assert.Equal(expected, RetrievalMetrics.NdcgAtK(["d1"], Graded, 10), 12);
        Assert.Equal(1.0, RetrievalMetrics.NdcgAtK(["d1", "d2", "d3"], Graded, 10), 12);
    }

    [Fact]
    public void Recall_precision_reciprocal_rank_and_average_precision_match_hand_computed_values()
    {
        Assert.Equal(1.0 / 3, RetrievalMetrics.RecallAtK(Run, Graded, 3), 12);
        Assert.Equal(1.0, RetrievalMetrics.RecallAtK(Run, Graded, 5), 12);
        Assert.Equal(1.0 / 3, RetrievalMetrics.PrecisionAtK(Run, Graded, 3), 12);
        Assert.Equal(0.5, RetrievalMetrics.ReciprocalRankAtK(Run, Graded, 10), 12);
        Assert.Equal(0.0, RetrievalMetrics.ReciprocalRankAtK(Run, Graded, 1), 12);

        // Relevant at ranks 2, 4, 5: (1/2 + 2/4 + 3/5) / 3.
        Assert.Equal((0.5 + 0.5 + 0.6) / 3, RetrievalMetrics.AveragePrecision(Run, Graded), 12);
        Assert.Equal(0.5 / 3, RetrievalMetrics.AveragePrecision(Run, Graded, k: 3), 12);
    }

    [Fact]
    public void Precision_divides_by_k_even_when_fewer_documents_were_retrieved()
    {
        Assert.Equal(0.1, RetrievalMetrics.PrecisionAtK(["d1"], Graded, 10), 12);
    }

    [Fact]
    public void A_query_without_relevant_documents_scores_zero_per_query()
    {
        var none = new Dictionary<string, int> { ["x"] = 0 };
        Assert.Equal(0, RetrievalMetrics.NdcgAtK(["x"], none, 10));
        Assert.Equal(0, RetrievalMetrics.RecallAtK(["x"], none, 10));
        Assert.Equal(0, RetrievalMetrics.AveragePrecision(["x"], none));
    }

    [Fact]
    public void A_ranking_that_lists_a_document_twice_is_rejected()
    {
        var e = Assert.Throws<ArgumentException>(() => RetrievalMetrics.NdcgAtK(["d1", "d1"], Graded, 10));
        Assert.Contains("'d1' twice", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluator_leaves_out_queries_without_relevant_documents_and_counts_missing_rankings_as_zero()
    {
        var judgments = new RelevanceJudgments([
            ("q1", "d1", 3), ("q1", "d2", 2), ("q1", "d3", 1), ("q1", "d4", 0),
            ("q2", "x", 0),
            ("q3", "d9", 1),
        ]);
        var rankings = new Dictionary<string, IReadOnlyList<string>>
        {
            ["q1"] = Run,
            ["q2"] = ["x"],
            ["unjudged"] = ["d1"],
        };

        RetrievalReport report = RetrievalEvaluator.Evaluate(rankings, judgments, [3, 10]);

        Assert.Equal(2, report.EvaluatedQueries);
        Assert.Equal(1, report.QueriesWithoutRelevant);
        Assert.Equal(1, report.QueriesWithoutRanking);
        Assert.Equal(0.397489522 / 2, report.NdcgAt[3], 9);
        Assert.Equal(0.5 / 2, report.MrrAt[10], 12);
        Assert.Equal((0.5 + 0.5 + 0.6) / 3 / 2, report.Map, 12);
        Assert.Equal(["q1", "q3"], report.PerQuery.Select(q => q.QueryId));
    }

    [Fact]
    public void Ties_are_broken_by_document_id_descending_as_trec_eval_does()
    {
        string[] ids = ["a", "b", "c", "d"];
        float[] scores = [1f, 1f, 2f, 1f];
        Assert.Equal(["c", "d", "b", "a"], Ranking.TopK(ids, scores, 4));
        Assert.Equal(["c", "d"], Ranking.TopK(ids, scores, 2));

        // The tie-break decides the metric: with b relevant, it ranks third.
        var judged = new Dictionary<string, int> { ["b"] = 1 };
        Assert.Equal(1.0 / 3, RetrievalMetrics.ReciprocalRankAtK(Ranking.TopK(ids, scores, 4), judged, 10), 12);
    }

    [Fact]
    public void TopK_matches_a_full_sort_on_random_scores()
    {
        var random = new Random(42);
        string[] ids = Enumerable.Range(0, 500).Select(i => $"doc{i:D4}").ToArray();
        float[] scores = ids.Select(_ => (float)Math.Round(random.NextDouble(), 2)).ToArray();
        string[] expected = ids.Select((id, i) => (scores[i], id)).Order(Comparer<(float, string)>.Create((a, b) => Ranking.Compare(a, b))).Select(p => p.Item2).Take(37).ToArray();
        Assert.Equal(expected, Ranking.TopK(ids, scores, 37));
    }

    [Fact]
    public void Qrels_file_with_a_header_loads_and_a_bad_score_names_file_and_line()
    {
        string path = Path.Combine(Path.GetTempPath(), $"qrels-{Guid.NewGuid():N}.tsv");
        try
        {
            File.WriteAllText(path, "query-id\tcorpus-id\tscore\nq1\td1\t2\nq1\td2\t0\nq2\td3\t1\n");
            RelevanceJudgments judgments = RelevanceJudgments.Load(path);
            Assert.Equal(3, judgments.Count);
            Assert.Equal(1, judgments.RelevantCount("q1"));
            Assert.Equal(2, judgments.ForQuery("q1")["d1"]);

            File.WriteAllText(path, "query-id\tcorpus-id\tscore\nq1\td1\tzwei\n");
            var e = Assert.Throws<InvalidDataException>(() => RelevanceJudgments.Load(path));
            Assert.Contains("line 2", e.Message, StringComparison.Ordinal);
            Assert.Contains(path, e.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
