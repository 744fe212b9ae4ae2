using Embeddings.Evaluation;
using Embeddings.Static;
using Embeddings.Testing.Static;

namespace Embeddings.Evaluation.Tests.Retrieval;

public sealed class ExactRetrievalTests
{
    [Fact]
    public async Task Ranks_by_cosine_and_a_query_of_unknown_words_ties_everything_in_document_id_order()
    {
        string dir = Directory.CreateTempSubdirectory("beir-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(dir, "qrels"));
            File.WriteAllLines(Path.Combine(dir, "corpus.jsonl"), [
                "{\"_id\": \"d1\", \"title\": \"\", \"text\": \"the cat\"}",
                "{\"_id\": \"d2\", \"title\": \"sat\", \"text\": \"mat\"}",
                "{\"_id\": \"d3\", \"title\": \"\", \"text\": \"cat cat\"}",
            ]);
            File.WriteAllLines(Path.Combine(dir, "queries.jsonl"), [
                "{\"_id\": \"q1\", \"text\": \"cat\"}",
                "{\"_id\": \"q2\", \"text\": \"zebra\"}",
            ]);
            File.WriteAllText(Path.Combine(dir, "qrels", "test.tsv"), "query-id\tcorpus-id\tscore\nq1\td3\t1\nq2\td1\t1\n");
            BeirDataset dataset = BeirDataset.Load(dir);
            using var embedder = new StaticEmbedder(StaticEmbeddingModel.FromWordVectors(TestFiles.Words, TestFiles.Vectors, 3));

            var rankings = await ExactRetrieval.SearchAsync(embedder, dataset, k: 3);

            // q1 = (0, 1, 0): d3 = cat (cos 1), d1 = the + cat (cos 0.894), d2 = sat + mat (cos 0.485).
            Assert.Equal(["d3", "d1", "d2"], rankings["q1"]);

            // q2 has no known word: its zero vector scores 0 everywhere, so ids decide, descending.
            Assert.Equal(["d3", "d2", "d1"], rankings["q2"]);
            RetrievalReport report = RetrievalEvaluator.Evaluate(rankings, dataset.Judgments, [1, 3]);
            Assert.Equal(0.5, report.MrrAt[1], 12);
            Assert.Equal((1 + (1.0 / 3)) / 2, report.MrrAt[3], 12);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
