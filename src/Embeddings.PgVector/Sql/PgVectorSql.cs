using System.Globalization;
using System.Text;

namespace Embeddings.PgVector;

/// <summary>
/// Every SQL statement a collection runs: its DDL and migration, the collection record, searches, and the bulk
/// paths. Only identifiers validated and quoted by <see cref="SqlIdentifier"/> and integers are spliced in; every
/// value travels as a parameter.
/// </summary>
internal sealed class PgVectorSql
{
    /// <summary>The table that records every collection's dimensions, metric, storage and embedder fingerprint.</summary>
    public const string CollectionsTable = "embeddings_collections";

    /// <summary>Takes the transaction-scoped advisory lock of a collection ($1: its qualified name).</summary>
    public const string AdvisoryLock = "SELECT pg_advisory_xact_lock(7415301, hashtext($1))";

    /// <summary>Reads the server's version and the installed pgvector version.</summary>
    public const string ServerVersions = "SELECT version(), (SELECT extversion FROM pg_extension WHERE extname = 'vector')";

    /// <summary>The temporary table a binary COPY fills before the merge.</summary>
    private const string StageTable = "embeddings_stage";

    private const string UpsertConflict = " ON CONFLICT (key) DO UPDATE SET embedding = EXCLUDED.embedding, metadata = EXCLUDED.metadata";

    private readonly PgVectorIndexOptions _options;
    private string? _insertFull;

    public PgVectorSql(PgVectorIndexOptions options, int dimensions)
    {
        _options = options;
        Dimensions = dimensions;
        Table = options.QualifiedTable;
        CollectionsTableName = options.QualifiedCollectionsTable;
        ColumnType = options.StorageType switch
        {
            PgVectorStorageType.Vector => Invariant($"vector({dimensions})"),
            PgVectorStorageType.HalfVector => Invariant($"halfvec({dimensions})"),
            _ => Invariant($"bit({dimensions})"),
        };
        Operator = options.Metric switch
        {
            DistanceMetric.Cosine => "<=>",
            DistanceMetric.DotProduct => "<#>",
            DistanceMetric.Euclidean or DistanceMetric.EuclideanSquared => "<->",
            DistanceMetric.Manhattan => "<+>",
            _ => "<~>",
        };

        // A float4[] parameter cast on the server keeps the index independent of the data source's type
        // mappings; bit codes travel as bit varying.
        QueryParameter = IsBit ? Invariant($"$1::bit({dimensions})") : Invariant($"$1::real[]::{ColumnType}");
        ForgetCollection = $"DELETE FROM {CollectionsTableName} WHERE name = $1";
        InsertCollectionRecord = $"INSERT INTO {CollectionsTableName} (name, dimensions, metric, storage, fingerprint) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (name) DO NOTHING";
        ReadCollectionRecord = $"SELECT dimensions, metric, storage, fingerprint FROM {CollectionsTableName} WHERE name = $1";
        AdoptFingerprint = $"UPDATE {CollectionsTableName} SET fingerprint = $2 WHERE name = $1 AND fingerprint IS NULL";
        DropTable = $"DROP TABLE IF EXISTS {Table}";
        Count = $"SELECT count(*) FROM {Table}";
        DeleteKeys = $"DELETE FROM {Table} WHERE key = ANY ($1::text[])";
        CreateStage = $"CREATE TEMP TABLE {StageTable} (key text NOT NULL, embedding {(IsBit ? "varbit" : "real[]")} NOT NULL, metadata jsonb) ON COMMIT DROP";
        CopyIntoStage = $"COPY {StageTable} (key, embedding, metadata) FROM STDIN (FORMAT BINARY)";
        MergeStage = $"INSERT INTO {Table} (key, embedding, metadata) SELECT key, embedding::{(IsBit ? "" : "real[]::")}{ColumnType}, metadata FROM {StageTable}{UpsertConflict}";
    }

    /// <summary>Gets the vector length (bits for bit storage).</summary>
    public int Dimensions { get; }

    /// <summary>Gets the schema-qualified, quoted collection table.</summary>
    public string Table { get; }

