using BenchmarkDotNet.Attributes;

namespace Embeddings.Benchmarks.Indexing;

/// <summary>
/// Micro-benchmarks of one search on 20,000 random 100-dimensional vectors (cosine, k = 10); the comparison
/// with hnswlib and FAISS on GloVe is <c>benchmarks/index/run.sh</c>.
/// </summary>
[MemoryDiagnoser]
public class IndexSearchBenchmarks
{
    private const int Dimensions = 100;
    private readonly string[] _keys = new string[10];
    private readonly float[] _scores = new float[10];
    private HnswIndex _hnsw = null!;
    private FlatIndex _flat = null!;
    private FlatIndex _flat16 = null!;
    private float[][] _queries = null!;
    private int _next;

    /// <summary>Gets or sets the HNSW search effort.</summary>
    [Params(40, 160)]
    public int EfSearch { get; set; }

    /// <summary>Builds the indexes.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        float[] Next()
        {
            var v = new float[Dimensions];
            for (int i = 0; i < v.Length; i++)
            {
                v[i] = (float)((random.NextDouble() * 2) - 1);
            }

            return v;
        }

        var records = Enumerable.Range(0, 20_000).Select(i => new VectorRecord($"k{i}", Next())).ToList();
        _hnsw = new HnswIndex(Dimensions, DistanceMetric.Cosine, new HnswIndexOptions { M = 16, EfConstruction = 100, Seed = 1 });
        _hnsw.AddParallel(records, Environment.ProcessorCount);
        _flat = new FlatIndex(Dimensions);
        _flat.Upsert(records);
        _flat16 = new FlatIndex(Dimensions, DistanceMetric.Cosine, new FlatIndexOptions { Storage = VectorStorageKind.Float16 });
        _flat16.Upsert(records);
        _queries = Enumerable.Range(0, 256).Select(_ => Next()).ToArray();
    }

    /// <summary>Releases the indexes.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _hnsw.Dispose();
        _flat.Dispose();
        _flat16.Dispose();
    }

    /// <summary>One HNSW search into caller buffers (allocation-free path).</summary>
    /// <returns>The hit count.</returns>
    [Benchmark]
    public int Hnsw() => _hnsw.Search(NextQuery(), _keys, _scores, new VectorSearchOptions { EfSearch = EfSearch });

    /// <summary>One exact float32 scan.</summary>
    /// <returns>The hit count.</returns>
    [Benchmark]
    public int Flat() => _flat.Search(NextQuery(), _keys, _scores);

    /// <summary>One exact float16 scan.</summary>
    /// <returns>The hit count.</returns>
    [Benchmark]
    public int FlatFloat16() => _flat16.Search(NextQuery(), _keys, _scores);

    private float[] NextQuery() => _queries[_next++ & 255];
}
