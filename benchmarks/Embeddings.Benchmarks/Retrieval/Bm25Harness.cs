using System.Diagnostics;
using System.Globalization;
using Embeddings.Evaluation;
using Lucene.Net.Analysis;
using Lucene.Net.Analysis.En;
using Lucene.Net.Analysis.TokenAttributes;
using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Search.Similarities;
using Lucene.Net.Store;
using Lucene.Net.Util;

namespace Embeddings.Benchmarks.Retrieval;

/// <summary>
/// <c>dotnet run -c Release --project benchmarks/Embeddings.Benchmarks -- retrieval-bm25 [--shared DIR] [--runs N]</c>:
/// BM25 parity and speed. On SciFact (test qrels), the MS MARCO subset and Cranfield (all judged queries), our
/// <see cref="Bm25Index"/> (English analyzer, k1 0.9, b 0.4; exact lengths and Lucene's lossy ones) beside
/// Lucene.Net 4.8 itself (EnglishAnalyzer, BM25Similarity(0.9, 0.4), the same title + " " + text), in the same
/// run; then SciFact indexing time and single-thread query latency (medians), and memory per posting.
/// </summary>
internal static class Bm25Harness
{
    public const string Command = "retrieval-bm25";

    public static int Run(string[] args)
    {
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        string shared = Option(args, "--shared") ?? Path.GetFullPath("../shared");
        string cache = Option(args, "--cache") ?? Path.GetFullPath(Path.Combine("benchmarks", ".cache"));
        int runs = int.Parse(Option(args, "--runs") ?? "5", CultureInfo.InvariantCulture);

        Console.WriteLine("| set (queries) | Bm25Index plain \\w+ | Bm25Index English, exact lengths (default) | Bm25Index English, Lucene 7+ byte lengths | Bm25Index English, Lucene 4 byte lengths | Lucene.Net 4.8 BM25 | default − Lucene.Net |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (string name in RetrievalSet.Names)
        {
            RetrievalSet set = RetrievalSet.Load(shared, name, cache);
            BeirDataset data = set.Data;
            IReadOnlyList<BeirQuery> queries = name == "scifact" ? set.TestQueries : data.Queries;
            RelevanceJudgments qrels = name == "scifact" ? set.TestQrels : data.Judgments;
            double Ours(Bm25Options options)
            {
                var index = new Bm25Index(options);
                foreach (BeirDocument document in data.Corpus)
                {
                    index.Upsert(document.Id, document.FullText);
                }

                return Ndcg(queries, qrels, q => index.Search(q.Text, 100).Select(r => r.Key).ToArray());
            }

            double plain = Ours(new Bm25Options { Tokenizer = WordTermTokenizer.Instance });
            double exact = Ours(new Bm25Options());
            double lucene7 = Ours(new Bm25Options { LengthEncoding = Bm25LengthEncoding.Lucene });
            double lucene4 = Ours(new Bm25Options { LengthEncoding = Bm25LengthEncoding.Lucene4 });
            using var lucene = new LuceneBm25(data.Corpus);
            double reference = Ndcg(queries, qrels, q => lucene.Search(q.Text, 100));
            Console.WriteLine($"| {name} ({queries.Count}) | {plain:F4} | {exact:F4} | {lucene7:F4} | {lucene4:F4} | {reference:F4} | {exact - reference:+0.0000;-0.0000} |");
        }

        Console.WriteLine();
        Console.WriteLine("nDCG@10, top 100 retrieved. SciFact: test qrels (Pyserini BEIR flat: 0.679).");
        Console.WriteLine();

        RetrievalSet scifact = RetrievalSet.Load(shared, "scifact", cache);
        Timing(scifact.Data, runs);
        return 0;
    }

    private static void Timing(BeirDataset data, int runs)
    {
        string[] texts = data.Corpus.Select(d => d.FullText).ToArray();
        string[] ids = data.Corpus.Select(d => d.Id).ToArray();
        // Interleaved: each run builds once with the English analyzer without a word cache (the previous code path)
        // and once with a fresh cached one (the default), so both see the same load.
        var buildMs = new List<double>();
        var uncachedMs = new List<double>();
        Bm25Index index = null!;
        for (int run = 0; run < runs + 1; run++)
        {
            foreach (bool cached in run % 2 == 0 ? new[] { false, true } : new[] { true, false })
            {
                var options = new Bm25Options { Tokenizer = TextAnalyzer.CreateEnglish(cached ? 262_144 : 0) };
                var watch = Stopwatch.StartNew();
                var built = new Bm25Index(options);
                for (int i = 0; i < texts.Length; i++)
                {
                    built.Upsert(ids[i], texts[i]);
                }

                double elapsed = watch.Elapsed.TotalMilliseconds;
                if (run > 0)
                {
                    (cached ? buildMs : uncachedMs).Add(elapsed);
                }

                if (cached)
                {
                    index = built;
                }
            }
        }

        string[] queries = data.AllQueries.Select(q => q.Text).ToArray();
        var p50s = new Dictionary<int, List<double>> { [10] = [], [100] = [] };
        for (int run = 0; run < runs + 1; run++)
        {
            foreach (int k in new[] { 10, 100 })
            {
                var latencies = new double[queries.Length];
                for (int i = 0; i < queries.Length; i++)
                {
                    long start = Stopwatch.GetTimestamp();
                    index.Search(queries[i], k);
                    latencies[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                }

                Array.Sort(latencies);
                if (run > 0)
                {
                    p50s[k].Add(latencies[latencies.Length / 2]);
                }
            }
        }

        long postings = 0;
        int vocabulary = index.VocabularySize;
        foreach (string text in texts)
        {
            postings += TextAnalyzer.English.Analyze(text).Distinct(StringComparer.Ordinal).Count();
        }

        long memory = index.EstimatedMemoryBytes;
        Console.WriteLine($"SciFact speed ({texts.Length} documents, {queries.Length} queries, one thread, medians of {runs} runs after a warm-up run; load: {File.ReadAllText("/proc/loadavg").Trim()}):");
        Console.WriteLine();
        Console.WriteLine("| measure | value |");
        Console.WriteLine("|---|---:|");
        Console.WriteLine($"| index build (analysis + postings, word cache, fresh each run), ms | {Median(buildMs):F0} (runs: {string.Join(", ", buildMs.Select(m => m.ToString("F0", CultureInfo.InvariantCulture)))}) |");
        Console.WriteLine($"| index build without the word cache (same runs, interleaved), ms | {Median(uncachedMs):F0} (runs: {string.Join(", ", uncachedMs.Select(m => m.ToString("F0", CultureInfo.InvariantCulture)))}) |");
        Console.WriteLine($"| build ratio cached / uncached, median of per-run ratios | {Median(buildMs.Zip(uncachedMs, (a, b) => a / b).ToList()):F2} |");
        Console.WriteLine($"| query p50, top 10, ms | {Median(p50s[10]):F3} |");
        Console.WriteLine($"| query p50, top 100, ms | {Median(p50s[100]):F3} |");
        Console.WriteLine($"| postings (document, term pairs) | {postings:N0} |");
        Console.WriteLine($"| distinct terms | {vocabulary:N0} |");
        Console.WriteLine($"| estimated index memory | {memory / 1048576.0:F1} MiB |");
        Console.WriteLine($"| memory per posting, all included (postings, dictionary, keys, per-document arrays) | {memory / (double)postings:F1} B |");
    }

    private static double Ndcg(IReadOnlyList<BeirQuery> queries, RelevanceJudgments qrels, Func<BeirQuery, IReadOnlyList<string>> search)
    {
        var runs = queries.ToDictionary(q => q.Id, search);
        return RetrievalEvaluator.Evaluate(runs, qrels, [10]).NdcgAt[10];
    }

    private static double Median(List<double> values)
    {
        double[] sorted = [.. values.Order()];
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static string? Option(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    /// <summary>Lucene.Net 4.8 itself: an in-memory index searched with a bag-of-words BooleanQuery, as Anserini does.</summary>
    private sealed class LuceneBm25 : IDisposable
    {
        private const LuceneVersion Version = LuceneVersion.LUCENE_48;
        private readonly RAMDirectory _directory = new();
        private readonly EnglishAnalyzer _analyzer = new(Version);
        private readonly DirectoryReader _reader;
        private readonly IndexSearcher _searcher;

        public LuceneBm25(IReadOnlyList<BeirDocument> corpus)
        {
            var similarity = new BM25Similarity(0.9f, 0.4f);
            using (var writer = new IndexWriter(_directory, new IndexWriterConfig(Version, _analyzer) { Similarity = similarity }))
            {
                foreach (BeirDocument document in corpus)
                {
                    writer.AddDocument(new Document
                    {
                        new StringField("id", document.Id, Field.Store.YES),
                        new TextField("body", document.FullText, Field.Store.NO),
                    });
                }

                writer.ForceMerge(1);
            }

            _reader = DirectoryReader.Open(_directory);
            _searcher = new IndexSearcher(_reader) { Similarity = similarity };
        }

        public IReadOnlyList<string> Search(string text, int k)
        {
            var query = new BooleanQuery();
            using (TokenStream stream = _analyzer.GetTokenStream("body", new StringReader(text)))
            {
                ICharTermAttribute term = stream.AddAttribute<ICharTermAttribute>();
                stream.Reset();
                while (stream.IncrementToken())
                {
                    query.Add(new TermQuery(new Term("body", term.ToString())), Occur.SHOULD);
                }

                stream.End();
            }

            TopDocs top = _searcher.Search(query, k);
            return top.ScoreDocs.Select(d => _searcher.Doc(d.Doc).Get("id")).ToArray();
        }

        public void Dispose()
        {
            _reader.Dispose();
            _analyzer.Dispose();
            _directory.Dispose();
        }
    }
}