    /// <summary>Gets the schema-qualified, quoted table of collection records.</summary>
    public string CollectionsTableName { get; }

    /// <summary>Gets the column type, such as <c>vector(384)</c>.</summary>
    public string ColumnType { get; }

    /// <summary>Gets the distance operator of the metric.</summary>
    public string Operator { get; }

    /// <summary>Gets the expression that turns parameter $1 into a value of <see cref="ColumnType"/>.</summary>
    public string QueryParameter { get; }

    /// <summary>Gets the statement that forgets the collection's record ($1: the collection).</summary>
    public string ForgetCollection { get; }

    /// <summary>Gets the statement that records the collection unless it is recorded ($1..$5: name, dimensions, metric, storage, fingerprint).</summary>
    public string InsertCollectionRecord { get; }

    /// <summary>Gets the query of the collection's record ($1: the collection).</summary>
    public string ReadCollectionRecord { get; }

    /// <summary>Gets the statement that records a fingerprint where none is recorded ($1: the collection, $2: the fingerprint).</summary>
    public string AdoptFingerprint { get; }

    /// <summary>Gets the statement that drops the collection table when present.</summary>
    public string DropTable { get; }

    /// <summary>Gets the query of the number of records.</summary>
    public string Count { get; }

    /// <summary>Gets the statement that deletes records by key ($1: a text array).</summary>
    public string DeleteKeys { get; }

    /// <summary>Gets the statement that creates the COPY staging table, dropped at commit.</summary>
    public string CreateStage { get; }

    /// <summary>Gets the binary COPY into the staging table.</summary>
    public string CopyIntoStage { get; }

    /// <summary>Gets the upsert of the staged rows into the collection.</summary>
    public string MergeStage { get; }

    public string AnnIndexName => SqlIdentifier.Quote(_options.Collection + (_options.IndexKind == PgVectorAnnIndexKind.IvfFlat ? "_ivfflat" : "_hnsw"));

    public string BinaryIndexName => SqlIdentifier.Quote(_options.Collection + "_bq_hnsw");

    public string MetadataIndexName => SqlIdentifier.Quote(_options.Collection + "_metadata_gin");

    /// <summary>Gets the expression of the binary-quantized coarse pass over column <c>embedding</c>.</summary>
    public string BinaryQuantizedColumn => Invariant($"(binary_quantize(embedding)::bit({Dimensions}))");

    public string TypePrefix => _options.StorageType switch
    {
        PgVectorStorageType.Vector => "vector",
        PgVectorStorageType.HalfVector => "halfvec",
        _ => "bit",
    };

    public string OperatorClass => _options.Metric switch
    {
        DistanceMetric.Cosine => TypePrefix + "_cosine_ops",
        DistanceMetric.DotProduct => TypePrefix + "_ip_ops",
        DistanceMetric.Euclidean or DistanceMetric.EuclideanSquared => TypePrefix + "_l2_ops",
        DistanceMetric.Manhattan => TypePrefix + "_l1_ops",
        _ => "bit_hamming_ops",
    };

    public string MetricName => _options.Metric switch
    {
        DistanceMetric.Cosine => "cosine",
        DistanceMetric.DotProduct => "dot",
        DistanceMetric.Euclidean => "euclidean",
        DistanceMetric.EuclideanSquared => "euclidean_squared",
        DistanceMetric.Manhattan => "manhattan",
        _ => "hamming",
    };

    public string StorageName => TypePrefix;

    private bool IsBit => _options.StorageType == PgVectorStorageType.Bit;

    /// <summary>Converts a pgvector distance to this library's score (higher is more similar).</summary>
    /// <param name="distance">The operator's result.</param>
    /// <returns>The score.</returns>
    public float ToScore(double distance) => _options.Metric switch
    {
        DistanceMetric.Cosine => (float)(1.0 - distance),
        DistanceMetric.EuclideanSquared => (float)(-(distance * distance)),
        _ => (float)-distance, // <#> already is the negative inner product; the rest are distances
    };

