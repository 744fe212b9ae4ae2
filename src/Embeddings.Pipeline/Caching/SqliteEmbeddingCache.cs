using System.Runtime.InteropServices;
using System.Numerics.Tensors;
using Microsoft.Data.Sqlite;

namespace Embeddings.Pipeline;

/// <summary>
/// A persistent vector store in one SQLite file, keyed like the in-memory cache, surviving restarts and shared by
/// processes, at once or in turn. It is bounded in bytes with least-recently-used eviction. Corrupt data is never served: a
/// row whose blob length disagrees with its dimensions is deleted and reported as a miss.
/// </summary>
/// <remarks>
/// <para>
/// <b>Ownership.</b> The cache stamps its file with <c>PRAGMA application_id</c> = <see cref="ApplicationId"/>. It deletes
/// and rebuilds only a file it can prove is its own: one carrying that id (or, written by an earlier version, a <c>meta</c>
/// table whose schema is <c>embeddings-cache/…</c>) that fails <c>PRAGMA quick_check</c>, has an older schema or reports
/// corruption later. Any other file at the path (not SQLite, another application id, tables of another application, or
/// damaged beyond telling) is refused with an <see cref="InvalidDataException"/> naming it, and left untouched. An empty
/// file or an empty SQLite database is taken.
/// </para>
/// <para>
/// <b>The byte bound across processes.</b> The byte count and the recency clock live in the file and are read and written
/// in the same write transaction (<c>BEGIN IMMEDIATE</c>) as the rows they count, so every committed write leaves the file
/// at or under <see cref="SqliteEmbeddingCacheOptions.MaxBytes"/> whichever process made it, provided every process uses
/// the same bound (each evicts down to 90% of its own). Writers queue on SQLite's lock for up to 5 seconds.
/// </para>
/// </remarks>
public sealed class SqliteEmbeddingCache : IEmbeddingCacheStore, IDisposable
{
    /// <summary>The bytes counted per row beyond the vector blob (key columns, fingerprint text and b-tree overhead): 160.</summary>
    public const int RowOverheadBytes = 160;

    /// <summary>The <c>PRAGMA application_id</c> the cache stamps on its file: 0x456D4243 (<c>EmBC</c>).</summary>
    public const int ApplicationId = 0x456D4243;

    private const string SchemaFamily = "embeddings-cache/";
    private const string SchemaVersion = "embeddings-cache/2";
    private static readonly string RowBytes = $"length(vector) + length(CAST(fingerprint AS BLOB)) + {RowOverheadBytes}";
    private static readonly byte[] SqliteHeader = "SQLite format 3\0"u8.ToArray();

    private readonly Lock _gate = new();
    private readonly string _path;
    private readonly EmbeddingBlobFormat _format;
    private readonly long _maxBytes;
    private readonly EmbeddingPipelineMetrics _metrics;
    private SqliteConnection _connection = null!;
    private bool _disposed;

