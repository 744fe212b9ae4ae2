using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using Embeddings.Indexing.Internal;

namespace Embeddings;

/// <summary>
/// The shared framing of every saved quantizer, little-endian. Version 2: magic, version, kind, dimensions, body
/// length (int32), body, CRC-32C of everything before it. A flipped byte anywhere (the kind included) fails the
/// checksum before the body is parsed. Version 1 (magic, version, kind, dimensions, body; no length or checksum)
/// is still read.
/// </summary>
internal static class QuantizerFormat
{
    public const uint Magic = 0x514D4245; // "EBMQ" read as little-endian bytes.
    public const int Version = 2;
    public const int HeaderLength = 20;

    /// <summary>Writes the framed quantizer: the body is built in memory first, so its length and checksum lead and follow it.</summary>
    public static void Write(Stream stream, QuantizationKind kind, int dimensions, Action<BinaryWriter>? body = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var buffer = new MemoryStream();
        buffer.Write(new byte[HeaderLength]);
        using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            body?.Invoke(writer);
        }

        byte[] bytes = buffer.GetBuffer();
        int length = checked((int)buffer.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, Magic);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4), Version);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(8), (int)kind);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(12), dimensions);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(16), length - HeaderLength);
        Span<byte> crc = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(crc, IndexFileWriter.Crc32C(0, bytes.AsSpan(0, length)));
        stream.Write(bytes, 0, length);
        stream.Write(crc);
    }

    public static void WriteFloats(BinaryWriter writer, ReadOnlySpan<float> values) => writer.Write(MemoryMarshal.AsBytes(values));

    /// <summary>Reads <paramref name="count"/> floats, first checking that the stream holds them (so a crafted count cannot drive the allocation), then that they are finite.</summary>
    public static float[] ReadFloats(BinaryReader reader, long count, string what)
    {
        RequireBytes(reader, count * sizeof(float), what);
        float[] values;
        if (reader.BaseStream.CanSeek)
        {
            values = new float[count];
            reader.BaseStream.ReadExactly(MemoryMarshal.AsBytes(values.AsSpan()));
        }
        else
        {
            // Only a version 1 stream without a length gets here: grow with the data rather than trust the count.
            values = new float[Math.Min(count, 1 << 16)];
            int filled = 0;
            while (true)
            {
                reader.BaseStream.ReadExactly(MemoryMarshal.AsBytes(values.AsSpan(filled)));
                filled = values.Length;
                if (filled == count)
                {
                    break;
                }

                Array.Resize(ref values, (int)Math.Min(count, filled * 2L));
            }
        }
        int bad = IndexOfNonFinite(values);
        if (bad >= 0)
        {
            throw Corrupt($"{what} holds {values[bad]} at index {bad}; every value must be finite");
        }

        return values;
    }

    /// <summary>Throws unless <paramref name="bytes"/> more bytes are present (and could fit in one array).</summary>
    public static void RequireBytes(BinaryReader reader, long bytes, string what)
    {
        long remaining = reader.BaseStream.CanSeek ? reader.BaseStream.Length - reader.BaseStream.Position : long.MaxValue;
        if (bytes < 0 || bytes > remaining || bytes > Array.MaxLength)
        {
            throw Corrupt($"{what} needs {bytes} bytes but {remaining} remain");
        }
    }

    /// <summary>Reads the framing and returns the kind, the dimensions and a reader over the body alone (bounded, so every count can be checked against it).</summary>
    public static (QuantizationKind Kind, int Dimensions, BinaryReader Body) ReadFrame(Stream stream)
    {
        Span<byte> head = stackalloc byte[HeaderLength];
        stream.ReadExactly(head[..16]);
        uint magic = BinaryPrimitives.ReadUInt32LittleEndian(head);
        if (magic != Magic)
        {
            throw Corrupt($"the header 0x{magic:X8} is not a quantizer header (0x{Magic:X8})");
        }

        int version = BinaryPrimitives.ReadInt32LittleEndian(head[4..]);
        var kind = (QuantizationKind)BinaryPrimitives.ReadInt32LittleEndian(head[8..]);
        int dimensions = BinaryPrimitives.ReadInt32LittleEndian(head[12..]);
        if (version == 1)
        {
            // Version 1 has no length: its body runs to wherever its kind says. Read it from the stream itself,
            // bounded by the stream's length where it has one.
            return (kind, dimensions, new BinaryReader(stream, Encoding.UTF8, leaveOpen: true));
        }

        if (version != Version)
        {
            throw Corrupt($"format version {version} is not supported (this library reads versions 1 and {Version})");
        }

        stream.ReadExactly(head[16..]);
        int length = BinaryPrimitives.ReadInt32LittleEndian(head[16..]);
        long available = stream.CanSeek ? stream.Length - stream.Position : long.MaxValue;
        if (length < 0 || length + 4L > available)
        {
            throw Corrupt($"the body length {length} bytes does not fit the {available} bytes that remain");
        }

        byte[] body = ReadBody(stream, length);
        Span<byte> trailer = stackalloc byte[4];
        stream.ReadExactly(trailer);
        uint stored = BinaryPrimitives.ReadUInt32LittleEndian(trailer);
        uint actual = IndexFileWriter.Crc32C(IndexFileWriter.Crc32C(0, head), body);
        if (stored != actual)
        {
            throw Corrupt($"its CRC-32C checksum is 0x{stored:X8} but its contents hash to 0x{actual:X8}");
        }

        return (kind, dimensions, new BinaryReader(new MemoryStream(body, writable: false), Encoding.UTF8, leaveOpen: false));
    }

    public static InvalidDataException Corrupt(string detail) => new($"The quantizer data is corrupt: {detail}.");

    private static int IndexOfNonFinite(ReadOnlySpan<float> values)
    {
        if (System.Numerics.Tensors.TensorPrimitives.IsFiniteAll(values))
        {
            return -1;
        }

        for (int i = 0; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Reads exactly <paramref name="length"/> bytes, growing the buffer only as bytes arrive, so a lying length in an unseekable stream cannot allocate ahead of the data.</summary>
    private static byte[] ReadBody(Stream stream, int length)
    {
        if (stream.CanSeek)
        {
            var body = new byte[length];
            stream.ReadExactly(body);
            return body;
        }

        using var buffer = new MemoryStream();
        byte[] chunk = new byte[Math.Min(length, 1 << 16)];
        int remaining = length;
        while (remaining > 0)
        {
            int n = stream.Read(chunk, 0, Math.Min(chunk.Length, remaining));
            if (n <= 0)
            {
                throw new EndOfStreamException();
            }

            buffer.Write(chunk, 0, n);
            remaining -= n;
        }

        return buffer.ToArray();
    }
}
