using Microsoft.Extensions.AI;

namespace Embeddings;

/// <summary>
/// Hybrid retrieval: asks a <see cref="Bm25Index"/> and an <see cref="IVectorIndex"/> for their best candidates
/// and fuses the two rankings, by reciprocal rank fusion or by weighted normalized scores.
/// </summary>
/// <remarks>
/// Both indexes must hold the same documents under the same keys. The searcher keeps no state of its own, so
/// it is as thread-safe as the indexes and the embedder (all of this library's are).
/// </remarks>
public sealed class HybridSearcher
{
    private readonly Bm25Index _lexical;
    private readonly IVectorIndex _vectors;
    private readonly IEmbeddingGenerator<string, Embedding<float>>? _embedder;
    private readonly HybridSearchOptions _options;

    /// <summary>Initializes a searcher.</summary>
    /// <param name="lexical">The BM25 index.</param>
    /// <param name="vectors">The vector index over the same documents.</param>
    /// <param name="embedder">Embeds query text for <see cref="SearchAsync(string, int, MetadataFilter?, CancellationToken)"/>; <see langword="null"/> when queries come as vectors.</param>
    /// <param name="options">Fusion settings; <see langword="null"/> for the defaults (min-max convex fusion, BM25 0.6 / vectors 0.4, 100 candidates each).</param>
    public HybridSearcher(Bm25Index lexical, IVectorIndex vectors, IEmbeddingGenerator<string, Embedding<float>>? embedder = null, HybridSearchOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(lexical);
        ArgumentNullException.ThrowIfNull(vectors);
        options ??= new HybridSearchOptions();
        options.Validate();
        _lexical = lexical;
        _vectors = vectors;
        _embedder = embedder;
        _options = options;
    }

    /// <summary>Embeds <paramref name="query"/> as a query and returns the <paramref name="k"/> best fused results.</summary>
    /// <param name="query">The query text.</param>
    /// <param name="k">How many results at most; positive.</param>
    /// <param name="filter">A metadata filter applied by both retrievers; <see langword="null"/> for none.</param>
    /// <param name="cancellationToken">Cancels the search.</param>
    /// <returns>Up to <paramref name="k"/> results by descending fused score.</returns>
    /// <exception cref="InvalidOperationException">The searcher was created without an embedder.</exception>
    public async Task<IReadOnlyList<VectorSearchResult>> SearchAsync(string query, int k, MetadataFilter? filter = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        if (_embedder is null)
        {
            throw new InvalidOperationException("This HybridSearcher has no embedder; pass the query vector to SearchAsync(query, queryVector, k).");
        }

        ReadOnlyMemory<float> vector = await _embedder.EmbedQueryAsync(query, cancellationToken: cancellationToken).ConfigureAwait(false);
        return await SearchAsync(query, vector, k, filter, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Returns the <paramref name="k"/> best fused results for a query given as text and as a vector.</summary>
    /// <param name="query">The query text, for BM25.</param>
    /// <param name="queryVector">The query's embedding, for the vector index.</param>
    /// <param name="k">How many results at most; positive.</param>
    /// <param name="filter">A metadata filter applied by both retrievers; <see langword="null"/> for none.</param>
    /// <param name="cancellationToken">Cancels the search.</param>
    /// <returns>Up to <paramref name="k"/> results by descending fused score.</returns>
    public async Task<IReadOnlyList<VectorSearchResult>> SearchAsync(string query, ReadOnlyMemory<float> queryVector, int k, MetadataFilter? filter = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        int candidates = Math.Max(k, _options.CandidateCount);
        IReadOnlyList<VectorSearchResult> semantic = await _vectors
            .SearchAsync(queryVector, candidates, filter is null ? null : new VectorSearchOptions { Filter = filter }, cancellationToken)
            .ConfigureAwait(false);
        IReadOnlyList<VectorSearchResult> lexical = _lexical.Search(query, candidates, filter, cancellationToken);
        return Fuse(lexical, semantic, k, _options);
    }

    /// <summary>Fuses a lexical and a vector ranking the way the searcher does; for callers that run the two retrievers themselves.</summary>
    /// <param name="lexical">The BM25 ranking, best first.</param>
    /// <param name="semantic">The vector ranking, best first.</param>
    /// <param name="k">How many results at most; positive.</param>
    /// <param name="options">Fusion settings; <see langword="null"/> for the defaults.</param>
    /// <returns>Up to <paramref name="k"/> results by descending fused score.</returns>
    public static IReadOnlyList<VectorSearchResult> Fuse(IReadOnlyList<VectorSearchResult> lexical, IReadOnlyList<VectorSearchResult> semantic, int k, HybridSearchOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(lexical);
        ArgumentNullException.ThrowIfNull(semantic);
        options ??= new HybridSearchOptions();
        options.Validate();
        IReadOnlyList<IReadOnlyList<VectorSearchResult>> rankings = [lexical, semantic];
        double[] weights = [options.LexicalWeight, options.VectorWeight];
        return options.Fusion == FusionMethod.ReciprocalRank
            ? ReciprocalRankFusion.Fuse(rankings, k, weights, options.RankConstant)
            : WeightedScoreFusion.Fuse(rankings, k, weights, options.Normalization);
    }
}
