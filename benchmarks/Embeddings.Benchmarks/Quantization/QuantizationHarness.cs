using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Embeddings.Benchmarks.Quantization;

/// <summary>
/// `dotnet run -c Release --project benchmarks/Embeddings.Benchmarks -- quantization BASE QUERIES M NBITS ITERATIONS [int8,binary,pq]`:
/// exact scans over int8, binary and PQ codes on one thread, printed as one JSON line with the same fields as
/// benchmarks/quantization/faiss_anchor.py. Driven by benchmarks/quantization/run.sh.
/// </summary>
internal static class QuantizationHarness
{
    private const int K = 10;

    public static void Run(string[] args)
    {
        if (args.Length < 5)
        {
            throw new ArgumentException("usage: quantization BASE QUERIES M NBITS ITERATIONS");
        }

        int m = int.Parse(args[2], CultureInfo.InvariantCulture);
        int nbits = int.Parse(args[3], CultureInfo.InvariantCulture);
        int iterations = int.Parse(args[4], CultureInfo.InvariantCulture);
        string[] only = args.Length > 5 ? args[5].Split(',') : ["int8", "binary", "pq"];
        var baseModel = Embeddings.Static.StaticEmbeddingModel.Load(args[0]);
        var queryModel = Embeddings.Static.StaticEmbeddingModel.Load(args[1]);
        float[] xb = baseModel.Vectors.ToArray();
        float[] xq = queryModel.Vectors.ToArray();
        int d = baseModel.Dimensions;
        VectorMath.EnsureSameLength(d, queryModel.Dimensions);
        NormalizeRows(xb, d);
        NormalizeRows(xq, d);
        int n = xb.Length / d;
        int queries = xq.Length / d;
        var result = new Dictionary<string, object>
        {
            ["engine"] = "embeddings " + typeof(IVectorQuantizer).Assembly.GetName().Version,
            ["n"] = n,
            ["d"] = d,
            ["queries"] = queries,
            ["k"] = K,
            ["m"] = m,
            ["nbits"] = nbits,
        };

        var exact = new Float32Quantizer(d);
        byte[] floatCodes = EncodeAll(exact, xb, d, out _);
        int[][] truth = SearchAll(exact, floatCodes, n, xq, d, DistanceMetric.DotProduct, out Timer timer);
        timer.Record(result, "float32_search");
        result["float32_bytes"] = exact.BytesPerVector;

        if (only.Contains("int8"))
        {
            var stopwatch = Timer.Start();
            ScalarInt8Quantizer int8 = ScalarInt8Quantizer.Calibrate(xb, d);
            stopwatch.Record(result, "int8_train");
            Measure("int8", int8, DistanceMetric.DotProduct);
        }

        if (only.Contains("binary"))
        {
            Measure("binary", new BinaryQuantizer(d), DistanceMetric.Hamming);
        }

        if (only.Contains("pq"))
        {
            var stopwatch = Timer.Start();
            ProductQuantizer pq = ProductQuantizer.Train(xb, d, m, new ProductQuantizerOptions { BitsPerCode = nbits, Iterations = iterations });
            stopwatch.Record(result, "pq_train");
            byte[] pqCodes = Measure("pq", pq, DistanceMetric.DotProduct);
            MeasurePacked(pq, pqCodes);
        }

        Console.WriteLine(JsonSerializer.Serialize(result));

        byte[] Measure(string name, IVectorQuantizer quantizer, DistanceMetric metric)
        {
            byte[] codes = EncodeAll(quantizer, xb, d, out Timer encode);
            encode.Record(result, name + "_encode");
            int[][] found = SearchAll(quantizer, codes, n, xq, d, metric, out Timer search);
            search.Record(result, name + "_search");
            result[name + "_recall"] = Recall(found, truth);
            result[name + "_bytes"] = quantizer.BytesPerVector;
            return codes;
        }

        // The same PQ codes in 64-code blocks (PackedProductCodes): the same answers, scanned with byte tables first.
        void MeasurePacked(ProductQuantizer pq, byte[] codes)
        {
            var pack = Timer.Start();
            var packed = new PackedProductCodes(pq, codes, n);
            pack.Record(result, "pq_packed_pack");
            var found = new int[queries][];
            var scores = new float[K];
            var indices = new int[K];
            var search = Timer.Start();
            for (int q = 0; q < queries; q++)
            {
                int count = packed.Search(xq.AsSpan(q * d, d), DistanceMetric.DotProduct, scores, indices);
                found[q] = indices[..count];
            }

            search.Record(result, "pq_packed_search");
            result["pq_packed_recall"] = Recall(found, truth);
            result["pq_packed_bytes"] = pq.BytesPerVector;
            result["pq_packed_accelerated"] = PackedProductCodes.IsHardwareAccelerated;
        }
    }

    private static void NormalizeRows(float[] vectors, int d)
    {
        for (int i = 0; i < vectors.Length; i += d)
        {
            VectorMath.Normalize(vectors.AsSpan(i, d));
        }
    }

    private static byte[] EncodeAll(IVectorQuantizer quantizer, float[] vectors, int d, out Timer timer)
    {
        int n = vectors.Length / d;
        var codes = new byte[(long)n * quantizer.BytesPerVector];
        timer = Timer.Start();
        for (int i = 0; i < n; i++)
        {
            quantizer.Encode(vectors.AsSpan(i * d, d), codes.AsSpan(i * quantizer.BytesPerVector, quantizer.BytesPerVector));
        }

        timer.Stop();
        return codes;
    }

    private static int[][] SearchAll(IVectorQuantizer quantizer, byte[] codes, int n, float[] queries, int d, DistanceMetric metric, out Timer timer)
    {
        int count = queries.Length / d;
        var results = new int[count][];
        var scores = new float[K];
        var indices = new int[K];
        timer = Timer.Start();
        for (int q = 0; q < count; q++)
        {
            QuantizedQueryScorer scorer = quantizer.CreateScorer(queries.AsSpan(q * d, d), metric);
            int found = QuantizedSearch.Scan(scorer, codes, n, scores, indices);
            results[q] = indices[..found];
        }

        timer.Stop();
        return results;
    }

    /// <summary>Wall-clock and CPU time of one step: the machine is shared, so CPU seconds compare fairly under load.</summary>
    private sealed class Timer
    {
        private readonly Stopwatch _wall = Stopwatch.StartNew();
        private readonly TimeSpan _cpuStart = Process.GetCurrentProcess().TotalProcessorTime;
        private double _wallSeconds = double.NaN;
        private double _cpuSeconds = double.NaN;

        public static Timer Start() => new();

        public void Stop()
        {
            _wallSeconds = _wall.Elapsed.TotalSeconds;
            _cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - _cpuStart).TotalSeconds;
        }

        public void Record(Dictionary<string, object> result, string name)
        {
            if (double.IsNaN(_wallSeconds))
            {
                Stop();
            }

            result[name + "_s"] = _wallSeconds;
            result[name + "_cpu_s"] = _cpuSeconds;
        }
    }

    private static double Recall(int[][] found, int[][] truth)
    {
        double total = 0;
        for (int q = 0; q < truth.Length; q++)
        {
            total += found[q].Intersect(truth[q]).Count() / (double)K;
        }

        return total / truth.Length;
    }
}
