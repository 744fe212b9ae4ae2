using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace Embeddings.Indexing.Internal;

/// <summary>
/// Reads an index file written by <see cref="IndexFileWriter"/>. Opening checks, in order: the magic, the format
/// version (a newer one is refused by name), the end marker and length (a truncated file is refused), and the
/// CRC-32C over the whole payload (a flipped byte is refused) before anything is parsed.
/// </summary>
internal sealed class IndexFileReader : IDisposable
{
    private readonly Stream _stream;
    private readonly string _name;
    private readonly long _payloadEnd;

    // Consecutive records with the same field names share one names array, as they do in a live index.
    private MetadataSchema? _schema;

    private IndexFileReader(Stream stream, string name, long payloadEnd)
    {
        _stream = stream;
        _name = name;
        _payloadEnd = payloadEnd;
    }

    public static IndexFileReader Open(string path, IndexKind expectedKind)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Index file '{path}' does not exist.", path);
        }

        IndexFileWriter.DeleteStaleTemporaryFiles(Path.GetFullPath(path));

        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        try
        {
            return Open(stream, $"'{path}'", expectedKind);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    public static IndexFileReader Open(Stream stream, string name, IndexKind expectedKind)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanSeek || !stream.CanRead)
        {
            throw new ArgumentException("Index files are read from seekable, readable streams.", nameof(stream));
        }

        long length = stream.Length;
        Span<byte> head = stackalloc byte[16];
        if (length < head.Length + IndexFileWriter.FooterLength)
        {
            throw new InvalidDataException($"Index file {name} is truncated: {length} bytes is shorter than the smallest index file.");
        }

        stream.Position = 0;
        stream.ReadExactly(head);
        if (BinaryPrimitives.ReadUInt64LittleEndian(head) != IndexFileWriter.Magic)
        {
            throw new InvalidDataException($"{name} is not an Embeddings index file (wrong magic number).");
        }

        int version = BinaryPrimitives.ReadInt32LittleEndian(head[8..]);
        if (version > IndexFileWriter.FormatVersion || version < 1)
        {
            throw new InvalidDataException(
                $"Index file {name} has format version {version}; this version of Embeddings.Core reads format versions 1 to {IndexFileWriter.FormatVersion}. Upgrade the library to load it.");
        }

        int kind = BinaryPrimitives.ReadInt32LittleEndian(head[12..]);
        if (kind != (int)expectedKind)
        {
            string found = Enum.IsDefined((IndexKind)kind) ? ((IndexKind)kind).ToString() : $"unknown kind {kind}";
            throw new InvalidDataException($"Index file {name} holds a {found} index, not a {expectedKind} index.");
        }

        Span<byte> footer = stackalloc byte[IndexFileWriter.FooterLength];
        stream.Position = length - footer.Length;
        stream.ReadExactly(footer);
        long payload = BinaryPrimitives.ReadInt64LittleEndian(footer);
        uint storedCrc = BinaryPrimitives.ReadUInt32LittleEndian(footer[8..]);
        if (BinaryPrimitives.ReadUInt32LittleEndian(footer[12..]) != IndexFileWriter.EndMagic || payload != length - footer.Length)
        {
            throw new InvalidDataException(
                $"Index file {name} is truncated or incompletely written: its end marker does not match its length of {length} bytes.");
        }

        stream.Position = 0;
        byte[] buffer = new byte[1 << 16];
        uint crc = 0;
        long remaining = payload;
        while (remaining > 0)
        {
            int n = stream.Read(buffer, 0, (int)Math.Min(buffer.Length, remaining));
            if (n <= 0)
            {
                throw new InvalidDataException($"Index file {name} ended early while its checksum was verified.");
            }

            crc = IndexFileWriter.Crc32C(crc, buffer.AsSpan(0, n));
            remaining -= n;
        }

        if (crc != storedCrc)
        {
            throw new InvalidDataException(
                $"Index file {name} is corrupt: its CRC-32C checksum is 0x{storedCrc:X8} but its contents hash to 0x{crc:X8}.");
        }

        stream.Position = head.Length;
        return new IndexFileReader(stream, name, payload);
    }

    public string Name => _name;

    /// <summary>Gets the payload bytes not yet read: the budget every count in a header is checked against before it sizes an allocation.</summary>
    public long Remaining => _payloadEnd - _stream.Position;

    public int ReadInt32()
    {
        Span<byte> bytes = stackalloc byte[4];
        ReadBytes(bytes);
        return BinaryPrimitives.ReadInt32LittleEndian(bytes);
    }

    public long ReadInt64()
    {
        Span<byte> bytes = stackalloc byte[8];
        ReadBytes(bytes);
        return BinaryPrimitives.ReadInt64LittleEndian(bytes);
    }

    public double ReadDouble() => BitConverter.Int64BitsToDouble(ReadInt64());

    public byte ReadByte()
    {
        Span<byte> bytes = stackalloc byte[1];
        ReadBytes(bytes);
        return bytes[0];
    }

    public string? ReadString()
    {
        int length = ReadInt32();
        if (length == -1)
        {
            return null;
        }

        Require(length >= 0 && length <= _payloadEnd - _stream.Position, $"string length {length}");
        byte[] bytes = new byte[length];
        ReadBytes(bytes);
        try
        {
            return Utf16Text.StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw Corrupt($"a string of {length} bytes is not valid UTF-8");
        }
    }

    public void ReadSingles(Span<float> destination) => ReadBytes(MemoryMarshal.AsBytes(destination));

    public void ReadInt32s(Span<int> destination) => ReadBytes(MemoryMarshal.AsBytes(destination));

    public void ReadHalves(Span<Half> destination) => ReadBytes(MemoryMarshal.AsBytes(destination));

    public IReadOnlyDictionary<string, object?>? ReadMetadata()
    {
        int count = ReadInt32();
        // A field takes at least a name length and a type tag (5 bytes).
        Require(count >= 0 && count * 5L <= Remaining, $"metadata field count {count}");
        if (count == 0)
        {
            return null;
        }

        var names = new string[count];
        var values = new object?[count];
        for (int i = 0; i < count; i++)
        {
            string field = ReadString() ?? throw Corrupt("a metadata field name is missing");
            byte tag = ReadByte();
            names[i] = field;
            values[i] = tag switch
            {
                0 => null,
                1 => ReadString(),
                2 => ReadInt64(),
                3 => ReadDouble(),
                4 => ReadByte() != 0,
                _ => throw Corrupt($"metadata field '{field}' has unknown type tag {tag}"),
            };
        }

        try
        {
            return MetadataRow.Create(names, values, ref _schema);
        }
        catch (ArgumentException)
        {
            // Values read above are always normalized, so the only refusal left is a name written twice.
            throw Corrupt("a metadata field name appears twice in one record");
        }
    }

    /// <summary>Throws a corrupt-file error unless <paramref name="condition"/> holds.</summary>
    public void Require(bool condition, string what)
    {
        if (!condition)
        {
            throw Corrupt($"{what} is out of range");
        }
    }

    public InvalidDataException Corrupt(string detail) => new($"Index file {_name} is corrupt: {detail}.");

    /// <summary>Checks that the whole payload was consumed.</summary>
    public void EnsureAtEnd()
    {
        if (_stream.Position != _payloadEnd)
        {
            throw Corrupt($"{_payloadEnd - _stream.Position} unread bytes remain after the last section");
        }
    }

    public void Dispose() => _stream.Dispose();

    public void ReadBytes(Span<byte> destination)
    {
        if (_stream.Position + destination.Length > _payloadEnd)
        {
            throw Corrupt("a section runs past the end of the payload");
        }

        _stream.ReadExactly(destination);
    }
}
