using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Text;

namespace Embeddings.Indexing.Internal;

/// <summary>
/// Writes the versioned index file: magic, format version, kind, then the index's own sections, then a footer
/// (payload length, CRC-32C of everything before it, end magic). <see cref="Commit"/> flushes to a temporary file
/// beside the target and renames it over the target, so an interrupted save never damages the previous file.
/// </summary>
internal sealed class IndexFileWriter : IDisposable
{
    public const ulong Magic = 0x3158444956424D45; // "EMBVIDX1" little-endian
    public const uint EndMagic = 0x45444E45; // "ENDE"
    public const int FormatVersion = 1;
    public const int FooterLength = 16;

    private readonly Stream _stream;
    private readonly string? _targetPath;
    private readonly string? _tempPath;
    private readonly byte[] _buffer = new byte[1 << 16];
    private int _position;
    private long _length;
    private uint _crc;
    private bool _committed;

    private IndexFileWriter(Stream stream, string? targetPath, string? tempPath, IndexKind kind)
    {
        _stream = stream;
        _targetPath = targetPath;
        _tempPath = tempPath;
        WriteUInt64(Magic);
        WriteInt32(FormatVersion);
        WriteInt32((int)kind);
    }

    [ThreadStatic]
    private static Action<long>? t_flushObserver;

    /// <summary>Test hook, per thread: called with the byte count after each flush to the file, so a test can interrupt a save midway.</summary>
    internal static Action<long>? FlushObserverForTesting
    {
        get => t_flushObserver;
        set => t_flushObserver = value;
    }

