using Embeddings.Evaluation;
using Embeddings.Static;
using Embeddings.Testing;

namespace Embeddings.Retrieval.Tests;

/// <summary>The acceptance figures for BM25 and hybrid retrieval, on the shared BEIR fixtures.</summary>
public sealed class BeirRetrievalFigureTests
{
    private static Bm25Index IndexCorpus(BeirDataset dataset)
    {
        var index = new Bm25Index();
        foreach (BeirDocument document in dataset.Corpus)
        {
            index.Upsert(document.Id, document.FullText);
        }

        return index;
    }

    private static RetrievalReport Score(BeirDataset dataset, Func<BeirQuery, IReadOnlyList<VectorSearchResult>> search)
    {
        Dictionary<string, IReadOnlyList<string>> runs = dataset.Queries.ToDictionary(q => q.Id, q => (IReadOnlyList<string>)search(q).Select(r => r.Key).ToArray());
        return RetrievalEvaluator.Evaluate(runs, dataset.Judgments, [10, 100]);
    }

    [SharedFact("data/msmarco-trec-dl-subset", "data/scifact", "models/glove-6B-100d-top100k")]
    public void Bm25_on_SciFact_reaches_the_reference_nDCG_at_10()
    {
        BeirDataset scifact = BeirDataset.Load(SharedData.Path("data", "scifact"));
        Bm25Index index = IndexCorpus(scifact);

        RetrievalReport report = Score(scifact, q => index.Search(q.Text, 100));

        Assert.Equal(300, report.EvaluatedQueries);
        // Pyserini's BEIR flat BM25 (Lucene EnglishAnalyzer, k1 0.9, b 0.4): 0.679; Lucene.Net 4.8 in benchmarks/: 0.6789.
        Assert.InRange(report.NdcgAt[10], 0.679 - 0.005, 0.679 + 0.005);
    }

    [SharedFact("data/msmarco-trec-dl-subset")]
    public async Task Default_hybrid_with_the_default_static_model_does_not_lose_to_its_parts_on_the_MS_MARCO_subset()
    {
        BeirDataset msmarco = BeirDataset.Load(SharedData.Path("data", "msmarco-trec-dl-subset"));
        Bm25Index lexical = IndexCorpus(msmarco);
        using StaticEmbedder embedder = StaticEmbedder.Load((string?)null);
        float[][] documents = await ExactRetrieval.EmbedNormalizedAsync(embedder, msmarco.Corpus.Select(d => d.FullText).ToArray(), EmbeddingInputKind.Document);
        float[][] queries = await ExactRetrieval.EmbedNormalizedAsync(embedder, msmarco.Queries.Select(q => q.Text).ToArray(), EmbeddingInputKind.Query);
        Dictionary<string, float[]> queryVectors = msmarco.Queries.Select((q, i) => (q.Id, queries[i])).ToDictionary(p => p.Id, p => p.Item2);

        IReadOnlyList<VectorSearchResult> Dense(BeirQuery query)
        {
            float[] scores = documents.Select(d => VectorMath.Dot(queryVectors[query.Id], d)).ToArray();
            return Enumerable.Range(0, scores.Length).OrderByDescending(i => scores[i]).ThenBy(i => i).Take(100)
                .Select(i => new VectorSearchResult(msmarco.Corpus[i].Id, scores[i])).ToArray();
        }

        RetrievalReport bm25 = Score(msmarco, q => lexical.Search(q.Text, 100));
        RetrievalReport dense = Score(msmarco, Dense);
        RetrievalReport hybrid = Score(msmarco, q => HybridSearcher.Fuse(lexical.Search(q.Text, 100), Dense(q), 100));

        Assert.Equal(43, bm25.EvaluatedQueries);
        // The criterion: the default hybrid reaches the better of its two parts minus 0.005.
        double better = Math.Max(bm25.NdcgAt[10], dense.NdcgAt[10]);
        Assert.True(hybrid.NdcgAt[10] >= better - 0.005, $"hybrid nDCG@10 {hybrid.NdcgAt[10]:F4} vs BM25 {bm25.NdcgAt[10]:F4}, dense {dense.NdcgAt[10]:F4}");
        Assert.True(hybrid.RecallAt[100] > bm25.RecallAt[100], $"hybrid Recall@100 {hybrid.RecallAt[100]:F4} vs BM25 {bm25.RecallAt[100]:F4}");
    }
}
