using System.Diagnostics;
using System.Globalization;

namespace Embeddings.Benchmarks.Chunking;

/// <summary>
/// `chunking [megabytes]`: times FixedSizeChunker and RecursiveChunker on text without spaces and on prose-like text
/// (default 1 MB each), alternating the chunkers, and prints the median of three runs per case.
/// </summary>
public static class ChunkingHarness
{
    public static void Run(string[] args)
    {
        int megabytes = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1;
        int length = megabytes * 1024 * 1024;
        var random = new Random(1);
        string noSpaces = string.Create(length, random, (span, r) =>
        {
            const string alphabet = "abcdefghij,.;-";
            for (int i = 0; i < span.Length; i++)
            {
                span[i] = alphabet[r.Next(alphabet.Length)];
            }
        });
        string prose = string.Create(length, random, (span, r) =>
        {
            for (int i = 0; i < span.Length; i++)
            {
                int x = r.Next(40);
                span[i] = x < 6 ? ' ' : x == 6 ? '.' : x == 7 && i % 500 == 0 ? '\n' : (char)('a' + (x % 26));
            }
        });

        var chunkers = new (string Name, ITextChunker Chunker)[] { ("FixedSizeChunker", new FixedSizeChunker()), ("RecursiveChunker", new RecursiveChunker()) };
        foreach ((string textName, string text) in new[] { ("no spaces", noSpaces), ("prose", prose) })
        {
            var times = chunkers.ToDictionary(c => c.Name, _ => new List<double>());
            int chunks = 0;
            for (int run = 0; run < 3; run++)
            {
                foreach ((string name, ITextChunker chunker) in chunkers)
                {
                    var watch = Stopwatch.StartNew();
                    chunks = chunker.Chunk("doc", text).Count;
                    times[name].Add(watch.Elapsed.TotalSeconds);
                }
            }

            foreach ((string name, List<double> seconds) in times)
            {
                seconds.Sort();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-18} {megabytes} MB {textName,-10} median {seconds[1]:F3} s (runs {string.Join(", ", seconds.Select(s => s.ToString("F3", CultureInfo.InvariantCulture)))}), {chunks} chunks"));
            }
        }
    }
}
