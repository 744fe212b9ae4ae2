using System.Globalization;
using Embeddings.PgVector;
using Npgsql;

namespace Embeddings.Benchmarks.PgVector;

/// <summary>The pgvector side of the harness: a server (EMBEDDINGS_PG_CONNECTION, else PGlite), the GloVe load and the HNSW build.</summary>
internal sealed class PgVectorBackend : IAsyncDisposable
{
    private readonly PgliteProcess? _pglite;
    private readonly NpgsqlDataSource _dataSource;

    private PgVectorBackend(PgliteProcess? pglite, NpgsqlDataSource dataSource, PgVectorIndex index, string summary)
    {
        _pglite = pglite;
        _dataSource = dataSource;
        Index = index;
        Summary = summary;
    }

    public PgVectorIndex Index { get; }

    /// <summary>Gets the server, load and build figures, one per line.</summary>
    public string Summary { get; }

    public static async Task<PgVectorBackend> StartAsync(string root, string[] words, float[][] vectors, int m, int efConstruction)
    {
        string? external = Environment.GetEnvironmentVariable("EMBEDDINGS_PG_CONNECTION");
        PgliteProcess? pglite = string.IsNullOrWhiteSpace(external) ? PgliteProcess.Start(root) : null;
        NpgsqlDataSource dataSource = NpgsqlDataSource.Create(external ?? pglite!.ConnectionString);
        var options = new PgVectorIndexOptions
        {
            Collection = "glove_bench",
            Dimensions = vectors[0].Length,
            Metric = DistanceMetric.Cosine,
            HnswM = m,
            HnswEfConstruction = efConstruction,
            CreateAnnIndex = false,
            BatchSize = 1000,
            IndexBuildMemoryMegabytes = 1024,
        };
        var index = new PgVectorIndex(dataSource, options);
        await index.DropAsync();
        await index.MigrateAsync();
        string version;
        await using (NpgsqlConnection connection = await dataSource.OpenConnectionAsync())
        await using (var command = new NpgsqlCommand("SELECT version() || ', pgvector ' || (SELECT extversion FROM pg_extension WHERE extname = 'vector')", connection))
        {
            version = (string)(await command.ExecuteScalarAsync())!;
        }

        Console.WriteLine(version);
        var progress = new Progress<PgVectorBulkProgress>(p =>
        {
            if (p.CommittedBatches % 20 == 0)
            {
                Console.WriteLine($"  {p.CommittedRecords} rows, {p.CommittedRecords / p.Elapsed.TotalSeconds:F0} rows/s");
            }
        });
        PgVectorBulkResult load = await index.BulkUpsertAsync(Enumerable.Range(0, vectors.Length).Select(i => new VectorRecord(words[i], vectors[i])), progress: progress);
        Console.WriteLine($"loaded {load.Records} rows in {load.Elapsed.TotalSeconds:F1} s = {load.RecordsPerSecond:F0} rows/s over the {load.Path} path ({load.Batches} batches, {load.Retries} retries)");
        TimeSpan build = await index.CreateAnnIndexAsync();
        Console.WriteLine($"pgvector HNSW (m={m}, ef_construction={efConstruction}) built in {build.TotalSeconds:F1} s");
        string summary = string.Create(
            CultureInfo.InvariantCulture,
            $"server: {version}\nload: {load.Records} rows, {load.RecordsPerSecond:F0} rows/s, path {load.Path}, batch {options.BatchSize}, {load.Batches} batches, {load.Retries} retries, {load.Elapsed.TotalSeconds:F1} s\npgvector HNSW build: m={m} ef_construction={efConstruction}: {build.TotalSeconds:F1} s (one backend)");
        return new PgVectorBackend(pglite, dataSource, index, summary);
    }

    public async ValueTask DisposeAsync()
    {
        Index.Dispose();
        await _dataSource.DisposeAsync();
        _pglite?.Dispose();
    }
}
