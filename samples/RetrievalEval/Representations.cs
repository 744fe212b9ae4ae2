using Embeddings;

namespace RetrievalEval;

/// <summary>Document vectors stored one way (plain floats, halves, or quantized codes) and searched exhaustively.</summary>
internal sealed class Representation
{
    private readonly IVectorQuantizer _quantizer;
    private readonly byte[] _codes;
    private readonly string[] _ids;

    private Representation(string name, IVectorQuantizer quantizer, float[][] vectors, string[] ids)
    {
        Name = name;
        _quantizer = quantizer;
        _ids = ids;
        _codes = new byte[(long)quantizer.BytesPerVector * vectors.Length];
        for (int i = 0; i < vectors.Length; i++)
        {
            quantizer.Encode(vectors[i], _codes.AsSpan(i * quantizer.BytesPerVector, quantizer.BytesPerVector));
        }
    }

    public string Name { get; }

    public long MemoryBytes => _codes.LongLength;

    /// <summary>The representations to compare: float32 always, and with <paramref name="compressed"/> float16, int8, binary and PQ too.</summary>
    public static IEnumerable<Representation> For(float[][] vectors, string[] ids, bool compressed)
    {
        int dimensions = vectors[0].Length;
        yield return new Representation("float32", new Float32Quantizer(dimensions), vectors, ids);
        if (!compressed)
        {
            yield break;
        }

        float[] flat = vectors.SelectMany(v => v).ToArray();
        yield return new Representation("float16", new Float16Quantizer(dimensions), vectors, ids);
        yield return new Representation("int8", ScalarInt8Quantizer.Calibrate(flat, dimensions), vectors, ids);
        yield return new Representation("binary", new BinaryQuantizer(dimensions), vectors, ids);
        int subspaces = dimensions % 4 == 0 ? dimensions / 4 : dimensions / 2;
        yield return new Representation($"PQ {subspaces}x8", ProductQuantizer.Train(flat, dimensions, subspaces), vectors, ids);
    }

    /// <summary>Ranks every document against <paramref name="query"/> (a unit vector) by dot product, best first.</summary>
    public IReadOnlyList<VectorSearchResult> Search(float[] query, int k)
    {
        QuantizedQueryScorer scorer = _quantizer.CreateScorer(query, DistanceMetric.DotProduct);
        QuantizedSearchHit[] hits = QuantizedSearch.Scan(scorer, _codes, _ids.Length, k);
        var results = new VectorSearchResult[hits.Length];
        for (int i = 0; i < hits.Length; i++)
        {
            results[i] = new VectorSearchResult(_ids[hits[i].Index], hits[i].Score);
        }

        return results;
    }
}
