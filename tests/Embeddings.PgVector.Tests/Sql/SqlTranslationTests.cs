using Npgsql;

namespace Embeddings.PgVector.Tests.Sql;

/// <summary>SQL text, bulk-path choice and failure classification, checked without a server.</summary>
public sealed class SqlTranslationTests
{
    [Fact]
    public void Filter_values_and_field_names_travel_as_parameters_only()
    {
        var parameters = new SqlParameters();
        string sql = MetadataFilterSql.Translate(
            MetadataFilter.And(
                MetadataFilter.Equal("evil'field", "value'); DROP TABLE t; --"),
                MetadataFilter.In("other", "a\"b", 7),
                MetadataFilter.Not(MetadataFilter.Range("n\\um", 1.5, null))),
            parameters);

        Assert.DoesNotContain("evil", sql, StringComparison.Ordinal);
        Assert.DoesNotContain("DROP", sql, StringComparison.Ordinal);
        Assert.DoesNotContain("other", sql, StringComparison.Ordinal);
        Assert.DoesNotContain("1.5", sql, StringComparison.Ordinal);
        Assert.Contains("$1", sql, StringComparison.Ordinal);
        Assert.Contains("$5", sql, StringComparison.Ordinal);
        Assert.DoesNotContain("$6", sql, StringComparison.Ordinal);

        var command = new NpgsqlCommand();
        parameters.CopyTo(command.Parameters);
        using (var containment = System.Text.Json.JsonDocument.Parse((string)command.Parameters[0].Value!))
        {
            Assert.Equal("value'); DROP TABLE t; --", containment.RootElement.GetProperty("evil'field").GetString());
        }

        Assert.Equal("other", command.Parameters[1].Value);
        Assert.Equal(new[] { "\"a\\u0022b\"", "7" }, (string[])command.Parameters[2].Value!);
        Assert.Equal("n\\um", command.Parameters[3].Value);
        Assert.Equal(1.5, command.Parameters[4].Value);
    }

    [Fact]
    public void Non_finite_filter_values_match_nothing()
    {
        var parameters = new SqlParameters();
        Assert.Equal("false", MetadataFilterSql.Translate(MetadataFilter.Equal("x", double.NaN), parameters));
        Assert.Equal("false", MetadataFilterSql.Translate(MetadataFilter.In("x", double.PositiveInfinity), parameters));
    }

    [Theory]
    [InlineData("PostgreSQL 18.6 (PGlite 0.5.14) on wasm32-unknown-emscripten, compiled by emcc 6.0.5, 32-bit", PgVectorBulkPath.Auto, PgVectorBulkPath.BatchedInsert)]
    [InlineData("PostgreSQL 17.2 (Debian 17.2-1.pgdg120+1) on x86_64-pc-linux-gnu, compiled by gcc 12.2.0, 64-bit", PgVectorBulkPath.Auto, PgVectorBulkPath.Copy)]
    [InlineData("PostgreSQL 17.2 on x86_64-pc-linux-gnu", PgVectorBulkPath.BatchedInsert, PgVectorBulkPath.BatchedInsert)]
    [InlineData("PostgreSQL 18.6 on wasm32-unknown-emscripten", PgVectorBulkPath.Copy, PgVectorBulkPath.Copy)]
    public void Auto_picks_batched_inserts_for_webassembly_builds_and_copy_elsewhere(string version, PgVectorBulkPath configured, PgVectorBulkPath expected) =>
        Assert.Equal(expected, PgVectorSchema.ResolveBulkPath(configured, version));

    [Theory]
    [InlineData("40001", true)]
    [InlineData("40P01", true)]
    [InlineData("53300", true)]
    [InlineData("57P01", true)]
    [InlineData("08006", true)]
    [InlineData("42P01", false)]
    [InlineData("23505", false)]
    [InlineData("22P02", false)]
    public void Transient_failures_are_told_apart_by_sql_state(string sqlState, bool transient) =>
        Assert.Equal(transient, TransientFailures.IsTransient(new PostgresException("failure", "ERROR", "ERROR", sqlState)));

    [Fact]
    public void Connection_failures_are_transient_and_programming_errors_are_not()
    {
        Assert.True(TransientFailures.IsTransient(new NpgsqlException("Exception while reading from stream", new IOException("reset"))));
        Assert.False(TransientFailures.IsTransient(new ArgumentException("bad")));
        Assert.False(TransientFailures.IsTransient(new InvalidOperationException("bad")));
    }

    [Fact]
    public void The_migration_script_quotes_identifiers_and_literals()
    {
        var options = new PgVectorIndexOptions
        {
            Schema = "Search",
            Collection = "Docs",
            Dimensions = 384,
            Metric = DistanceMetric.DotProduct,
            StorageType = PgVectorStorageType.HalfVector,
            BinaryQuantizedSearch = true,
            Fingerprint = new EmbedderFingerprint("o'brien/model", null, "mean", true, 384),
        };
        string script = PgVectorIndex.GetMigrationScript(options);
        Assert.Contains("CREATE EXTENSION IF NOT EXISTS vector;", script, StringComparison.Ordinal);
        Assert.Contains("CREATE TABLE IF NOT EXISTS \"Search\".\"Docs\" (key text PRIMARY KEY, embedding halfvec(384) NOT NULL, metadata jsonb);", script, StringComparison.Ordinal);
        Assert.Contains("USING hnsw (embedding halfvec_ip_ops) WITH (m = 16, ef_construction = 64)", script, StringComparison.Ordinal);
        Assert.Contains("USING hnsw ((binary_quantize(embedding)::bit(384)) bit_hamming_ops)", script, StringComparison.Ordinal);
        Assert.Contains("'model=o''brien/model;revision=;pooling=mean;normalized=true;dimensions=384'", script, StringComparison.Ordinal);
        Assert.StartsWith("-- ", script, StringComparison.Ordinal);
        Assert.EndsWith("COMMIT;" + Environment.NewLine, script, StringComparison.Ordinal);
    }
}