    /// <summary>Gets the statements that create the extension, schema, tables and indexes when absent, in order.</summary>
    /// <param name="includeAnnIndex">Whether the ANN index is among them.</param>
    /// <returns>The statements.</returns>
    public IReadOnlyList<string> SchemaStatements(bool includeAnnIndex)
    {
        string schema = SqlIdentifier.Quote(_options.Schema);
        var statements = new List<string>
        {
            "CREATE EXTENSION IF NOT EXISTS vector",
            $"CREATE SCHEMA IF NOT EXISTS {schema}",
            $"CREATE TABLE IF NOT EXISTS {CollectionsTableName} (name text PRIMARY KEY, dimensions integer NOT NULL, metric text NOT NULL, storage text NOT NULL, fingerprint text, created_at timestamptz NOT NULL DEFAULT now())",
            $"CREATE TABLE IF NOT EXISTS {Table} (key text PRIMARY KEY, embedding {ColumnType} NOT NULL, metadata jsonb)",
            $"CREATE INDEX IF NOT EXISTS {MetadataIndexName} ON {Table} USING gin (metadata jsonb_path_ops)",
        };
        if (includeAnnIndex)
        {
            statements.AddRange(AnnIndexStatements());
        }

        return statements;
    }

    /// <summary>Gets the statements that build the ANN index (and the binary-quantized one) when absent, after the build's memory setting.</summary>
    /// <param name="buildMemoryMegabytes">The <c>maintenance_work_mem</c> of the build, or <see langword="null"/> for the server's.</param>
    /// <returns>The statements; empty when the options ask for no index.</returns>
    public IReadOnlyList<string> AnnIndexStatements(int? buildMemoryMegabytes = null)
    {
        var statements = new List<string>();
        if (buildMemoryMegabytes is int memory)
        {
            statements.Add(Invariant($"SET LOCAL maintenance_work_mem = '{memory}MB'"));
        }

        switch (_options.IndexKind)
        {
            case PgVectorAnnIndexKind.Hnsw:
                statements.Add(Invariant($"CREATE INDEX IF NOT EXISTS {AnnIndexName} ON {Table} USING hnsw (embedding {OperatorClass}) WITH (m = {_options.HnswM}, ef_construction = {_options.HnswEfConstruction})"));
                break;
            case PgVectorAnnIndexKind.IvfFlat:
                statements.Add(Invariant($"CREATE INDEX IF NOT EXISTS {AnnIndexName} ON {Table} USING ivfflat (embedding {OperatorClass}) WITH (lists = {_options.IvfFlatLists})"));
                break;
            default:
                break;
        }

        if (_options.BinaryQuantizedSearch)
        {
            statements.Add(Invariant($"CREATE INDEX IF NOT EXISTS {BinaryIndexName} ON {Table} USING hnsw ({BinaryQuantizedColumn} bit_hamming_ops) WITH (m = {_options.HnswM}, ef_construction = {_options.HnswEfConstruction})"));
        }

        return statements;
    }

    /// <summary>Gets the whole migration as one script for a DBA or a migration tool: the schema statements and the collection record, in one transaction.</summary>
    /// <returns>The script; every statement is idempotent.</returns>
    public string MigrationScript()
    {
        var script = new StringBuilder();
        script.Append("-- Embeddings.PgVector migration for collection ").Append(_options.Schema).Append('.').Append(_options.Collection).AppendLine();
        script.AppendLine("BEGIN;");
        foreach (string statement in SchemaStatements(_options.CreateAnnIndex))
        {
            script.Append(statement).AppendLine(";");
        }

        // A script is run as plain text, so the record's values are literals here rather than parameters.
        script.Append(CultureInfo.InvariantCulture, $"INSERT INTO {CollectionsTableName} (name, dimensions, metric, storage, fingerprint) VALUES (")
            .Append(SqlIdentifier.Literal(_options.Collection)).Append(", ")
            .Append(Dimensions.ToString(CultureInfo.InvariantCulture)).Append(", ")
            .Append(SqlIdentifier.Literal(MetricName)).Append(", ")
            .Append(SqlIdentifier.Literal(StorageName)).Append(", ")
            .Append(SqlIdentifier.Literal(_options.Fingerprint?.ToString()))
            .AppendLine(") ON CONFLICT (name) DO NOTHING;");
        script.AppendLine("COMMIT;");
        return script.ToString();
    }

