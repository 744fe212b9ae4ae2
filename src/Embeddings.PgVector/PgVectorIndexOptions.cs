namespace Embeddings.PgVector;

/// <summary>
/// Settings of one <see cref="PgVectorIndex"/>: where the collection lives, how its vectors are stored and
/// indexed, how it is loaded and how failures are retried. Bind it from configuration or set it in code.
/// </summary>
public sealed class PgVectorIndexOptions
{
    /// <summary>The longest collection name: the table's own indexes append up to 15 characters within PostgreSQL's 63.</summary>
    public const int MaxCollectionNameLength = 48;

    /// <summary>
    /// Gets or sets a connection string, used when no <c>NpgsqlDataSource</c> is handed to the index or registered
    /// in the container. Default: <see langword="null"/>.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>Gets or sets the schema holding the collection tables; created when missing. Default: <c>public</c>.</summary>
    public string Schema { get; set; } = "public";

    /// <summary>
    /// Gets or sets the collection name, which is also its table name: a letter or underscore, then letters,
    /// digits or underscores, at most <see cref="MaxCollectionNameLength"/> characters. Default: <c>embeddings</c>.
    /// </summary>
    public string Collection { get; set; } = "embeddings";

    /// <summary>
    /// Gets or sets the vector length (bits for <see cref="PgVectorStorageType.Bit"/>). Default: 0, meaning the
    /// dimensions of <see cref="Fingerprint"/> (or, under dependency injection, of the registered embedder).
    /// </summary>
    public int Dimensions { get; set; }

    /// <summary>Gets or sets the metric that ranks results. Default: <see cref="DistanceMetric.Cosine"/>.</summary>
    public DistanceMetric Metric { get; set; } = DistanceMetric.Cosine;

    /// <summary>
    /// Gets or sets the column type. Default: <see cref="PgVectorStorageType.Vector"/>; <see cref="DistanceMetric.Hamming"/>
    /// requires <see cref="PgVectorStorageType.Bit"/> and the other metrics forbid it.
    /// </summary>
    public PgVectorStorageType StorageType { get; set; } = PgVectorStorageType.Vector;

    /// <summary>
    /// Gets or sets the fingerprint of the embedder whose vectors the collection holds. Recorded in the collection
    /// table on creation; opening a collection recorded with another one fails with <see cref="EmbedderMismatchException"/>.
    /// Default: <see langword="null"/> (under dependency injection, the registered embedder's).
    /// </summary>
    public EmbedderFingerprint? Fingerprint { get; set; }

    /// <summary>Gets or sets the ANN index built over the vectors. Default: <see cref="PgVectorAnnIndexKind.Hnsw"/>.</summary>
    public PgVectorAnnIndexKind IndexKind { get; set; } = PgVectorAnnIndexKind.Hnsw;

    /// <summary>Gets or sets HNSW's <c>m</c>, the links per node (2..100). Default: 16, pgvector's default.</summary>
    public int HnswM { get; set; } = 16;

    /// <summary>Gets or sets HNSW's <c>ef_construction</c> (at least 2·<see cref="HnswM"/>). Default: 64, pgvector's default.</summary>
    public int HnswEfConstruction { get; set; } = 64;

    /// <summary>Gets or sets <c>hnsw.ef_search</c> for searches that do not set <see cref="VectorSearchOptions.EfSearch"/> (1..1000). Default: 40, pgvector's default.</summary>
    public int HnswEfSearch { get; set; } = 40;

    /// <summary>Gets or sets IVFFlat's <c>lists</c>. Default: 100 (pgvector suggests rows / 1000 up to a million rows).</summary>
    public int IvfFlatLists { get; set; } = 100;

    /// <summary>Gets or sets <c>ivfflat.probes</c> for searches. Default: 10.</summary>
    public int IvfFlatProbes { get; set; } = 10;

