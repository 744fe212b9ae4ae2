using System.Globalization;
using Embeddings;
using Embeddings.Http;
using Embeddings.Pipeline;
using Microsoft.Extensions.AI;

// Usage: probe <cache.db> <endpoint /v1 address> <dimensions> <count>
// Embeds "document 0" .. "document count-1" with a SQLite cache in front of an OpenAI-compatible endpoint and prints
// "vectors=<n> sum=<sum of all components, round-trip format>".
if (args.Length != 4)
{
    Console.Error.WriteLine("usage: probe <cache.db> <endpoint> <dimensions> <count>");
    return 2;
}

int dimensions = int.Parse(args[2], CultureInfo.InvariantCulture);
int count = int.Parse(args[3], CultureInfo.InvariantCulture);
using var http = new HttpClient();
using var provider = new HttpEmbedder(http, new HttpEmbedderOptions { Endpoint = new Uri(args[1]), Model = "fake", Dimensions = dimensions });
using var cache = new SqliteEmbeddingCache(new SqliteEmbeddingCacheOptions { Path = args[0] });
using var pipeline = new SingleFlightCachingEmbeddingGenerator(provider, cache);
string[] texts = Enumerable.Range(0, count).Select(i => $"document {i}").ToArray();
GeneratedEmbeddings<Embedding<float>> result = await pipeline.GenerateAsync(texts);
double sum = result.Sum(e => e.Vector.ToArray().Sum(v => (double)v));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"vectors={result.Count} sum={sum:R} rebuilt={cache.RebuildReason is not null}"));
return 0;