    public static IndexFileWriter Create(string path, IndexKind kind)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string full = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(full) ?? throw new ArgumentException($"'{path}' has no directory.", nameof(path));
        Directory.CreateDirectory(directory);
        DeleteStaleTemporaryFiles(full);
        string temp = Path.Combine(directory, TemporaryPrefix(full) + $"{Guid.NewGuid():N}.tmp");
        var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.None);
        return new IndexFileWriter(stream, full, temp, kind);
    }

    public static IndexFileWriter Create(Stream destination, IndexKind kind)
    {
        ArgumentNullException.ThrowIfNull(destination);
        if (!destination.CanWrite)
        {
            throw new ArgumentException("The destination stream is not writable.", nameof(destination));
        }

        return new IndexFileWriter(destination, null, null, kind);
    }

    public void WriteInt32(int value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, value);
        WriteBytes(bytes);
    }

    public void WriteUInt64(ulong value)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, value);
        WriteBytes(bytes);
    }

    public void WriteInt64(long value) => WriteUInt64((ulong)value);

    public void WriteDouble(double value) => WriteUInt64((ulong)BitConverter.DoubleToInt64Bits(value));

    public void WriteByte(byte value) => WriteBytes([value]);

    public void WriteString(string? value)
    {
        if (value is null)
        {
            WriteInt32(-1);
            return;
        }

        byte[] bytes;
        try
        {
            bytes = Utf16Text.StrictUtf8.GetBytes(value);
        }
        catch (EncoderFallbackException e)
        {
            // Records are checked on the way in, so this is a bug elsewhere; never write U+FFFD in their place.
            throw new ArgumentException($"The string \"{Utf16Text.Escape(value)}\" holds a lone UTF-16 surrogate and cannot be saved.", nameof(value), e);
        }

        WriteInt32(bytes.Length);
        WriteBytes(bytes);
    }

    public void WriteSingles(ReadOnlySpan<float> values) => WriteBytes(MemoryMarshal.AsBytes(values));

    public void WriteInt32s(ReadOnlySpan<int> values) => WriteBytes(MemoryMarshal.AsBytes(values));

    public void WriteHalves(ReadOnlySpan<Half> values) => WriteBytes(MemoryMarshal.AsBytes(values));

    public void WriteMetadata(IReadOnlyDictionary<string, object?>? metadata)
    {
        if (metadata is null)
        {
            WriteInt32(0);
            return;
        }

        WriteInt32(metadata.Count);
        foreach (KeyValuePair<string, object?> pair in metadata)
        {
            WriteString(pair.Key);
            switch (pair.Value)
            {
                case null:
                    WriteByte(0);
                    break;
                case string s:
                    WriteByte(1);
                    WriteString(s);
                    break;
                case long l:
                    WriteByte(2);
                    WriteInt64(l);
                    break;
                case double d:
                    WriteByte(3);
                    WriteDouble(d);
                    break;
                case bool b:
                    WriteByte(4);
                    WriteByte(b ? (byte)1 : (byte)0);
                    break;
                default:
                    throw new InvalidOperationException($"Metadata value of type {pair.Value.GetType().Name} cannot be saved.");
            }
        }
    }

    public void WriteBytes(ReadOnlySpan<byte> bytes)
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("Index files are little-endian; big-endian platforms are not supported.");
        }

        while (!bytes.IsEmpty)
        {
            int n = Math.Min(bytes.Length, _buffer.Length - _position);
            bytes[..n].CopyTo(_buffer.AsSpan(_position));
            _position += n;
            bytes = bytes[n..];
            if (_position == _buffer.Length)
            {
                Flush();
            }
        }
    }

    /// <summary>Writes the footer, syncs to disk, and (for a path) renames the temporary file over the target.</summary>
    public void Commit()
    {
        Flush();
        Span<byte> footer = stackalloc byte[FooterLength];
        BinaryPrimitives.WriteInt64LittleEndian(footer, _length);
        BinaryPrimitives.WriteUInt32LittleEndian(footer[8..], _crc);
        BinaryPrimitives.WriteUInt32LittleEndian(footer[12..], EndMagic);
        _stream.Write(footer);
        if (_stream is FileStream file)
        {
            file.Flush(flushToDisk: true);
        }
        else
        {
            _stream.Flush();
        }

        if (_targetPath is not null)
        {
            _stream.Dispose();
            File.Move(_tempPath!, _targetPath, overwrite: true);
        }

        _committed = true;
    }

    public void Dispose()
    {
        if (_targetPath is not null)
        {
            _stream.Dispose();
            if (!_committed && File.Exists(_tempPath))
            {
                File.Delete(_tempPath);
            }
        }
    }

    /// <summary>
    /// Deletes temporary files that a killed save of <paramref name="fullPath"/> left behind: same name pattern, and
    /// not held open by a save in progress (a live writer holds its file with <see cref="FileShare.None"/>, so opening
    /// it fails). Best effort: a file that cannot be opened or deleted is left for the next save or load.
    /// </summary>
    internal static int DeleteStaleTemporaryFiles(string fullPath)
    {
        string? directory = Path.GetDirectoryName(fullPath);
        if (directory is null || !Directory.Exists(directory))
        {
            return 0;
        }

        string prefix = TemporaryPrefix(fullPath);
        int deleted = 0;
        foreach (string candidate in Directory.EnumerateFiles(directory, prefix + "*.tmp"))
        {
            string name = Path.GetFileName(candidate);
            ReadOnlySpan<char> guid = name.AsSpan(prefix.Length, name.Length - prefix.Length - ".tmp".Length);
            if (guid.Length != 32 || !Guid.TryParseExact(guid, "N", out _))
            {
                continue;
            }

            try
            {
                using var stale = new FileStream(candidate, FileMode.Open, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
                deleted++;
            }
            catch (IOException)
            {
                // Held by a save in progress, or already gone.
            }
            catch (UnauthorizedAccessException)
            {
                // Not ours to delete.
            }
        }

        return deleted;
    }

    private static string TemporaryPrefix(string fullPath) => $".{Path.GetFileName(fullPath)}.";

    internal static uint Crc32C(uint crc, ReadOnlySpan<byte> bytes)
    {
        ReadOnlySpan<ulong> words = MemoryMarshal.Cast<byte, ulong>(bytes);
        foreach (ulong word in words)
        {
            crc = BitOperations.Crc32C(crc, word);
        }

        for (int i = words.Length * 8; i < bytes.Length; i++)
        {
            crc = BitOperations.Crc32C(crc, bytes[i]);
        }

        return crc;
    }

    private void Flush()
    {
        if (_position == 0)
        {
            return;
        }

        ReadOnlySpan<byte> chunk = _buffer.AsSpan(0, _position);
        _crc = Crc32C(_crc, chunk);
        _stream.Write(chunk);
        _length += _position;
        _position = 0;
        FlushObserverForTesting?.Invoke(_length);
    }
}

/// <summary>What an index file holds.</summary>
internal enum IndexKind
{
    Flat = 1,
    Hnsw = 2,
}
