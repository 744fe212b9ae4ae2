using Embeddings.Evaluation;
using Embeddings.Testing;

namespace Embeddings.Evaluation.Tests.Beir;

public sealed class BeirDatasetTests
{
    [SharedFact("data/msmarco-trec-dl-subset", "data/scifact")]
    public void SciFact_loads_corpus_queries_and_test_judgments()
    {
        BeirDataset dataset = BeirDataset.Load(SharedData.Path("data", "scifact"));
        Assert.Equal(5183, dataset.Corpus.Count);
        Assert.Equal(1109, dataset.AllQueries.Count);
        Assert.Equal(339, dataset.Judgments.Count);
        Assert.Equal(300, dataset.Queries.Count);
        Assert.Equal("4983", dataset.Corpus[0].Id);
        Assert.StartsWith("Microstructural development of human newborn cerebral white matter assessed in vivo by diffusion tensor magnetic resonance imaging. Alterations", dataset.Corpus[0].FullText, StringComparison.Ordinal);
    }

    [SharedFact("data/msmarco-trec-dl-subset", "data/scifact")]
    public void MS_MARCO_subset_has_43_queries_with_graded_judgments()
    {
        BeirDataset dataset = BeirDataset.Load(SharedData.Path("data", "msmarco-trec-dl-subset"));
        Assert.Equal(50, dataset.AllQueries.Count);
        Assert.Equal(43, dataset.Queries.Count);
        Assert.Equal(4102, dataset.Judgments.Count);
    }

    [SharedFact("data/msmarco-trec-dl-subset", "data/scifact")]
    public void A_missing_file_and_a_broken_line_are_named()
    {
        string dir = Directory.CreateTempSubdirectory("beir-").FullName;
        try
        {
            var missing = Assert.Throws<FileNotFoundException>(() => BeirDataset.Load(dir));
            Assert.Contains("corpus.jsonl", missing.Message, StringComparison.Ordinal);

            Directory.CreateDirectory(Path.Combine(dir, "qrels"));
            File.WriteAllText(Path.Combine(dir, "corpus.jsonl"), "{\"_id\": \"d1\", \"title\": \"T\", \"text\": \"x\"}\n{not json\n");
            File.WriteAllText(Path.Combine(dir, "queries.jsonl"), "{\"_id\": \"q1\", \"text\": \"y\"}\n");
            File.WriteAllText(Path.Combine(dir, "qrels", "test.tsv"), "query-id\tcorpus-id\tscore\nq1\td1\t1\n");
            var broken = Assert.Throws<InvalidDataException>(() => BeirDataset.Load(dir));
            Assert.Contains("line 2", broken.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
