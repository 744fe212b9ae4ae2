using System.Globalization;
using Embeddings;
using Embeddings.Http;
using Embeddings.Pipeline;
using Microsoft.Extensions.AI;

// Usage: probe <cache.db> <endpoint /v1 address> <dimensions> <count> [<max bytes> <text prefix> <texts per call>]
// Embeds "<prefix> 0" .. "<prefix> count-1" (prefix "document", all in one call by default) with a SQLite cache in front
// of an OpenAI-compatible endpoint and prints "vectors=<n> sum=<sum of all components, round-trip format>".
if (args.Length is not (4 or 7))
{
    Console.Error.WriteLine("usage: probe <cache.db> <endpoint> <dimensions> <count> [<max bytes> <text prefix> <texts per call>]");
    return 2;
}

int dimensions = int.Parse(args[2], CultureInfo.InvariantCulture);
int count = int.Parse(args[3], CultureInfo.InvariantCulture);
using var http = new HttpClient();
using var provider = new HttpEmbedder(http, new HttpEmbedderOptions { Endpoint = new Uri(args[1]), Model = "fake", Dimensions = dimensions });
long maxBytes = args.Length > 4 ? long.Parse(args[4], CultureInfo.InvariantCulture) : 1L << 30;
string prefix = args.Length > 5 ? args[5] : "document";
int perCall = args.Length > 6 ? int.Parse(args[6], CultureInfo.InvariantCulture) : count;
using var cache = new SqliteEmbeddingCache(new SqliteEmbeddingCacheOptions { Path = args[0], MaxBytes = maxBytes });
using var pipeline = new SingleFlightCachingEmbeddingGenerator(provider, cache);
string[] texts = Enumerable.Range(0, count).Select(i => $"{prefix} {i}").ToArray();
var vectors = new List<Embedding<float>>();
foreach (string[] chunk in texts.Chunk(perCall))
{
    vectors.AddRange(await pipeline.GenerateAsync(chunk));
}

double sum = vectors.Sum(e => e.Vector.ToArray().Sum(v => (double)v));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"vectors={vectors.Count} sum={sum:R} rebuilt={cache.RebuildReason is not null}"));
return 0;
