using Embeddings.PgVector.Tests.Server;
using Npgsql;

namespace Embeddings.PgVector.Tests.Indexing;

/// <summary>Batched loads: progress, the bulk path, a server that dies mid-load, and transient failures.</summary>
[Collection(PgServerCollection.Name)]
public sealed class BulkLoadTests(PgServerFixture server)
{
    [Fact]
    public async Task A_load_commits_batch_by_batch_and_reports_progress_and_its_path()
    {
        var options = server.NewOptions("bulk", 16);
        options.BatchSize = 100;
        options.RowsPerInsertStatement = 40;
        using var index = new PgVectorIndex(server.DataSource, options);
        float[][] vectors = TestVectors.Random(1050, 16, seed: 200);
        var reports = new List<PgVectorBulkProgress>();
        var progress = new SynchronousProgress<PgVectorBulkProgress>(reports.Add);
        PgVectorBulkResult result = await index.BulkUpsertAsync(TestVectors.Records(vectors, i => new Dictionary<string, object?> { ["i"] = i }), progress: progress);

        Assert.Equal(1050, result.Records);
        Assert.Equal(11, result.Batches);
        Assert.Equal(await index.DetectBulkPathAsync(), result.Path);
        Assert.NotEqual(PgVectorBulkPath.Auto, result.Path);
        Assert.True(result.RecordsPerSecond > 0);
        Assert.Equal(Enumerable.Range(1, 11).Select(b => Math.Min(b * 100L, 1050)), reports.Select(r => r.CommittedRecords));
        Assert.Equal(1050, await index.CountAsync());
        Assert.Equal(TestVectors.Key(777), (await index.SearchAsync(vectors[777], 1))[0].Key);
    }

    [Fact]
    public async Task A_server_that_dies_mid_load_leaves_whole_batches_and_a_rerun_completes_without_duplicates()
    {
        await using var proxy = new FaultyProxy("127.0.0.1", new NpgsqlConnectionStringBuilder(server.ServerConnectionString).Port);
        string viaProxy = PgServerFixture.WithTestPool(new NpgsqlConnectionStringBuilder(server.ServerConnectionString) { Host = "127.0.0.1", Port = proxy.Port }.ConnectionString);
        var options = server.NewOptions("crash", 32);
        options.BatchSize = 200;
        options.Retry.MaxRetryAttempts = 2;
        float[][] vectors = TestVectors.Random(1000, 32, seed: 210);
        VectorRecord[] records = TestVectors.Records(vectors);

        await using (NpgsqlDataSource dataSource = NpgsqlDataSource.Create(viaProxy))
        {
            using var index = new PgVectorIndex(dataSource, options);
            await index.MigrateAsync();

            // After the second batch commits, the server dies part way through sending the third.
            var progress = new SynchronousProgress<PgVectorBulkProgress>(p =>
            {
                if (p.CommittedBatches == 2)
                {
                    proxy.CutAfterClientBytes(8_000);
                }
            });
            var failure = await Assert.ThrowsAsync<PgVectorIndexException>(() => index.BulkUpsertAsync(records, progress: progress));
            Assert.Equal(400, failure.CommittedRecords);
            Assert.Equal(3, failure.Attempts); // the first try and two retries, all against a dead server
            Assert.Contains("batch 3", failure.Message, StringComparison.Ordinal);
            Assert.Contains("400 record(s)", failure.Message, StringComparison.Ordinal);
            Assert.Contains("run the load again", failure.Message, StringComparison.Ordinal);
        }

        // Seen directly: exactly the two committed batches, nothing of the third.
        Assert.Equal(400L, await server.ScalarAsync($"SELECT count(*) FROM public.\"{options.Collection}\""));

        // The server is back; the same load again completes, and upserts leave no duplicates.
        proxy.Restore();
        await using (NpgsqlDataSource dataSource = NpgsqlDataSource.Create(viaProxy))
        {
            using var index = new PgVectorIndex(dataSource, options);
            PgVectorBulkResult rerun = await index.BulkUpsertAsync(records);
            Assert.Equal(1000, rerun.Records);
        }

        Assert.Equal(1000L, await server.ScalarAsync($"SELECT count(*) FROM public.\"{options.Collection}\""));
        Assert.Equal(1000L, await server.ScalarAsync($"SELECT count(DISTINCT key) FROM public.\"{options.Collection}\""));
    }

    [Fact]
    public async Task A_transient_connection_loss_is_retried_and_the_load_completes()
    {
        await using var proxy = new FaultyProxy("127.0.0.1", new NpgsqlConnectionStringBuilder(server.ServerConnectionString).Port);
        string viaProxy = PgServerFixture.WithTestPool(new NpgsqlConnectionStringBuilder(server.ServerConnectionString) { Host = "127.0.0.1", Port = proxy.Port }.ConnectionString);
        var options = server.NewOptions("retry", 32);
        options.BatchSize = 200;
        float[][] vectors = TestVectors.Random(600, 32, seed: 220);
        await using NpgsqlDataSource dataSource = NpgsqlDataSource.Create(viaProxy);
        using var index = new PgVectorIndex(dataSource, options);
        await index.MigrateAsync();

        // The connection drops once in the middle of the second batch, then the server is reachable again.
        var progress = new SynchronousProgress<PgVectorBulkProgress>(p =>
        {
            if (p.CommittedBatches == 1)
            {
                proxy.CutAfterClientBytes(8_000, staysDown: false);
            }
        });
        PgVectorBulkResult result = await index.BulkUpsertAsync(TestVectors.Records(vectors), progress: progress);
        Assert.Equal(600, result.Records);
        Assert.Equal(1, proxy.Cuts);
        Assert.True(result.Retries >= 1, "the cut batch was retried");
        Assert.Equal(600, await index.CountAsync());
        Assert.Equal(TestVectors.Key(333), (await index.SearchAsync(vectors[333], 1))[0].Key);
    }

    /// <summary>Reports on the calling thread, so a test sees every report before the load goes on.</summary>
    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
