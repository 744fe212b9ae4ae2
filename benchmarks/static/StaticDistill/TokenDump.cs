using System.Globalization;
using Embeddings.Evaluation;
using Embeddings.Static;

namespace StaticDistill;

/// <summary>
/// Writes the table rows each evaluation text pools under a subword model (its tokenizer, unknown token dropped, the
/// token mapping applied), so recipes on the raw teacher table (PCA size, weighting, component removal) can be scored
/// in NumPy without redistilling: a recipe only changes the rows, never which rows a text picks.
/// </summary>
internal static class TokenDump
{
    public static void Write(StaticEmbeddingModel model, string shared, string folder)
    {
        if (model.SubwordTokenizer is null)
        {
            throw new ArgumentException("tokenize needs a subword (Model2Vec) model.", nameof(model));
        }

        Directory.CreateDirectory(folder);
        foreach (string set in new[] { "scifact", "msmarco-trec-dl-subset" })
        {
            var data = BeirDataset.Load(Path.Combine(shared, "data", set));
            WriteTexts(model, Path.Combine(folder, $"{set}.corpus.tsv"), data.Corpus.Select(d => (d.Id, d.FullText)));
            WriteTexts(model, Path.Combine(folder, $"{set}.queries.tsv"), data.AllQueries.Select(q => (q.Id, q.Text)));
        }

        string sts = Path.Combine(shared, "data", "stsbenchmark");
        foreach (string split in new[] { "train", "dev", "test" })
        {
            WritePairs(model, Path.Combine(folder, $"sts-{split}.tsv"), SentencePairDatasets.LoadStsBenchmark(Path.Combine(sts, $"sts-{split}.csv")));
        }

        WritePairs(model, Path.Combine(folder, "sick.tsv"), SentencePairDatasets.LoadSick(Path.Combine(shared, "data", "sick", "SICK.txt")));
    }

    private static string Rows(StaticEmbeddingModel model, string text)
    {
        IReadOnlyList<int> ids = model.SubwordTokenizer!.EncodeToIds(text);
        IReadOnlyList<int>? mapping = model.TokenMapping;
        return string.Join(' ', ids
            .Where(id => id != model.UnknownTokenId && id >= 0 && id < (mapping?.Count ?? model.RowCount))
            .Select(id => (mapping?[id] ?? id).ToString(CultureInfo.InvariantCulture)));
    }

    private static void WriteTexts(StaticEmbeddingModel model, string path, IEnumerable<(string Id, string Text)> texts)
    {
        using var writer = new StreamWriter(path);
        foreach ((string id, string text) in texts)
        {
            writer.WriteLine($"{id}\t{Rows(model, text)}");
        }
    }

    private static void WritePairs(StaticEmbeddingModel model, string path, IEnumerable<SentencePair> pairs)
    {
        using var writer = new StreamWriter(path);
        foreach (SentencePair pair in pairs)
        {
            writer.WriteLine($"{pair.Score.ToString("R", CultureInfo.InvariantCulture)}\t{Rows(model, pair.Sentence1)}\t{Rows(model, pair.Sentence2)}");
        }
    }
}
