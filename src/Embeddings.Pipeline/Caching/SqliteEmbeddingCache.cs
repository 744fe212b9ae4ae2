using System.Runtime.InteropServices;
using System.Numerics.Tensors;
using Microsoft.Data.Sqlite;

namespace Embeddings.Pipeline;

/// <summary>
/// A persistent vector store in one SQLite file, keyed like the in-memory cache, surviving restarts and shared by
/// processes in turn. It is bounded in bytes with least-recently-used eviction. A file that is not an intact cache (wrong
/// header, failed <c>PRAGMA quick_check</c>, unknown schema, corruption met later) is deleted and rebuilt empty; a row whose
/// blob length disagrees with its dimensions is deleted and reported as a miss. Corrupt data is never served.
/// </summary>
public sealed class SqliteEmbeddingCache : IEmbeddingCacheStore, IDisposable
{
    /// <summary>The bytes counted per row beyond the vector blob (key columns, fingerprint text and b-tree overhead): 160.</summary>
    public const int RowOverheadBytes = 160;

    private const string SchemaVersion = "embeddings-cache/1";
    private static readonly byte[] SqliteHeader = "SQLite format 3\0"u8.ToArray();

    private readonly Lock _gate = new();
    private readonly string _path;
    private readonly EmbeddingBlobFormat _format;
    private readonly long _maxBytes;
    private readonly EmbeddingPipelineMetrics _metrics;
    private SqliteConnection _connection = null!;
    private long _bytes;
    private long _clock;
    private bool _disposed;

    /// <summary>Opens or creates the cache.</summary>
    /// <param name="options">The settings; <see cref="SqliteEmbeddingCacheOptions.Path"/> is required.</param>
    /// <param name="metrics">The counter rebuilds go to; <see langword="null"/> for <see cref="EmbeddingPipelineMetrics.Shared"/>.</param>
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

    /// <summary>Gets the bytes counted against <see cref="SqliteEmbeddingCacheOptions.MaxBytes"/>.</summary>
    public long Bytes
    {
        get
        {
            lock (_gate)
            {
                return _bytes;
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
        using SqliteTransaction transaction = _connection.BeginTransaction();
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

            touchUsed.Value = ++_clock;
            touchFingerprint.Value = keys[i].Fingerprint;
            touchKind.Value = (int)keys[i].Kind;
            touchHash.Value = keyHash;
            touch.ExecuteNonQuery();
        }

        foreach (EmbeddingCacheKey key in damaged)
        {
            Delete(key, transaction);
        }

        transaction.Commit();
    }

    private void SetManyCore(IReadOnlyList<EmbeddingCacheKey> keys, IReadOnlyList<float[]> vectors)
    {
        using SqliteTransaction transaction = _connection.BeginTransaction();
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
        existing.CommandText = $"SELECT length(vector) + length(fingerprint) + {RowOverheadBytes} FROM entries WHERE fingerprint = $f AND kind = $k AND hash = $h";
        SqliteParameter existingFingerprint = existing.Parameters.Add("$f", SqliteType.Text);
        SqliteParameter existingKind = existing.Parameters.Add("$k", SqliteType.Integer);
        SqliteParameter existingHash = existing.Parameters.Add("$h", SqliteType.Blob);
        long delta = 0;
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
                delta -= replaced;
            }

            fingerprint.Value = keys[i].Fingerprint;
            kind.Value = (int)keys[i].Kind;
            hash.Value = keyHash;
            dims.Value = vectors[i].Length;
            format.Value = (int)_format;
            vector.Value = blob;
            used.Value = ++_clock;
            upsert.ExecuteNonQuery();
            delta += blob.Length + System.Text.Encoding.UTF8.GetByteCount(keys[i].Fingerprint) + RowOverheadBytes;
        }

        transaction.Commit();
        _bytes += delta;
        if (_bytes > _maxBytes)
        {
            Evict(_maxBytes / 10 * 9);
        }
    }

    private void Evict(long target)
    {
        using SqliteTransaction transaction = _connection.BeginTransaction();
        while (_bytes > target)
        {
            var victims = new List<(string Fingerprint, long Kind, byte[] Hash, long Size)>();
            using (SqliteCommand oldest = _connection.CreateCommand())
            {
                oldest.Transaction = transaction;
                oldest.CommandText = $"SELECT fingerprint, kind, hash, length(vector) + length(fingerprint) + {RowOverheadBytes} FROM entries ORDER BY used LIMIT 256";
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
                if (_bytes <= target)
                {
                    break;
                }

                f.Value = victim.Fingerprint;
                k.Value = victim.Kind;
                h.Value = victim.Hash;
                delete.ExecuteNonQuery();
                _bytes -= victim.Size;
            }
        }

        transaction.Commit();
    }

    private void Delete(EmbeddingCacheKey key, SqliteTransaction transaction)
    {
        using SqliteCommand delete = _connection.CreateCommand();
        delete.Transaction = transaction;
        delete.CommandText = "DELETE FROM entries WHERE fingerprint = $f AND kind = $k AND hash = $h";
        delete.Parameters.AddWithValue("$f", key.Fingerprint);
        delete.Parameters.AddWithValue("$k", (int)key.Kind);
        delete.Parameters.AddWithValue("$h", key.GetHash());
        delete.ExecuteNonQuery();
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

    /// <summary>Opens the file and checks it; returns what is wrong, or <see langword="null"/> when it is an intact cache.</summary>
    private string? Open()
    {
        if (File.Exists(_path) && new FileInfo(_path).Length > 0)
        {
            Span<byte> header = stackalloc byte[16];
            using (FileStream stream = File.OpenRead(_path))
            {
                if (stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false) < header.Length || !header.SequenceEqual(SqliteHeader))
                {
                    return "the file does not start with the SQLite header";
                }
            }
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
                return $"PRAGMA quick_check failed: {check}";
            }

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
            _clock = Scalar("SELECT COALESCE(MAX(used), 0) FROM entries") is long clock ? clock : 0;
            _bytes = MeasureBytes();
            return null;
        }
        catch (SqliteException ex)
        {
            return $"SQLite could not read it: {ex.Message}";
        }
    }

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

    private long MeasureBytes() =>
        Scalar($"SELECT COALESCE(SUM(length(vector) + length(fingerprint) + {RowOverheadBytes}), 0) FROM entries") is long bytes ? bytes : 0;

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
