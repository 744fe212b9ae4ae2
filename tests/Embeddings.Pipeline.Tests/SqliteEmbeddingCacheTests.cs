using System.Diagnostics;
using System.Globalization;
using Embeddings.Testing.Http;
using Embeddings.Pipeline;
using Microsoft.Data.Sqlite;

namespace Embeddings.Pipeline.Tests;

public sealed class SqliteEmbeddingCacheTests : IDisposable
{
    private const string Fingerprint = "model=m;revision=r1;pooling=mean;normalized=true;dimensions=16";
    private readonly string _folder = Directory.CreateTempSubdirectory("embeddings-sqlite-").FullName;

    private string DbPath => Path.Combine(_folder, "cache.db");

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static EmbeddingCacheKey Key(int i) => EmbeddingCacheKey.Create(Fingerprint, EmbeddingInputKind.Document, $"text {i}");

    private static float[] Vector(int i) => FakeEmbeddingServer.VectorFor($"text {i}", 16);

    private SqliteEmbeddingCache Open(EmbeddingBlobFormat format = EmbeddingBlobFormat.Float32, long maxBytes = 1L << 30) =>
        new(new SqliteEmbeddingCacheOptions { Path = DbPath, Format = format, MaxBytes = maxBytes });

    private static float[]?[] Get(SqliteEmbeddingCache cache, int count)
    {
        var results = new float[]?[count];
        cache.GetMany(Enumerable.Range(0, count).Select(Key).ToArray(), results);
        return results;
    }

    private static void Fill(SqliteEmbeddingCache cache, int count) =>
        cache.SetMany(Enumerable.Range(0, count).Select(Key).ToArray(), Enumerable.Range(0, count).Select(Vector).ToArray());

    [Fact]
    public void Float32_round_trips_exactly_and_survives_reopening()
    {
        using (SqliteEmbeddingCache cache = Open())
        {
            Fill(cache, 50);
        }

        using SqliteEmbeddingCache reopened = Open();
        float[]?[] results = Get(reopened, 50);
        Assert.Null(reopened.RebuildReason);
        Assert.Equal(50, reopened.Count);
        for (int i = 0; i < 50; i++)
        {
            Assert.Equal(Vector(i), results[i]!);
        }
    }

    [Fact]
    public void Float16_halves_the_blob_within_half_precision()
    {
        using SqliteEmbeddingCache cache = Open(EmbeddingBlobFormat.Float16);
        Fill(cache, 10);

        float[]?[] results = Get(cache, 10);

        for (int i = 0; i < 10; i++)
        {
            float[] expected = Vector(i);
            for (int d = 0; d < expected.Length; d++)
            {
                Assert.Equal((float)(Half)expected[d], results[i]![d]);
                Assert.InRange(Math.Abs(expected[d] - results[i]![d]), 0, 1e-3);
            }
        }

        using var raw = new SqliteConnection($"Data Source={DbPath};Pooling=False");
        raw.Open();
        using SqliteCommand length = raw.CreateCommand();
        length.CommandText = "SELECT DISTINCT length(vector) FROM entries";
        Assert.Equal(32L, length.ExecuteScalar());
    }

    [Fact]
    public void The_size_bound_evicts_least_recently_used_rows()
    {
        long row = (16 * sizeof(float)) + Fingerprint.Length + SqliteEmbeddingCache.RowOverheadBytes;
        using SqliteEmbeddingCache cache = Open(maxBytes: row * 10);
        Fill(cache, 5);
        Assert.NotNull(Get(cache, 1)[0]);

        // 12 rows exceed the 10-row bound: the oldest go until 90% (9 rows) remain: 1, 2 and 3, not the recently read 0.
        cache.SetMany(Enumerable.Range(5, 7).Select(Key).ToArray(), Enumerable.Range(5, 7).Select(Vector).ToArray());

        Assert.InRange(cache.Bytes, 0, row * 9);
        Assert.Equal(9, cache.Count);
        float[]?[] results = Get(cache, 12);
        Assert.Equal([false, true, true, true], results.Take(4).Select(r => r is null));
        Assert.All(results.Skip(4), r => Assert.NotNull(r));
    }

    [Fact]
    public void A_file_that_is_not_sqlite_is_refused_and_left_alone()
    {
        const string Text = "this is not a database, just text that took its place";
        File.WriteAllText(DbPath, Text);

        var ex = Assert.Throws<InvalidDataException>(() => Open());

        Assert.Contains(DbPath, ex.Message, StringComparison.Ordinal);
        Assert.Contains("not a SQLite", ex.Message, StringComparison.Ordinal);
        Assert.Equal(Text, File.ReadAllText(DbPath));
    }

