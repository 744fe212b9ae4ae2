using Npgsql;

namespace Embeddings.PgVector;

/// <summary>
/// One planned search: the <c>SET LOCAL</c> settings (candidate list, probes, iterative scan), the query with its
/// parameters, and how its rows become results.
/// </summary>
internal sealed class PgVectorSearch
{
    private readonly PgVectorIndexOptions _options;
    private readonly PgVectorSql _sql;
    private readonly SqlParameters _parameters = new();
    private readonly List<string> _settings = new(3);
    private readonly string _select;
    private readonly int _k;
    private readonly bool _relaxed;

    public PgVectorSearch(PgVectorIndexOptions options, PgVectorSql sql, PgVectorCollectionState state, object query, int k, VectorSearchOptions? searchOptions)
    {
        _options = options;
        _sql = sql;
        _k = k;
        _parameters.Add(query);
        string limit = _parameters.Add(k);
        string? where = searchOptions?.Filter is { } filter ? MetadataFilterSql.Translate(filter, _parameters) : null;
        int efSearch = Math.Clamp(Math.Max(searchOptions?.EfSearch ?? options.HnswEfSearch, k), 1, 1000);
        string? candidateLimit = null;
        if (options.BinaryQuantizedSearch)
        {
            int candidates = (int)Math.Min(Math.Max((long)k * options.RescoreMultiplier, k), 1000);
            efSearch = Math.Max(efSearch, candidates);
            candidateLimit = _parameters.Add(candidates);
        }

        _select = sql.Search(where, limit, candidateLimit);
        bool usesHnsw = options.IndexKind == PgVectorAnnIndexKind.Hnsw || options.BinaryQuantizedSearch;
        if (usesHnsw)
        {
            _settings.Add(PgVectorSql.SetEfSearch(efSearch));
        }

        if (options.IndexKind == PgVectorAnnIndexKind.IvfFlat)
        {
            _settings.Add(PgVectorSql.SetProbes(Math.Min(options.IvfFlatProbes, options.IvfFlatLists)));
        }

        if (where is not null && state.SupportsIterativeScan && options.IterativeScan != PgVectorIterativeScan.Off)
        {
            if (usesHnsw)
            {
                _relaxed = options.IterativeScan == PgVectorIterativeScan.RelaxedOrder;
                _settings.Add(PgVectorSql.SetIterativeScan(hnsw: true, _relaxed));
            }
            else if (options.IndexKind == PgVectorAnnIndexKind.IvfFlat)
            {
                _relaxed = true; // IVFFlat scans iteratively in relaxed order only
                _settings.Add(PgVectorSql.SetIterativeScan(hnsw: false, relaxed: true));
            }
        }
    }

    /// <summary>Runs the search in one transaction, so that the <c>SET LOCAL</c> settings reach its query and no other.</summary>
    /// <param name="connection">An open connection.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The results, best first.</returns>
    public async Task<IReadOnlyList<VectorSearchResult>> RunAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var batch = new NpgsqlBatch(connection, transaction);
        foreach (string setting in _settings)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand(setting));
        }

        var command = new NpgsqlBatchCommand(_select);
        _parameters.CopyTo(command.Parameters);
        batch.BatchCommands.Add(command);

        // k is only an upper bound (int.MaxValue means "all"); the list grows with the rows that arrive.
        var hits = new List<VectorSearchResult>(Math.Min(_k, 1024));
        await using (NpgsqlDataReader reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                string key = reader.GetString(0);
                double d = reader.IsDBNull(1) ? double.NaN : reader.GetDouble(1);
                string? metadata = reader.IsDBNull(2) ? null : reader.GetString(2);
                hits.Add(new VectorSearchResult(key, ScoreOf(d), MetadataJson.Deserialize(metadata)));
            }
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        if (_relaxed || _options.Metric == DistanceMetric.Cosine)
        {
            // Relaxed iterative scans may return rows slightly out of order, and a zero vector's NaN cosine
            // distance sorts last on the server while its score (0) belongs in the middle.
            return hits.OrderByDescending(r => r.Score).ToArray();
        }

        return hits;
    }

    private float ScoreOf(double distance)
    {
        if (double.IsNaN(distance) && _options.Metric == DistanceMetric.Cosine)
        {
            return 0f; // pgvector's cosine distance to a zero vector is NaN; our convention gives it similarity 0
        }

        return _sql.ToScore(distance);
    }
}
