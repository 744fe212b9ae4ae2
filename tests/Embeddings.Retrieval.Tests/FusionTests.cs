namespace Embeddings.Retrieval.Tests;

public sealed class FusionTests
{
    private static IReadOnlyList<VectorSearchResult> Ranking(params (string Key, float Score)[] results) =>
        results.Select(r => new VectorSearchResult(r.Key, r.Score)).ToArray();

    private static readonly IReadOnlyList<VectorSearchResult> Lexical = Ranking(("a", 10f), ("b", 6f), ("c", 2f));
    private static readonly IReadOnlyList<VectorSearchResult> Semantic = Ranking(("b", 0.9f), ("d", 0.7f), ("a", 0.5f));

    [Fact]
    public void Reciprocal_rank_fusion_sums_one_over_k_plus_rank()
    {
        IReadOnlyList<VectorSearchResult> fused = ReciprocalRankFusion.Fuse([Lexical, Semantic], 10);

        Assert.Equal(["b", "a", "d", "c"], fused.Select(r => r.Key));
        Assert.Equal((1.0 / 62) + (1.0 / 61), fused[0].Score, 6);
        Assert.Equal((1.0 / 61) + (1.0 / 63), fused[1].Score, 6);
        Assert.Equal(1.0 / 62, fused[2].Score, 6);
        Assert.Equal(1.0 / 63, fused[3].Score, 6);
    }

    [Fact]
    public void Reciprocal_rank_fusion_honours_weights_rank_constant_and_top()
    {
        IReadOnlyList<VectorSearchResult> weighted = ReciprocalRankFusion.Fuse([Lexical, Semantic], 2, weights: [2.0, 1.0]);
        // a: 2/61 + 1/63 = 0.048660 edges out b: 2/62 + 1/61 = 0.048651.
        Assert.Equal(["a", "b"], weighted.Select(r => r.Key));
        Assert.Equal((2.0 / 61) + (1.0 / 63), weighted[0].Score, 6);

        IReadOnlyList<VectorSearchResult> k0 = ReciprocalRankFusion.Fuse([Lexical, Semantic], 10, rankConstant: 0);
        Assert.Equal(1.0 + (1.0 / 3), k0.Single(r => r.Key == "a").Score, 6);
    }

    [Fact]
    public void Ties_go_to_the_better_best_rank_then_to_the_first_seen()
    {
        IReadOnlyList<VectorSearchResult> fused = ReciprocalRankFusion.Fuse([Ranking(("x", 1f)), Ranking(("y", 1f))], 10);
        Assert.Equal(["x", "y"], fused.Select(r => r.Key));
        Assert.Equal(fused[0].Score, fused[1].Score);

        // With k = 0: p scores 1/1, q 1/2 + 1/2, x 1/1. All tie; q's best rank is 2, so it goes last although seen before x.
        IReadOnlyList<VectorSearchResult> byRank = ReciprocalRankFusion.Fuse([Ranking(("p", 1f), ("q", 1f)), Ranking(("x", 1f), ("q", 1f))], 10, rankConstant: 0);
        Assert.Equal(["p", "x", "q"], byRank.Select(r => r.Key));
        Assert.All(byRank, r => Assert.Equal(1f, r.Score));
    }

    [Fact]
    public void Duplicate_keys_in_one_list_count_once_at_their_best_rank()
    {
        IReadOnlyList<VectorSearchResult> fused = ReciprocalRankFusion.Fuse([Ranking(("a", 3f), ("a", 2f), ("b", 1f))], 10);
        Assert.Equal(1.0 / 61, fused[0].Score, 6);
        Assert.Equal(1.0 / 63, fused[1].Score, 6);
    }