    /// <summary>Opens or creates the cache.</summary>
    /// <param name="options">The settings; <see cref="SqliteEmbeddingCacheOptions.Path"/> is required.</param>
    /// <param name="metrics">The counter rebuilds go to; <see langword="null"/> for <see cref="EmbeddingPipelineMetrics.Shared"/>.</param>
    /// <exception cref="InvalidDataException">A file at the path is not this cache's (the message says why); it is left untouched.</exception>
    public SqliteEmbeddingCache(SqliteEmbeddingCacheOptions options, EmbeddingPipelineMetrics? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Path, "options.Path");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxBytes, "options.MaxBytes");
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("SqliteEmbeddingCache stores little-endian blobs and needs a little-endian machine.");
        }

        _path = System.IO.Path.GetFullPath(options.Path);
        _format = options.Format;
        _maxBytes = options.MaxBytes;
        _metrics = metrics ?? EmbeddingPipelineMetrics.Shared;
        string? folder = System.IO.Path.GetDirectoryName(_path);
        if (!string.IsNullOrEmpty(folder))
        {
            Directory.CreateDirectory(folder);
        }

        lock (_gate)
        {
            string? problem = Open();
            if (problem is not null)
            {
                Rebuild(problem);
            }
        }
    }

    /// <inheritdoc />
    public string Name => "sqlite";

    /// <summary>Gets the database file.</summary>
    public string Path => _path;

    /// <summary>Gets why the file was last discarded and rebuilt (at open or later), or <see langword="null"/> when it never was.</summary>
    public string? RebuildReason { get; private set; }

    /// <summary>Gets the number of vectors stored.</summary>
    public long Count
    {
        get
        {
            lock (_gate)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                using SqliteCommand command = _connection.CreateCommand();
                command.CommandText = "SELECT COUNT(*) FROM entries";
                return (long)command.ExecuteScalar()!;
            }
        }
    }

    /// <summary>Gets the bytes counted against <see cref="SqliteEmbeddingCacheOptions.MaxBytes"/>, by every process sharing the file.</summary>
    public long Bytes
    {
        get
        {
            lock (_gate)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                return ReadCounter("bytes", null);
            }
        }
    }

    /// <inheritdoc />
    public void GetMany(IReadOnlyList<EmbeddingCacheKey> keys, float[]?[] results)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(results);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            try
            {
                GetManyCore(keys, results);
            }
            catch (SqliteException ex) when (IsCorruption(ex))
            {
                Rebuild($"SQLite reported corruption while reading: {ex.Message}");
                Array.Clear(results);
            }
        }
    }

    /// <inheritdoc />
    public void SetMany(IReadOnlyList<EmbeddingCacheKey> keys, IReadOnlyList<float[]> vectors)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(vectors);
        if (keys.Count != vectors.Count)
        {
            throw new ArgumentException($"{keys.Count} keys but {vectors.Count} vectors.", nameof(vectors));
        }

        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            try
            {
                SetManyCore(keys, vectors);
            }
            catch (SqliteException ex) when (IsCorruption(ex))
            {
                Rebuild($"SQLite reported corruption while writing: {ex.Message}");
                SetManyCore(keys, vectors);
            }
        }
    }

    /// <summary>Closes the file.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _connection.Dispose();
        }
    }

    private void GetManyCore(IReadOnlyList<EmbeddingCacheKey> keys, float[]?[] results)
    {
        // BEGIN IMMEDIATE: a deferred read that later writes (recency, damaged rows) could fail with SQLITE_BUSY
        // instead of waiting when another process wrote in between.
        using SqliteTransaction transaction = _connection.BeginTransaction(deferred: false);
        using SqliteCommand select = _connection.CreateCommand();
        select.Transaction = transaction;
        select.CommandText = "SELECT dims, format, vector FROM entries WHERE fingerprint = $f AND kind = $k AND hash = $h";
        SqliteParameter fingerprint = select.Parameters.Add("$f", SqliteType.Text);
        SqliteParameter kind = select.Parameters.Add("$k", SqliteType.Integer);
        SqliteParameter hash = select.Parameters.Add("$h", SqliteType.Blob);

        using SqliteCommand touch = _connection.CreateCommand();
        touch.Transaction = transaction;
        touch.CommandText = "UPDATE entries SET used = $u WHERE fingerprint = $f AND kind = $k AND hash = $h";
        SqliteParameter touchUsed = touch.Parameters.Add("$u", SqliteType.Integer);
        SqliteParameter touchFingerprint = touch.Parameters.Add("$f", SqliteType.Text);
        SqliteParameter touchKind = touch.Parameters.Add("$k", SqliteType.Integer);
        SqliteParameter touchHash = touch.Parameters.Add("$h", SqliteType.Blob);

        long clock = ReadCounter("clock", transaction);
        var damaged = new List<EmbeddingCacheKey>();
        for (int i = 0; i < keys.Count; i++)
        {
            results[i] = null;
            byte[] keyHash = keys[i].GetHash();
            fingerprint.Value = keys[i].Fingerprint;
            kind.Value = (int)keys[i].Kind;
            hash.Value = keyHash;
            using (SqliteDataReader reader = select.ExecuteReader())
            {
                if (!reader.Read())
                {
                    continue;
                }

                long dims = reader.GetInt64(0);
                long format = reader.GetInt64(1);
                byte[] blob = (byte[])reader.GetValue(2);
                results[i] = Decode(dims, format, blob);
                if (results[i] is null)
                {
                    damaged.Add(keys[i]);
                    continue;
                }
            }

            touchUsed.Value = ++clock;
            touchFingerprint.Value = keys[i].Fingerprint;
            touchKind.Value = (int)keys[i].Kind;
            touchHash.Value = keyHash;
            touch.ExecuteNonQuery();
        }

        long bytes = ReadCounter("bytes", transaction);
        foreach (EmbeddingCacheKey key in damaged)
        {
            bytes -= Delete(key, transaction);
        }

        WriteCounter("clock", clock, transaction);
        WriteCounter("bytes", bytes, transaction);
        transaction.Commit();
    }

    private void SetManyCore(IReadOnlyList<EmbeddingCacheKey> keys, IReadOnlyList<float[]> vectors)
    {
        // BEGIN IMMEDIATE takes the write lock before the counters are read, so no other process can change them meanwhile.
        using SqliteTransaction transaction = _connection.BeginTransaction(deferred: false);
        using SqliteCommand upsert = _connection.CreateCommand();
        upsert.Transaction = transaction;
        upsert.CommandText = """
            INSERT OR REPLACE INTO entries (fingerprint, kind, hash, dims, format, vector, used) VALUES ($f, $k, $h, $d, $fmt, $v, $u)
            """;
        SqliteParameter fingerprint = upsert.Parameters.Add("$f", SqliteType.Text);
        SqliteParameter kind = upsert.Parameters.Add("$k", SqliteType.Integer);
        SqliteParameter hash = upsert.Parameters.Add("$h", SqliteType.Blob);
        SqliteParameter dims = upsert.Parameters.Add("$d", SqliteType.Integer);
        SqliteParameter format = upsert.Parameters.Add("$fmt", SqliteType.Integer);
        SqliteParameter vector = upsert.Parameters.Add("$v", SqliteType.Blob);
        SqliteParameter used = upsert.Parameters.Add("$u", SqliteType.Integer);

        using SqliteCommand existing = _connection.CreateCommand();
        existing.Transaction = transaction;
        existing.CommandText = $"SELECT {RowBytes} FROM entries WHERE fingerprint = $f AND kind = $k AND hash = $h";
        SqliteParameter existingFingerprint = existing.Parameters.Add("$f", SqliteType.Text);
        SqliteParameter existingKind = existing.Parameters.Add("$k", SqliteType.Integer);
        SqliteParameter existingHash = existing.Parameters.Add("$h", SqliteType.Blob);
        long bytes = ReadCounter("bytes", transaction);
        long clock = ReadCounter("clock", transaction);
        for (int i = 0; i < keys.Count; i++)
        {
            ArgumentNullException.ThrowIfNull(vectors[i]);
            ArgumentOutOfRangeException.ThrowIfZero(vectors[i].Length, "vectors[i].Length");
            byte[] blob = Encode(vectors[i]);
            byte[] keyHash = keys[i].GetHash();
            existingFingerprint.Value = keys[i].Fingerprint;
            existingKind.Value = (int)keys[i].Kind;
            existingHash.Value = keyHash;
            if (existing.ExecuteScalar() is long replaced)
            {
                bytes -= replaced;
            }

            fingerprint.Value = keys[i].Fingerprint;
            kind.Value = (int)keys[i].Kind;
            hash.Value = keyHash;
            dims.Value = vectors[i].Length;
            format.Value = (int)_format;
            vector.Value = blob;
            used.Value = ++clock;
            upsert.ExecuteNonQuery();
            bytes += blob.Length + System.Text.Encoding.UTF8.GetByteCount(keys[i].Fingerprint) + RowOverheadBytes;
        }

        // Counted and evicted in the transaction that wrote the rows, so another process's writes are always included.
        if (bytes > _maxBytes)
        {
            bytes = Evict(bytes, _maxBytes / 10 * 9, transaction);
        }

        WriteCounter("bytes", bytes, transaction);
        WriteCounter("clock", clock, transaction);
        transaction.Commit();
    }

    private long Evict(long bytes, long target, SqliteTransaction transaction)
    {
        while (bytes > target)
        {
            var victims = new List<(string Fingerprint, long Kind, byte[] Hash, long Size)>();
            using (SqliteCommand oldest = _connection.CreateCommand())
            {
                oldest.Transaction = transaction;
                oldest.CommandText = $"SELECT fingerprint, kind, hash, {RowBytes} FROM entries ORDER BY used LIMIT 256";
                using SqliteDataReader reader = oldest.ExecuteReader();
                while (reader.Read())
                {
                    victims.Add((reader.GetString(0), reader.GetInt64(1), (byte[])reader.GetValue(2), reader.GetInt64(3)));
                }
            }

            if (victims.Count == 0)
            {
                break;
            }

            using SqliteCommand delete = _connection.CreateCommand();
            delete.Transaction = transaction;
            delete.CommandText = "DELETE FROM entries WHERE fingerprint = $f AND kind = $k AND hash = $h";
            SqliteParameter f = delete.Parameters.Add("$f", SqliteType.Text);
            SqliteParameter k = delete.Parameters.Add("$k", SqliteType.Integer);
            SqliteParameter h = delete.Parameters.Add("$h", SqliteType.Blob);
            foreach (var victim in victims)
            {
                if (bytes <= target)
                {
                    break;
                }

                f.Value = victim.Fingerprint;
                k.Value = victim.Kind;
                h.Value = victim.Hash;
                delete.ExecuteNonQuery();
                bytes -= victim.Size;
            }
        }

        return bytes;
    }

    /// <summary>Deletes one row and returns the bytes it was counted for (0 when it was not there).</summary>
    private long Delete(EmbeddingCacheKey key, SqliteTransaction transaction)
    {
        using SqliteCommand delete = _connection.CreateCommand();
        delete.Transaction = transaction;
        delete.CommandText = $"DELETE FROM entries WHERE fingerprint = $f AND kind = $k AND hash = $h RETURNING {RowBytes}";
        delete.Parameters.AddWithValue("$f", key.Fingerprint);
        delete.Parameters.AddWithValue("$k", (int)key.Kind);
        delete.Parameters.AddWithValue("$h", key.GetHash());
        return delete.ExecuteScalar() is long size ? size : 0;
    }

    private long ReadCounter(string name, SqliteTransaction? transaction)
    {
        using SqliteCommand read = _connection.CreateCommand();
        read.Transaction = transaction;
        read.CommandText = "SELECT value FROM counters WHERE name = $n";
        read.Parameters.AddWithValue("$n", name);
        return read.ExecuteScalar() is long value ? value : 0;
    }

    private void WriteCounter(string name, long value, SqliteTransaction transaction)
    {
        using SqliteCommand write = _connection.CreateCommand();
        write.Transaction = transaction;
        write.CommandText = "INSERT OR REPLACE INTO counters (name, value) VALUES ($n, $v)";
        write.Parameters.AddWithValue("$n", name);
        write.Parameters.AddWithValue("$v", value);
        write.ExecuteNonQuery();
    }

    private byte[] Encode(float[] vector)
    {
        if (_format == EmbeddingBlobFormat.Float16)
        {
            var halves = new Half[vector.Length];
            TensorPrimitives.ConvertToHalf(vector, halves);
            return MemoryMarshal.AsBytes(halves.AsSpan()).ToArray();
        }

        return MemoryMarshal.AsBytes(vector.AsSpan()).ToArray();
    }

    /// <summary>Decodes a blob, or returns <see langword="null"/> when its length or format disagrees with the row.</summary>
    private static float[]? Decode(long dims, long format, byte[] blob)
    {
        if (dims <= 0 || dims > int.MaxValue / sizeof(float))
        {
            return null;
        }

        var vector = new float[dims];
        switch ((EmbeddingBlobFormat)format)
        {
            case EmbeddingBlobFormat.Float32 when blob.Length == dims * sizeof(float):
                MemoryMarshal.Cast<byte, float>(blob).CopyTo(vector);
                break;
            case EmbeddingBlobFormat.Float16 when blob.Length == dims * 2:
                TensorPrimitives.ConvertToSingle(MemoryMarshal.Cast<byte, Half>(blob), vector);
                break;
            default:
                return null;
        }

        foreach (float value in vector)
        {
            if (!float.IsFinite(value))
            {
                return null;
            }
        }

        return vector;
    }

    /// <summary>
    /// Opens the file and checks it; returns what is wrong with a file of this cache (to be rebuilt), or <see langword="null"/>
    /// when it is intact. A file that is not provably this cache's throws <see cref="InvalidDataException"/> instead.
    /// </summary>
    private string? Open()
    {
        bool stamped = false;
        if (File.Exists(_path) && new FileInfo(_path).Length > 0)
        {
            Span<byte> header = stackalloc byte[100];
            int read;
            using (FileStream stream = File.OpenRead(_path))
            {
                read = stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
            }

            if (read < SqliteHeader.Length || !header[..SqliteHeader.Length].SequenceEqual(SqliteHeader))
            {
                throw Foreign("it is not a SQLite database (it does not start with the SQLite header)");
            }

            if (read < 72)
            {
                throw Foreign($"its SQLite header is cut short at {read} bytes, before the application id");
            }

            int applicationId = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(header[68..]);
            if (applicationId != 0 && applicationId != ApplicationId)
            {
                throw Foreign($"it is the SQLite database of another application (application id {applicationId}, not {ApplicationId})");
            }

            stamped = applicationId == ApplicationId;
        }

        var builder = new SqliteConnectionStringBuilder { DataSource = _path, Pooling = false, Mode = SqliteOpenMode.ReadWriteCreate };
        _connection = new SqliteConnection(builder.ToString());
        try
        {
            _connection.Open();
            Execute("PRAGMA busy_timeout = 5000");
            string check = Scalar("PRAGMA quick_check")?.ToString() ?? "no answer";
            if (!string.Equals(check, "ok", StringComparison.Ordinal))
            {
                return stamped
                    ? $"PRAGMA quick_check failed: {check}"
                    : throw Foreign($"it fails PRAGMA quick_check ({check}) and carries no application id, so it cannot be told from another application's damaged database");
            }

            if (!stamped)
            {
                // Application id 0: a new database, or a cache written before the id was stamped (known by its meta table).
                CheckUnstampedIsOurs();
            }

            Execute($"PRAGMA application_id = {ApplicationId}");
            Execute("PRAGMA journal_mode = WAL");
            Execute("PRAGMA synchronous = NORMAL");
            Execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)");
            Execute($"INSERT OR IGNORE INTO meta (name, value) VALUES ('schema', '{SchemaVersion}')");
            string? schema = Scalar("SELECT value FROM meta WHERE name = 'schema'")?.ToString();
            if (!string.Equals(schema, SchemaVersion, StringComparison.Ordinal))
            {
                return $"unknown schema '{schema}' (expected '{SchemaVersion}')";
            }

            Execute("""
                CREATE TABLE IF NOT EXISTS entries (
                    fingerprint TEXT NOT NULL, kind INTEGER NOT NULL, hash BLOB NOT NULL,
                    dims INTEGER NOT NULL, format INTEGER NOT NULL, vector BLOB NOT NULL, used INTEGER NOT NULL,
                    PRIMARY KEY (fingerprint, kind, hash)) WITHOUT ROWID
                """);
            Execute("CREATE INDEX IF NOT EXISTS entries_used ON entries (used)");
            Execute("CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL)");
            Execute($"""
                INSERT OR IGNORE INTO counters (name, value) VALUES
                    ('bytes', (SELECT COALESCE(SUM({RowBytes}), 0) FROM entries)),
                    ('clock', (SELECT COALESCE(MAX(used), 0) FROM entries))
                """);
            return null;
        }
        catch (SqliteException ex)
        {
            if (stamped)
            {
                return $"SQLite could not read it: {ex.Message}";
            }

            _connection.Dispose();
            throw Foreign($"SQLite could not read it ({ex.Message}) and it carries no application id", ex);
        }
        catch (InvalidDataException)
        {
            _connection.Dispose();
            throw;
        }
    }

    private void CheckUnstampedIsOurs()
    {
        var tables = new List<string>();
        using (SqliteCommand list = _connection.CreateCommand())
        {
            list.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name";
            using SqliteDataReader reader = list.ExecuteReader();
            while (reader.Read())
            {
                tables.Add(reader.GetString(0));
            }
        }

        if (tables.Count == 0)
        {
            return;
        }

        string? schema = null;
        if (tables.Contains("meta"))
        {
            try
            {
                schema = Scalar("SELECT value FROM meta WHERE name = 'schema'")?.ToString();
            }
            catch (SqliteException)
            {
                // A meta table of another shape: not ours.
            }
        }

        if (schema is null || !schema.StartsWith(SchemaFamily, StringComparison.Ordinal))
        {
            throw Foreign($"it is a SQLite database with tables of another application ({string.Join(", ", tables)})");
        }
    }

    private InvalidDataException Foreign(string why, Exception? inner = null) =>
        new($"'{_path}' is not an embedding cache: {why}. SqliteEmbeddingCache never deletes or overwrites a file it cannot prove is its own (PRAGMA application_id {ApplicationId}, or a meta table with schema '{SchemaFamily}...'); choose another path, or delete the file yourself.", inner);

    private void Rebuild(string reason)
    {
        _connection?.Dispose();
        foreach (string file in new[] { _path, _path + "-wal", _path + "-shm", _path + "-journal" })
        {
            File.Delete(file);
        }

        RebuildReason = reason;
        _metrics.Rebuild(Name);
        string? problem = Open();
        if (problem is not null)
        {
            throw new InvalidOperationException($"The embedding cache '{_path}' was corrupt ({reason}) and could not be rebuilt: {problem}.");
        }
    }

    private void Execute(string sql)
    {
        using SqliteCommand command = _connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private object? Scalar(string sql)
    {
        using SqliteCommand command = _connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    private static bool IsCorruption(SqliteException ex) => ex.SqliteErrorCode is 11 or 26;
}