    /// <summary>
    /// Gets or sets a value indicating whether the ANN index is created together with the table. Set it to
    /// <see langword="false"/> for a first bulk load, then call <see cref="PgVectorIndex.CreateAnnIndexAsync"/>:
    /// building once is much faster than updating the index row by row. Default: <see langword="true"/>.
    /// </summary>
    public bool CreateAnnIndex { get; set; } = true;

    /// <summary>
    /// Gets or sets <c>maintenance_work_mem</c> in megabytes for index builds (set with <c>SET LOCAL</c> around the
    /// build): an HNSW build whose graph outgrows it slows down sharply. Default: <see langword="null"/>, the server's setting.
    /// </summary>
    public int? IndexBuildMemoryMegabytes { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether searches run in two stages: a coarse pass over an HNSW expression
    /// index on <c>binary_quantize(embedding)</c> (Hamming distance on one bit per dimension), rescored with the full
    /// vectors. Adds that index to the migration. Not for <see cref="PgVectorStorageType.Bit"/>. Default: <see langword="false"/>.
    /// </summary>
    public bool BinaryQuantizedSearch { get; set; }

    /// <summary>Gets or sets how many coarse candidates per wanted result the two-stage search rescores. Default: 10.</summary>
    public int RescoreMultiplier { get; set; } = 10;

    /// <summary>Gets or sets the iterative index scan used by filtered searches, where the server supports it. Default: <see cref="PgVectorIterativeScan.StrictOrder"/>.</summary>
    public PgVectorIterativeScan IterativeScan { get; set; } = PgVectorIterativeScan.StrictOrder;

    /// <summary>Gets or sets how bulk upserts reach the server. Default: <see cref="PgVectorBulkPath.Auto"/>.</summary>
    public PgVectorBulkPath BulkPath { get; set; } = PgVectorBulkPath.Auto;

    /// <summary>Gets or sets how many records one bulk-upsert batch (one transaction) holds. Default: 1,000.</summary>
    public int BatchSize { get; set; } = 1000;

    /// <summary>Gets or sets how many rows one multi-row INSERT statement holds on the batched-insert path. Default: 250.</summary>
    public int RowsPerInsertStatement { get; set; } = 250;

    /// <summary>Gets or sets a value indicating whether the extension, schema, tables and indexes are created on first use. Default: <see langword="true"/>; turn it off when the migration runs ahead of time.</summary>
    public bool CreateIfMissing { get; set; } = true;

    /// <summary>Gets the retry settings for transient failures.</summary>
    public PgVectorRetryOptions Retry { get; init; } = new();

    /// <summary>Gets the schema-qualified, quoted table name.</summary>
    internal string QualifiedTable => $"{SqlIdentifier.Quote(Schema)}.{SqlIdentifier.Quote(Collection)}";

    /// <summary>Gets the schema-qualified, quoted name of the table that describes every collection.</summary>
    internal string QualifiedCollectionsTable => $"{SqlIdentifier.Quote(Schema)}.{SqlIdentifier.Quote(PgVectorSql.CollectionsTable)}";

    /// <summary>Checks every setting, naming the first that is wrong, and returns the resolved dimensions.</summary>
    /// <returns>The vector length.</returns>
    /// <exception cref="ArgumentException">A setting is invalid.</exception>
    internal int Validate()
    {
        SqlIdentifier.Validate(Schema, nameof(Schema), 63);
        SqlIdentifier.Validate(Collection, nameof(Collection), MaxCollectionNameLength);
        if (string.Equals(Collection, PgVectorSql.CollectionsTable, StringComparison.Ordinal))
        {
            throw new ArgumentException($"The collection name '{Collection}' is reserved for the table that describes collections.", nameof(Collection));
        }

        int dimensions = Dimensions > 0 ? Dimensions : Fingerprint?.Dimensions ?? 0;
        if (dimensions <= 0)
        {
            throw new ArgumentException("PgVectorIndexOptions.Dimensions is not set and there is no fingerprint to take it from.", nameof(Dimensions));
        }

        if (Fingerprint is not null && StorageType != PgVectorStorageType.Bit && Fingerprint.Dimensions != dimensions)
        {
            throw new ArgumentException($"PgVectorIndexOptions.Dimensions is {dimensions} but the fingerprint's dimensions are {Fingerprint.Dimensions}.", nameof(Dimensions));
        }

        if (!Enum.IsDefined(Metric))
        {
            throw new ArgumentOutOfRangeException(nameof(Metric), Metric, "Unknown distance metric.");
        }

        if ((Metric == DistanceMetric.Hamming) != (StorageType == PgVectorStorageType.Bit))
        {
            throw new ArgumentException($"Metric {Metric} does not fit storage type {StorageType}: Hamming needs Bit storage, and Bit storage needs Hamming.", nameof(StorageType));
        }

        int maxDimensions = StorageType switch
        {
            PgVectorStorageType.Vector => IndexKind == PgVectorAnnIndexKind.None ? 16000 : 2000,
            PgVectorStorageType.HalfVector => IndexKind == PgVectorAnnIndexKind.None ? 16000 : 4000,
            PgVectorStorageType.Bit => IndexKind == PgVectorAnnIndexKind.None ? 83_886_080 : 64000,
            _ => throw new ArgumentOutOfRangeException(nameof(StorageType), StorageType, "Unknown storage type."),
        };
        if (dimensions > maxDimensions)
        {
            throw new ArgumentOutOfRangeException(nameof(Dimensions), dimensions, $"{StorageType} columns hold at most {maxDimensions} dimensions with index kind {IndexKind}.");
        }

        if (IndexKind == PgVectorAnnIndexKind.IvfFlat && Metric is DistanceMetric.Manhattan)
        {
            throw new ArgumentException("pgvector's IVFFlat has no Manhattan (L1) operator class; use HNSW or no index.", nameof(IndexKind));
        }

        if (!Enum.IsDefined(IndexKind))
        {
            throw new ArgumentOutOfRangeException(nameof(IndexKind), IndexKind, "Unknown index kind.");
        }

        if (HnswM is < 2 or > 100)
        {
            throw new ArgumentOutOfRangeException(nameof(HnswM), HnswM, "HNSW m must lie in 2..100.");
        }

        if (HnswEfConstruction < 2 * HnswM || HnswEfConstruction > 1000)
        {
            throw new ArgumentOutOfRangeException(nameof(HnswEfConstruction), HnswEfConstruction, $"HNSW ef_construction must lie in {2 * HnswM}..1000 (at least twice m).");
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(HnswEfSearch);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(HnswEfSearch, 1000);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(IvfFlatLists);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(IvfFlatLists, 32768);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(IvfFlatProbes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(RescoreMultiplier);
        if (IndexBuildMemoryMegabytes is int memory)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(memory, nameof(IndexBuildMemoryMegabytes));
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(BatchSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(RowsPerInsertStatement);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(RowsPerInsertStatement, 20000);
        ArgumentNullException.ThrowIfNull(Retry);
        ArgumentOutOfRangeException.ThrowIfNegative(Retry.MaxRetryAttempts);
        if (!Enum.IsDefined(Retry.BackoffType))
        {
            throw new ArgumentOutOfRangeException(nameof(Retry), Retry.BackoffType, "Unknown retry backoff type.");
        }

        if (BinaryQuantizedSearch && StorageType == PgVectorStorageType.Bit)
        {
            throw new ArgumentException("Two-stage binary-quantized search needs float vectors; Bit storage already is binary.", nameof(BinaryQuantizedSearch));
        }

        if (!Enum.IsDefined(BulkPath))
        {
            throw new ArgumentOutOfRangeException(nameof(BulkPath), BulkPath, "Unknown bulk path.");
        }

        if (!Enum.IsDefined(IterativeScan))
        {
            throw new ArgumentOutOfRangeException(nameof(IterativeScan), IterativeScan, "Unknown iterative scan mode.");
        }

        return dimensions;
    }
}
