using System.Diagnostics;
using System.Globalization;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Embeddings.Onnx;

namespace Embeddings.Benchmarks.Indexing;

/// <summary>
/// <c>minilm-ann CORPUS_JSONL OUT_DIR [QUERIES=1000] [THREADS=2]</c>: the second data set of
/// <c>benchmarks/index/run.sh</c> (issue 15 item 2). Splits the SciFact abstracts into sentences, drops duplicates and
/// fragments, embeds them with the packaged all-MiniLM-L6-v2 (<see cref="OnnxEmbedder"/>, mean pooling, normalized,
/// 384 dimensions), holds back a seeded random sample as queries, and writes, in the word2vec binary layout the GloVe
/// set uses, <c>base.bin</c> and <c>queries.bin</c>, plus <c>gt-top10.bin</c>: the exact top 10 by cosine of each
/// query (int32, row-major, ties to the lower index) computed by a plain scan. Files go through a temporary name
/// and a rename; a complete set in OUT_DIR is kept and not re-embedded.
/// </summary>
internal static partial class MiniLmAnnDataset
{
    public const string Command = "minilm-ann";

    private const int K = 10;
    private const int Seed = 15;

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length < 2)
        {
            await Console.Error.WriteLineAsync($"usage: {Command} CORPUS_JSONL OUT_DIR [QUERIES=1000] [THREADS=2]");
            return 2;
        }

        string corpus = args[0];
        string outDir = args[1];
        int queryCount = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 1000;
        int threads = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 2;
        string basePath = Path.Combine(outDir, "base.bin");
        string queryPath = Path.Combine(outDir, "queries.bin");
        string truthPath = Path.Combine(outDir, $"gt-top{K}.bin");
        if (File.Exists(basePath) && File.Exists(queryPath) && File.Exists(truthPath))
        {
            await Console.Error.WriteLineAsync($"{outDir} already holds the data set; delete it to rebuild.");
            return 0;
        }

        if (!File.Exists(corpus))
        {
            await Console.Error.WriteLineAsync($"SciFact corpus '{Path.GetFullPath(corpus)}' not found (set EMBEDDINGS_SHARED).");
            return 2;
        }

        List<(string Id, string Text)> sentences = SplitCorpus(corpus);
        await Console.Error.WriteLineAsync($"{sentences.Count} distinct sentences from {corpus}");

        // A seeded shuffle decides which sentences are held back as queries; the rest, in corpus order, is the base.
        int[] order = [.. Enumerable.Range(0, sentences.Count)];
        new Random(Seed).Shuffle(order);
        var held = new HashSet<int>(order.Take(queryCount));
        int[] queryRows = [.. order.Take(queryCount).Order()];
        int[] baseRows = [.. Enumerable.Range(0, sentences.Count).Where(i => !held.Contains(i))];

        using OnnxEmbedder embedder = await OnnxEmbedder.LoadAsync(PackagedModels.AllMiniLML6V2, new OnnxEmbedderOptions { IntraOpThreads = threads });
        long start = Stopwatch.GetTimestamp();
        float[][] vectors = await EmbedAsync(embedder, [.. sentences.Select(s => s.Text)]);
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        await Console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"embedded {vectors.Length} sentences in {seconds:F0} s at {threads} threads"));

        float[][] baseVectors = [.. baseRows.Select(i => vectors[i])];
        float[][] queryVectors = [.. queryRows.Select(i => vectors[i])];
        int[] truth = ExactTopK(baseVectors, queryVectors, K);

        Directory.CreateDirectory(outDir);
        WriteWord2Vec(queryPath, [.. queryRows.Select(i => sentences[i].Id)], queryVectors);
        WriteWord2Vec(basePath, [.. baseRows.Select(i => sentences[i].Id)], baseVectors);
        WriteAtomically(truthPath, stream => stream.Write(MemoryMarshal.AsBytes(truth.AsSpan())));
        await Console.Error.WriteLineAsync($"wrote {baseVectors.Length} base vectors, {queryVectors.Length} queries and their exact top {K} to {outDir}");
        return 0;
    }

    /// <summary>Sentences of the abstracts, keyed <c>DOCID-N</c>; exact duplicates and fragments under four words are dropped.</summary>
    internal static List<(string Id, string Text)> SplitCorpus(string corpus)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<(string, string)>();
        foreach (string line in File.ReadLines(corpus))
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            using JsonDocument doc = JsonDocument.Parse(line);
            string id = doc.RootElement.GetProperty("_id").ToString();
            string text = doc.RootElement.GetProperty("text").GetString() ?? string.Empty;
            int n = 0;
            foreach (string sentence in SplitSentences(text))
            {
                if (sentence.Count(c => c == ' ') >= 3 && seen.Add(sentence))
                {
                    result.Add(($"{id}-{n++}", sentence));
                }
            }
        }

        return result;
    }

    /// <summary>
    /// Splits at '.', '!' or '?' followed by whitespace and an upper-case letter, digit or bracket, except after the
    /// abbreviations scientific abstracts use (e.g., i.e., et al., vs., Fig., approx.) and after a single capital (initials).
    /// </summary>
    internal static IEnumerable<string> SplitSentences(string text)
    {
        string collapsed = Whitespace().Replace(text, " ").Trim();
        int start = 0;
        foreach (Match match in Boundary().Matches(collapsed))
        {
            int end = match.Index + 1;
            string before = collapsed[start..end];
            if (Abbreviation().IsMatch(before))
            {
                continue;
            }

            yield return before.Trim();
            start = end;
        }

        if (start < collapsed.Length)
        {
            yield return collapsed[start..].Trim();
        }
    }

    private static async Task<float[][]> EmbedAsync(OnnxEmbedder embedder, string[] texts)
    {
        // Slices of a few thousand keep progress visible; the embedder sorts each slice by length itself.
        const int Slice = 4096;
        var vectors = new float[texts.Length][];
        for (int from = 0; from < texts.Length; from += Slice)
        {
            string[] slice = texts[from..Math.Min(texts.Length, from + Slice)];
            var embeddings = await embedder.GenerateAsync(slice);
            for (int i = 0; i < slice.Length; i++)
            {
                vectors[from + i] = embeddings[i].Vector.ToArray();
            }

            await Console.Error.WriteLineAsync($"  {from + slice.Length}/{texts.Length}");
        }

        return vectors;
    }

    /// <summary>The exact top <paramref name="k"/> by cosine (vectors are unit length: dot product) of each query, by a full scan.</summary>
    internal static int[] ExactTopK(float[][] baseVectors, float[][] queries, int k)
    {
        var truth = new int[queries.Length * k];
        Parallel.For(0, queries.Length, q =>
        {
            var best = new PriorityQueue<int, (float Score, int Index)>(k + 1, Comparer<(float Score, int Index)>.Create(
                static (a, b) => a.Score != b.Score ? a.Score.CompareTo(b.Score) : b.Index.CompareTo(a.Index)));
            for (int i = 0; i < baseVectors.Length; i++)
            {
                float score = TensorPrimitives.Dot(queries[q], baseVectors[i]);
                best.Enqueue(i, (score, i));
                if (best.Count > k)
                {
                    best.Dequeue();
                }
            }

            for (int r = k - 1; r >= 0; r--)
            {
                truth[(q * k) + r] = best.Dequeue();
            }
        });
        return truth;
    }

    private static void WriteWord2Vec(string path, string[] keys, float[][] vectors)
    {
        WriteAtomically(path, stream =>
        {
            stream.Write(Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{vectors.Length} {vectors[0].Length}\n")));
            for (int i = 0; i < vectors.Length; i++)
            {
                stream.Write(Encoding.UTF8.GetBytes(keys[i] + " "));
                stream.Write(MemoryMarshal.AsBytes(vectors[i].AsSpan()));
                stream.WriteByte((byte)'\n');
            }
        });
    }

    private static void WriteAtomically(string path, Action<Stream> write)
    {
        string temporary = path + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write))
        {
            write(stream);
        }

        File.Move(temporary, path, overwrite: true);
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    [GeneratedRegex(@"[.!?](?=\s+[A-Z0-9(\[])")]
    private static partial Regex Boundary();

    [GeneratedRegex(@"(?:\b(?:e\.g|i\.e|et al|vs|Fig|Figs|approx|ca|cf|Dr|no|No|resp)\.|\b[A-Z]\.)$")]
    private static partial Regex Abbreviation();
}
