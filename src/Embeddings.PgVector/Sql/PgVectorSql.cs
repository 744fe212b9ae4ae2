using System.Globalization;

namespace Embeddings.PgVector;

/// <summary>The SQL text of a collection: its DDL, operators and operator classes. Only validated identifiers and integers are spliced in.</summary>
internal sealed class PgVectorSql
{
    /// <summary>The table that records every collection's dimensions, metric, storage and embedder fingerprint.</summary>
    public const string CollectionsTable = "embeddings_collections";

    private readonly PgVectorIndexOptions _options;

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
        QueryParameter = options.StorageType == PgVectorStorageType.Bit ? Invariant($"$1::bit({dimensions})") : Invariant($"$1::real[]::{ColumnType}");
    }

    public int Dimensions { get; }

    public string Table { get; }

    public string CollectionsTableName { get; }

    /// <summary>Gets the column type, such as <c>vector(384)</c>.</summary>
    public string ColumnType { get; }

    /// <summary>Gets the distance operator of the metric.</summary>
    public string Operator { get; }

    /// <summary>Gets the expression that turns parameter $1 into a value of <see cref="ColumnType"/>.</summary>
    public string QueryParameter { get; }

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

    /// <summary>Gets the statements that build the ANN index (and the binary-quantized one) when absent.</summary>
    /// <returns>The statements; empty when the options ask for no index.</returns>
    public IReadOnlyList<string> AnnIndexStatements()
    {
        var statements = new List<string>();
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

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
