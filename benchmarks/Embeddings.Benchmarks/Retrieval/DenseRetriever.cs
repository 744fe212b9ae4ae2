using System.Diagnostics;
using Embeddings.Evaluation;
using Microsoft.Extensions.AI;

namespace Embeddings.Benchmarks.Retrieval;

/// <summary>
/// Exact cosine search over one set's documents, embedded once and cached under <c>benchmarks/.cache</c>
/// (git-ignored) so that reruns skip the embedding: keyed by the model's name and the set, checked against the
/// number of texts and a hash of them.
/// </summary>
internal sealed class DenseRetriever
{
    private readonly float[][] _documents;
    private readonly string[] _ids;
    private readonly Dictionary<string, float[]> _queries;

    private DenseRetriever(float[][] documents, string[] ids, Dictionary<string, float[]> queries)
    {
        _documents = documents;
        _ids = ids;
        _queries = queries;
    }

    public static async Task<DenseRetriever> CreateAsync(IEmbeddingGenerator<string, Embedding<float>> model, string modelKey, RetrievalSet set, string cacheRoot)
    {
        string[] documentTexts = set.Data.Corpus.Select(d => d.FullText).ToArray();
        string[] queryTexts = set.Data.AllQueries.Select(q => q.Text).ToArray();
        float[][] documents = await CachedAsync(model, Path.Combine(cacheRoot, "embeddings", modelKey, set.Name + ".documents.f32"), documentTexts, EmbeddingInputKind.Document);
        float[][] queries = await CachedAsync(model, Path.Combine(cacheRoot, "embeddings", modelKey, set.Name + ".queries.f32"), queryTexts, EmbeddingInputKind.Query);
        var byId = new Dictionary<string, float[]>(StringComparer.Ordinal);
        for (int i = 0; i < queries.Length; i++)
        {
            byId[set.Data.AllQueries[i].Id] = queries[i];
        }

        return new DenseRetriever(documents, set.Data.Corpus.Select(d => d.Id).ToArray(), byId);
    }

    /// <summary>The <paramref name="k"/> documents of highest cosine, ties by corpus order.</summary>
    public IReadOnlyList<VectorSearchResult> Search(string queryId, int k)
    {
        float[] query = _queries[queryId];
        var heap = new PriorityQueue<int, (float Score, int Index)>(k + 1, Comparer<(float Score, int Index)>.Create((x, y) => x.Score != y.Score ? x.Score.CompareTo(y.Score) : y.Index.CompareTo(x.Index)));
        for (int i = 0; i < _documents.Length; i++)
        {
            float score = VectorMath.Dot(query, _documents[i]);
            heap.Enqueue(i, (score, i));
            if (heap.Count > k)
            {
                heap.Dequeue();
            }
        }

        var results = new VectorSearchResult[heap.Count];
        for (int i = results.Length - 1; i >= 0; i--)
        {
            heap.TryDequeue(out int index, out (float Score, int Index) entry);
            results[i] = new VectorSearchResult(_ids[index], entry.Score);
        }

        return results;
    }

    private static async Task<float[][]> CachedAsync(IEmbeddingGenerator<string, Embedding<float>> model, string path, string[] texts, EmbeddingInputKind kind)
    {
        long hash = TextHash(texts);
        if (File.Exists(path))
        {
            using var reader = new BinaryReader(File.OpenRead(path));
            int count = reader.ReadInt32();
            int dimensions = reader.ReadInt32();
            long storedHash = reader.ReadInt64();
            if (count == texts.Length && storedHash == hash)
            {
                var cached = new float[count][];
                for (int i = 0; i < count; i++)
                {
                    cached[i] = new float[dimensions];
                    reader.BaseStream.ReadExactly(System.Runtime.InteropServices.MemoryMarshal.AsBytes(cached[i].AsSpan()));
                }

                return cached;
            }

            Console.Error.WriteLine($"  cache {path} is stale (texts changed); re-embedding");
        }

        var watch = Stopwatch.StartNew();
        Console.Error.WriteLine($"  embedding {texts.Length} texts into {path} ...");
        var vectors = new float[texts.Length][];
        const int Chunk = 512;
        for (int start = 0; start < texts.Length; start += Chunk)
        {
            string[] chunk = texts[start..Math.Min(texts.Length, start + Chunk)];
            float[][] embedded = await ExactRetrieval.EmbedNormalizedAsync(model, chunk, kind, batchSize: 32);
            embedded.CopyTo(vectors, start);
            Console.Error.WriteLine($"    {start + chunk.Length} / {texts.Length} after {watch.Elapsed.TotalSeconds:F0} s");
        }
        Console.Error.WriteLine($"  ... {watch.Elapsed.TotalSeconds:F1} s");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        string temporary = path + ".tmp-" + Environment.ProcessId;
        using (var writer = new BinaryWriter(File.Create(temporary)))
        {
            writer.Write(vectors.Length);
            writer.Write(vectors.Length == 0 ? 0 : vectors[0].Length);
            writer.Write(hash);
            foreach (float[] vector in vectors)
            {
                writer.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(vector.AsSpan()));
            }
        }

        File.Move(temporary, path, overwrite: true);
        return vectors;
    }

    private static long TextHash(string[] texts)
    {
        // FNV-1a over the texts: only a staleness check for the cache, not security.
        ulong hash = 14695981039346656037UL;
        foreach (string text in texts)
        {
            foreach (char c in text)
            {
                hash = (hash ^ c) * 1099511628211UL;
            }

            hash = (hash ^ 0xFFFF) * 1099511628211UL;
        }

        return unchecked((long)hash);
    }
}