    [Fact]
    public void Weighted_min_max_fusion_matches_hand_computed_scores()
    {
        IReadOnlyList<VectorSearchResult> fused = WeightedScoreFusion.Fuse([Lexical, Semantic], 10, [0.5, 0.5]);

        // Lexical normalized: a 1, b 0.5, c 0. Semantic: b 1, d 0.5, a 0. Missing documents get the list's minimum, 0.
        Assert.Equal(["b", "a", "d", "c"], fused.Select(r => r.Key));
        Assert.Equal([0.75f, 0.5f, 0.25f, 0f], fused.Select(r => r.Score));
    }

    [Fact]
    public void Weighted_z_score_fusion_matches_hand_computed_scores()
    {
        IReadOnlyList<VectorSearchResult> fused = WeightedScoreFusion.Fuse([Lexical, Semantic], 10, [0.5, 0.5], ScoreNormalization.ZScore);
        double z = 4 / Math.Sqrt(32.0 / 3); // (10 - 6) / population deviation of {10, 6, 2}
        Assert.Equal(["b", "a", "d", "c"], fused.Select(r => r.Key));
        Assert.Equal(0.5 * z, fused[0].Score, 5);
        Assert.Equal(0.0, fused[1].Score, 5);
        Assert.Equal(-0.5 * z, fused[2].Score, 5);
        Assert.Equal(-z, fused[3].Score, 5);
    }

    [Fact]
    public void Unnormalized_fusion_adds_raw_scores_and_weights_shift_the_winner()
    {
        IReadOnlyList<VectorSearchResult> raw = WeightedScoreFusion.Fuse([Lexical, Semantic], 1, [1, 1], ScoreNormalization.None);
        Assert.Equal("a", raw[0].Key);
        Assert.Equal(10.5f, raw[0].Score, 5);

        IReadOnlyList<VectorSearchResult> lexicalOnly = WeightedScoreFusion.Fuse([Lexical, Semantic], 10, [1, 0]);
        Assert.Equal("a", lexicalOnly[0].Key);
        IReadOnlyList<VectorSearchResult> semanticOnly = WeightedScoreFusion.Fuse([Lexical, Semantic], 10, [0, 1]);
        Assert.Equal("b", semanticOnly[0].Key);
    }

    [Fact]
    public void Score_normalization_handles_constant_and_empty_lists()
    {
        Assert.Equal([1.0, 1.0], WeightedScoreFusion.NormalizeScores([3.0, 3.0], ScoreNormalization.MinMax));
        Assert.Equal([0.0, 0.0], WeightedScoreFusion.NormalizeScores([3.0, 3.0], ScoreNormalization.ZScore));
        Assert.Empty(WeightedScoreFusion.NormalizeScores([], ScoreNormalization.MinMax));
        Assert.Equal([1.0, 0.25, 0.0], WeightedScoreFusion.NormalizeScores([5.0, 2.0, 1.0], ScoreNormalization.MinMax));

        IReadOnlyList<VectorSearchResult> withEmpty = WeightedScoreFusion.Fuse([Lexical, Ranking()], 10, [0.5, 0.5]);
        Assert.Equal(["a", "b", "c"], withEmpty.Select(r => r.Key));
    }

    [Fact]
    public void Hybrid_fuse_dispatches_on_the_options()
    {
        IReadOnlyList<VectorSearchResult> byDefault = HybridSearcher.Fuse(Lexical, Semantic, 10);
        Assert.Equal(WeightedScoreFusion.Fuse([Lexical, Semantic], 10, [0.6, 0.4], ScoreNormalization.MinMax).Select(r => (r.Key, r.Score)), byDefault.Select(r => (r.Key, r.Score)));

        var rank = new HybridSearchOptions { Fusion = FusionMethod.ReciprocalRank, LexicalWeight = 0.5, VectorWeight = 0.5 };
        IReadOnlyList<VectorSearchResult> rrf = HybridSearcher.Fuse(Lexical, Semantic, 10, rank);
        Assert.Equal(ReciprocalRankFusion.Fuse([Lexical, Semantic], 10, [0.5, 0.5], 60).Select(r => (r.Key, r.Score)), rrf.Select(r => (r.Key, r.Score)));

        var weighted = new HybridSearchOptions { Fusion = FusionMethod.WeightedScore, LexicalWeight = 0.3, VectorWeight = 0.7 };
        IReadOnlyList<VectorSearchResult> ws = HybridSearcher.Fuse(Lexical, Semantic, 10, weighted);
        Assert.Equal(WeightedScoreFusion.Fuse([Lexical, Semantic], 10, [0.3, 0.7]).Select(r => (r.Key, r.Score)), ws.Select(r => (r.Key, r.Score)));
    }

