namespace Embeddings;

/// <summary>Maps chunk-level search results back to documents and scores each document from its chunks.</summary>
public static class ChunkScoreAggregator
{
    /// <summary>The metadata field holding a chunk's document id (see <see cref="TextChunk.ToMetadata"/>).</summary>
    public const string DocumentIdField = "documentId";

    /// <summary>Aggregates chunk results into document results.</summary>
    /// <param name="chunkResults">Chunk hits, for example from a vector index that holds <see cref="TextChunk"/>s.</param>
    /// <param name="aggregation">How chunk scores combine. Default: <see cref="ChunkScoreAggregation.Max"/>.</param>
    /// <param name="topN">How many chunk scores <see cref="ChunkScoreAggregation.SumOfTopN"/> adds; positive. Default: 3.</param>
    /// <param name="documentIdSelector">
    /// Finds a hit's document id; <see langword="null"/> reads the <c>documentId</c> metadata field and otherwise
    /// takes the key up to its last <c>#</c> (the <see cref="TextChunk.Key"/> convention).
    /// </param>
    /// <returns>
    /// One result per document by descending aggregated score (ties by the order of first appearance), keyed by
    /// document id, with the metadata of the document's best chunk.
    /// </returns>
    /// <exception cref="ArgumentException">A hit is null or its document id cannot be found.</exception>
    public static IReadOnlyList<VectorSearchResult> Aggregate(
        IEnumerable<VectorSearchResult> chunkResults,
        ChunkScoreAggregation aggregation = ChunkScoreAggregation.Max,
        int topN = 3,
        Func<VectorSearchResult, string>? documentIdSelector = null)
    {
        ArgumentNullException.ThrowIfNull(chunkResults);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(topN);
        if (!Enum.IsDefined(aggregation))
        {
            throw new ArgumentOutOfRangeException(nameof(aggregation), aggregation, "Unknown chunk score aggregation.");
        }

        documentIdSelector ??= DocumentIdOf;
        Dictionary<string, (List<float> Scores, VectorSearchResult Best, int Order)> documents = new(StringComparer.Ordinal);
        foreach (VectorSearchResult hit in chunkResults)
        {
            if (hit is null)
            {
                throw new ArgumentException("The chunk results hold a null entry.", nameof(chunkResults));
            }

            string id = documentIdSelector(hit);
            if (!documents.TryGetValue(id, out var entry))
            {
                entry = ([], hit, documents.Count);
            }
            else if (hit.Score > entry.Best.Score)
            {
                entry.Best = hit;
            }

            entry.Scores.Add(hit.Score);
            documents[id] = entry;
        }

        var results = documents.Select(pair =>
        {
            List<float> scores = pair.Value.Scores;
            double score = aggregation switch
            {
                ChunkScoreAggregation.Max => scores.Max(),
                ChunkScoreAggregation.Mean => scores.Average(s => (double)s),
                _ => scores.OrderByDescending(s => s).Take(topN).Sum(s => (double)s),
            };
            return (Result: new VectorSearchResult(pair.Key, (float)score, pair.Value.Best.Metadata), pair.Value.Order);
        });
        return results.OrderByDescending(r => r.Result.Score).ThenBy(r => r.Order).Select(r => r.Result).ToArray();
    }

    private static string DocumentIdOf(VectorSearchResult hit)
    {
        if (hit.Metadata is not null && hit.Metadata.TryGetValue(DocumentIdField, out object? value) && value is string id)
        {
            return id;
        }

        int separator = hit.Key.LastIndexOf(TextChunk.KeySeparator);
        if (separator <= 0)
        {
            throw new ArgumentException($"Chunk result '{hit.Key}' has no '{DocumentIdField}' metadata and its key has no '{TextChunk.KeySeparator}'; pass a documentIdSelector.", nameof(hit));
        }

        return hit.Key[..separator];
    }
}