    [Fact]
    public void Another_applications_sqlite_database_is_refused_and_its_data_kept()
    {
        using (var other = new SqliteConnection($"Data Source={DbPath};Pooling=False"))
        {
            other.Open();
            using SqliteCommand create = other.CreateCommand();
            create.CommandText = "CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL); INSERT INTO invoices (total) VALUES (12.5), (99.0);";
            create.ExecuteNonQuery();
        }

        var ex = Assert.Throws<InvalidDataException>(() => Open());

        Assert.Contains(DbPath, ex.Message, StringComparison.Ordinal);
        Assert.Contains("invoices", ex.Message, StringComparison.Ordinal);
        using var check = new SqliteConnection($"Data Source={DbPath};Pooling=False");
        check.Open();
        using SqliteCommand count = check.CreateCommand();
        count.CommandText = "SELECT COUNT(*) FROM invoices";
        Assert.Equal(2L, count.ExecuteScalar());
    }

    [Fact]
    public void A_database_of_another_application_id_is_refused_even_when_damaged()
    {
        using (var other = new SqliteConnection($"Data Source={DbPath};Pooling=False"))
        {
            other.Open();
            using SqliteCommand create = other.CreateCommand();
            create.CommandText = "PRAGMA application_id = 1234; CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL); CREATE TABLE filler (x BLOB);";
            create.ExecuteNonQuery();
            for (int i = 0; i < 50; i++)
            {
                using SqliteCommand insert = other.CreateCommand();
                insert.CommandText = "INSERT INTO filler VALUES (randomblob(2000))";
                insert.ExecuteNonQuery();
            }
        }

        byte[] file = File.ReadAllBytes(DbPath);
        new Random(3).NextBytes(file.AsSpan(8192));
        File.WriteAllBytes(DbPath, file);

        var ex = Assert.Throws<InvalidDataException>(() => Open());

        Assert.Contains("application id", ex.Message, StringComparison.Ordinal);
        Assert.Equal(file, File.ReadAllBytes(DbPath));
    }

    [Fact]
    public void A_folder_at_the_path_is_refused_and_left_alone()
    {
        Directory.CreateDirectory(DbPath);
        File.WriteAllText(Path.Combine(DbPath, "keep.txt"), "mine");

        var ex = Assert.Throws<InvalidDataException>(() => Open());

        Assert.Contains(DbPath, ex.Message, StringComparison.Ordinal);
        Assert.Equal("mine", File.ReadAllText(Path.Combine(DbPath, "keep.txt")));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_file_of_this_cache_with_an_older_schema_is_rebuilt(bool stamped)
    {
        // Unstamped: a file written before the application id existed, known by its meta table.
        using (var old = new SqliteConnection($"Data Source={DbPath};Pooling=False"))
        {
            old.Open();
            using SqliteCommand create = old.CreateCommand();
            create.CommandText = (stamped ? $"PRAGMA application_id = {SqliteEmbeddingCache.ApplicationId};" : string.Empty)
                + "CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL); INSERT INTO meta VALUES ('schema', 'embeddings-cache/1');"
                + "CREATE TABLE entries (key BLOB PRIMARY KEY, vector BLOB);";
            create.ExecuteNonQuery();
        }

        using SqliteEmbeddingCache cache = Open();
        Fill(cache, 3);

        Assert.Contains("embeddings-cache/1", cache.RebuildReason, StringComparison.Ordinal);
        Assert.Equal(3, cache.Count);
        Assert.Equal(Vector(2), Get(cache, 3)[2]!);
    }

    [Fact]
    public void An_unstamped_database_whose_meta_table_names_another_schema_is_refused()
    {
        using (var other = new SqliteConnection($"Data Source={DbPath};Pooling=False"))
        {
            other.Open();
            using SqliteCommand create = other.CreateCommand();
            create.CommandText = "CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL); INSERT INTO meta VALUES ('schema', 'billing/7');";
            create.ExecuteNonQuery();
        }

        byte[] before = File.ReadAllBytes(DbPath);
        var ex = Assert.Throws<InvalidDataException>(() => Open());

        Assert.Contains(DbPath, ex.Message, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(DbPath));
    }

    [Fact]
    public void The_cache_marks_its_file_with_its_application_id_and_an_empty_file_is_taken()
    {
        File.WriteAllBytes(DbPath, []);
        using (SqliteEmbeddingCache cache = Open())
        {
            Fill(cache, 2);
        }

        byte[] header = File.ReadAllBytes(DbPath)[..100];
        Assert.Equal(SqliteEmbeddingCache.ApplicationId, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(68)));
    }

    [Fact]
    public void The_byte_bound_holds_for_two_caches_writing_the_same_file()
    {
        long row = (16 * sizeof(float)) + Fingerprint.Length + SqliteEmbeddingCache.RowOverheadBytes;
        using SqliteEmbeddingCache a = Open(maxBytes: row * 10);
        using SqliteEmbeddingCache b = Open(maxBytes: row * 10);

        a.SetMany(Enumerable.Range(0, 8).Select(Key).ToArray(), Enumerable.Range(0, 8).Select(Vector).ToArray());
        b.SetMany(Enumerable.Range(8, 8).Select(Key).ToArray(), Enumerable.Range(8, 8).Select(Vector).ToArray());

        Assert.InRange(StoredBytes(), 0, row * 10);
        Assert.Equal(StoredBytes(), a.Bytes);
        Assert.Equal(StoredBytes(), b.Bytes);
        Assert.Equal(9, b.Count);
    }