    [Fact]
    public void Under_min_max_a_document_missing_from_a_one_result_list_scores_below_the_one_it_holds()
    {
        // One BM25 hit normalizes to 1; were the floor that list's own minimum (also 1), every vector-only
        // document would score as if BM25 had found it too, and the lexical match would count for nothing.
        IReadOnlyList<VectorSearchResult> lexical = Ranking(("b", 7.5f));
        IReadOnlyList<VectorSearchResult> semantic = Ranking(("a", 0.9f), ("b", 0.8f), ("c", 0.1f));

        IReadOnlyList<VectorSearchResult> fused = WeightedScoreFusion.Fuse([lexical, semantic], 3, [0.6, 0.4]);

        // Scalar reference: b = 0.6 * 1 + 0.4 * (0.8 - 0.1) / 0.8, a = 0.6 * 0 + 0.4 * 1, c = 0.
        Assert.Equal(["b", "a", "c"], fused.Select(r => r.Key));
        Assert.Equal(0.6 + (0.4 * 0.7 / 0.8), fused[0].Score, 1e-6);
        Assert.Equal(0.4, fused[1].Score, 1e-6);
        Assert.Equal(0.0, fused[2].Score, 1e-6);
    }

    [Fact]
    public void Bad_inputs_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => WeightedScoreFusion.Fuse([Lexical, Semantic], 10, [1.0]));
        Assert.Throws<ArgumentException>(() => WeightedScoreFusion.Fuse([Lexical], 10, [-1.0]));
        Assert.Throws<ArgumentException>(() => WeightedScoreFusion.Fuse([Ranking(("a", float.NaN))], 10, [1.0]));
        Assert.Throws<ArgumentException>(() => ReciprocalRankFusion.Fuse([Lexical, null!], 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => ReciprocalRankFusion.Fuse([Lexical], 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => ReciprocalRankFusion.Fuse([Lexical], 5, rankConstant: -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => HybridSearcher.Fuse(Lexical, Semantic, 5, new HybridSearchOptions { CandidateCount = 0 }));
    }

    [Fact]
    public void Both_fusions_take_rankings_k_weights_in_that_order_and_default_weights_to_one()
    {
        // Without weights each list counts once, in both methods, so weights [1, 1] give the same result.
        Assert.Equal(
            WeightedScoreFusion.Fuse([Lexical, Semantic], 10, [1.0, 1.0]).Select(r => (r.Key, r.Score)),
            WeightedScoreFusion.Fuse([Lexical, Semantic], 10).Select(r => (r.Key, r.Score)));
        Assert.Equal(
            ReciprocalRankFusion.Fuse([Lexical, Semantic], 10, [1.0, 1.0]).Select(r => (r.Key, r.Score)),
            ReciprocalRankFusion.Fuse([Lexical, Semantic], 10).Select(r => (r.Key, r.Score)));

        // Min-max with equal weights by hand: a = 1 + 0, b = 0.5 + 1, d = 0 + 0.5, c = 0 + 0.
        IReadOnlyList<VectorSearchResult> fused = WeightedScoreFusion.Fuse([Lexical, Semantic], 10);
        Assert.Equal(["b", "a", "d", "c"], fused.Select(r => r.Key));
        Assert.Equal(1.5, fused[0].Score, 1e-6);
    }
}