    /// <summary>Gets the search query: parameter $1 is the query vector; the limits are placeholders from the caller's parameters.</summary>
    /// <param name="where">The filter's condition, or <see langword="null"/>.</param>
    /// <param name="limit">The placeholder of k.</param>
    /// <param name="candidateLimit">The placeholder of the coarse pass's candidate count, for a two-stage search; otherwise <see langword="null"/>.</param>
    /// <returns>The query, returning key, distance and metadata.</returns>
    public string Search(string? where, string limit, string? candidateLimit)
    {
        string whereClause = where is null ? string.Empty : " WHERE " + where;
        string distance = $"(embedding {Operator} {QueryParameter})";
        if (candidateLimit is null)
        {
            return $"SELECT key, {distance} AS distance, metadata FROM {Table}{whereClause} ORDER BY {distance} LIMIT {limit}";
        }

        string coarse = $"({BinaryQuantizedColumn} <~> binary_quantize({QueryParameter}))";
        return $"SELECT key, distance, metadata FROM (SELECT key, metadata, {distance} AS distance FROM {Table}{whereClause} ORDER BY {coarse} LIMIT {candidateLimit}) AS candidates ORDER BY distance LIMIT {limit}";
    }

    /// <summary>Gets the <c>SET LOCAL</c> of the HNSW candidate list.</summary>
    /// <param name="efSearch">The list's length.</param>
    /// <returns>The statement.</returns>
    public static string SetEfSearch(int efSearch) => Invariant($"SET LOCAL hnsw.ef_search = {efSearch}");

    /// <summary>Gets the <c>SET LOCAL</c> of the IVFFlat lists probed.</summary>
    /// <param name="probes">The number of lists.</param>
    /// <returns>The statement.</returns>
    public static string SetProbes(int probes) => Invariant($"SET LOCAL ivfflat.probes = {probes}");

    /// <summary>Gets the <c>SET LOCAL</c> of an iterative index scan (pgvector 0.8.0 or later).</summary>
    /// <param name="hnsw">Whether the scan is over the HNSW index (else IVFFlat, which scans in relaxed order only).</param>
    /// <param name="relaxed">Whether the order may be relaxed.</param>
    /// <returns>The statement.</returns>
    public static string SetIterativeScan(bool hnsw, bool relaxed) =>
        $"SET LOCAL {(hnsw ? "hnsw" : "ivfflat")}.iterative_scan = {(relaxed ? "relaxed_order" : "strict_order")}";

    /// <summary>Gets the multi-row upsert of the batched-insert path: three parameters a row (key, vector, metadata).</summary>
    /// <param name="rows">The rows the statement holds.</param>
    /// <returns>The statement; the one for a full statement is built once.</returns>
    public string Insert(int rows)
    {
        if (rows == _options.RowsPerInsertStatement && _insertFull is { } cached)
        {
            return cached;
        }

        string vector = IsBit ? "::" + ColumnType : "::real[]::" + ColumnType;
        var sql = new StringBuilder(64 + (rows * 40));
        sql.Append("INSERT INTO ").Append(Table).Append(" (key, embedding, metadata) VALUES ");
        for (int row = 0; row < rows; row++)
        {
            int p = (row * 3) + 1;
            sql.Append(row == 0 ? "(" : ", (")
                .Append('$').Append(p.ToString(CultureInfo.InvariantCulture)).Append(", ")
                .Append('$').Append((p + 1).ToString(CultureInfo.InvariantCulture)).Append(vector).Append(", ")
                .Append('$').Append((p + 2).ToString(CultureInfo.InvariantCulture)).Append(')');
        }

        sql.Append(UpsertConflict);
        string text = sql.ToString();
        if (rows == _options.RowsPerInsertStatement)
        {
            _insertFull = text;
        }

        return text;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
