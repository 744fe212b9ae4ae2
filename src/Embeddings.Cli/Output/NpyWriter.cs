using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace Embeddings.Cli.Output;

/// <summary>Writes a float32 matrix as a NumPy <c>.npy</c> file (format 1.0, little-endian, C order), which <c>numpy.load</c> reads.</summary>
internal static class NpyWriter
{
    public static void Write(Stream stream, IReadOnlyList<ReadOnlyMemory<float>> rows, int columns)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(rows);
        string header = string.Create(CultureInfo.InvariantCulture, $"{{'descr': '<f4', 'fortran_order': False, 'shape': ({rows.Count}, {columns}), }}");

        // The magic, version and length take 10 bytes; the header is padded with spaces and ends with '\n' so that the
        // data starts on a 64-byte boundary, as numpy writes it.
        int total = 10 + header.Length + 1;
        int padded = (total + 63) / 64 * 64;
        header = header.PadRight(padded - 10 - 1) + "\n";
        Span<byte> preamble = stackalloc byte[10];
        preamble[0] = 0x93;
        "NUMPY"u8.CopyTo(preamble[1..]);
        preamble[6] = 1;
        preamble[7] = 0;
        BinaryPrimitives.WriteUInt16LittleEndian(preamble[8..], checked((ushort)header.Length));
        stream.Write(preamble);
        stream.Write(Encoding.ASCII.GetBytes(header));

        byte[] buffer = new byte[columns * sizeof(float)];
        foreach (ReadOnlyMemory<float> row in rows)
        {
            if (row.Length != columns)
            {
                throw new InvalidDataException($"A vector has {row.Length} dimensions where {columns} were expected.");
            }

            ReadOnlySpan<float> values = row.Span;
            for (int i = 0; i < values.Length; i++)
            {
                BinaryPrimitives.WriteSingleLittleEndian(buffer.AsSpan(i * sizeof(float)), values[i]);
            }

            stream.Write(buffer);
        }
    }
}