    [Fact]
    public async Task The_byte_bound_holds_for_processes_writing_the_same_file_at_once()
    {
        await using FakeEmbeddingServer server = await FakeEmbeddingServer.StartAsync(dimensions: 16);
        long row = (16 * sizeof(float)) + 200 + SqliteEmbeddingCache.RowOverheadBytes;
        long bound = row * 30;

        // Four processes, each embedding 60 texts of its own in 12 calls, against a bound of about 30 rows.
        string[] outputs = await Task.WhenAll(Enumerable.Range(0, 4).Select(p => RunProbeAsync(server, count: 60, maxBytes: bound, prefix: $"process {p}", batch: 5)));

        Assert.All(outputs, o => Assert.StartsWith("vectors=60 ", o, StringComparison.Ordinal));
        Assert.InRange(StoredBytes(), 1, bound);
        using SqliteEmbeddingCache reopened = Open(maxBytes: bound);
        Assert.Equal(StoredBytes(), reopened.Bytes);
    }

    /// <summary>The bytes the rows really hold, counted by SQLite as the cache counts them.</summary>
    private long StoredBytes()
    {
        using var raw = new SqliteConnection($"Data Source={DbPath};Pooling=False");
        raw.Open();
        using SqliteCommand sum = raw.CreateCommand();
        sum.CommandText = $"SELECT COALESCE(SUM(length(vector) + length(CAST(fingerprint AS BLOB)) + {SqliteEmbeddingCache.RowOverheadBytes}), 0) FROM entries";
        return (long)sum.ExecuteScalar()!;
    }

    [Fact]
    public void Damaged_pages_are_detected_and_never_served()
    {
        using (SqliteEmbeddingCache cache = Open())
        {
            Fill(cache, 400);
        }

        // Keep the 100-byte header intact and scribble over every page after the first two.
        byte[] file = File.ReadAllBytes(DbPath);
        var random = new Random(7);
        for (int offset = 8192; offset < file.Length; offset += 4096)
        {
            random.NextBytes(file.AsSpan(offset, Math.Min(4096, file.Length - offset)));
        }

        File.WriteAllBytes(DbPath, file);
        using SqliteEmbeddingCache reopened = Open();

        Assert.NotNull(reopened.RebuildReason);
        float[]?[] results = Get(reopened, 400);
        for (int i = 0; i < results.Length; i++)
        {
            Assert.True(results[i] is null || results[i]!.SequenceEqual(Vector(i)), $"entry {i} was served corrupt");
        }
    }

    [Fact]
    public void A_blob_whose_length_disagrees_with_its_row_is_a_miss_and_is_deleted()
    {
        using SqliteEmbeddingCache cache = Open();
        Fill(cache, 3);
        using (var raw = new SqliteConnection($"Data Source={DbPath};Pooling=False"))
        {
            raw.Open();
            using SqliteCommand damage = raw.CreateCommand();
            damage.CommandText = "UPDATE entries SET vector = x'01020304050607' WHERE hash = $h";
            damage.Parameters.AddWithValue("$h", Key(1).GetHash());
            Assert.Equal(1, damage.ExecuteNonQuery());
        }

        float[]?[] results = Get(cache, 3);

        Assert.NotNull(results[0]);
        Assert.Null(results[1]);
        Assert.NotNull(results[2]);
        Assert.Equal(2, cache.Count);
    }

    [Fact]
    public async Task The_cache_serves_a_second_process_after_the_first_exits()
    {
        await using FakeEmbeddingServer server = await FakeEmbeddingServer.StartAsync(dimensions: 16);

        string first = await RunProbeAsync(server, count: 40);
        int requestsAfterFirst = server.RequestCount;
        string second = await RunProbeAsync(server, count: 40);

        Assert.Equal(1, requestsAfterFirst);
        Assert.Equal(requestsAfterFirst, server.RequestCount);
        Assert.StartsWith("vectors=40 ", first, StringComparison.Ordinal);
        Assert.Equal(first, second);
        double expected = Enumerable.Range(0, 40).Sum(i => FakeEmbeddingServer.VectorFor($"document {i}", 16).Sum(v => (double)v));
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"sum={expected:R} "), first, StringComparison.Ordinal);
        Assert.EndsWith("rebuilt=False", second, StringComparison.Ordinal);
    }

    private async Task<string> RunProbeAsync(FakeEmbeddingServer server, int count, long maxBytes = 1L << 30, string prefix = "document", int batch = 0)
    {
        string probe = Path.Combine(AppContext.BaseDirectory, "Embeddings.Http.CacheProbe.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in new[]
        {
            probe, DbPath, server.OpenAIEndpoint.ToString(), "16", count.ToString(CultureInfo.InvariantCulture),
            maxBytes.ToString(CultureInfo.InvariantCulture), prefix, (batch == 0 ? count : batch).ToString(CultureInfo.InvariantCulture),
        })
        {
            start.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"probe exited {process.ExitCode}: {await errors}");
        return (await output).Trim();
    }
}
