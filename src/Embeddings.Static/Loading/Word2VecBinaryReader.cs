using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace Embeddings.Static;

/// <summary>Reads the word2vec binary format with one read of the whole file.</summary>
internal static class Word2VecBinaryReader
{
    private const int MaxWordBytes = 4096;

    public static (string[] Words, float[] Vectors, int Dimensions) Read(string path, CancellationToken cancellationToken)
    {
        byte[] data = File.ReadAllBytes(path);
        int newline = Array.IndexOf(data, (byte)'\n', 0, Math.Min(data.Length, 256));
        if (newline < 0)
        {
            throw Corrupt(path, 0, "the header line \"count dimensions\" is missing");
        }

        string header = Encoding.ASCII.GetString(data, 0, newline).Trim();
        string[] parts = header.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 2
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int count)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int dimensions)
            || count <= 0 || dimensions <= 0)
        {
            throw Corrupt(path, 0, $"the header line '{header}' is not \"count dimensions\" with two positive integers");
        }

        long needed = (long)count * dimensions;
        if (needed > Array.MaxLength || (long)count * dimensions * sizeof(float) > data.Length)
        {
            throw Corrupt(path, 0, $"the header promises {count} vectors of {dimensions} dimensions, more than the {data.Length} bytes of the file hold");
        }

        var words = new string[count];
        var vectors = new float[needed];
        int vectorBytes = dimensions * sizeof(float);
        int position = newline + 1;
        for (int i = 0; i < count; i++)
        {
            if ((i & 4095) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            // Writers differ on whether a newline follows each vector; skip any before the word.
            while (position < data.Length && (data[position] == (byte)'\n' || data[position] == (byte)'\r'))
            {
                position++;
            }

            int wordStart = position;
            int limit = Math.Min(data.Length, wordStart + MaxWordBytes);
            int space = Array.IndexOf(data, (byte)' ', wordStart, limit - wordStart);
            if (space < 0)
            {
                throw position >= data.Length
                    ? Corrupt(path, position, $"the file ends after {i} of the {count} vectors the header promises (truncated)")
                    : Corrupt(path, wordStart, $"entry {i + 1} of {count} has no space after its word within {MaxWordBytes} bytes");
            }

            if (space == wordStart)
            {
                throw Corrupt(path, wordStart, $"entry {i + 1} of {count} has an empty word");
            }

            words[i] = Encoding.UTF8.GetString(data, wordStart, space - wordStart);
            position = space + 1;
            if (data.Length - position < vectorBytes)
            {
                throw Corrupt(path, position, $"the vector of entry {i + 1} of {count} ('{words[i]}') needs {vectorBytes} bytes but only {data.Length - position} remain (truncated)");
            }

            Span<float> destination = vectors.AsSpan(i * dimensions, dimensions);
            ReadOnlySpan<byte> source = data.AsSpan(position, vectorBytes);
            if (BitConverter.IsLittleEndian)
            {
                MemoryMarshal.Cast<byte, float>(source).CopyTo(destination);
            }
            else
            {
                for (int d = 0; d < dimensions; d++)
                {
                    destination[d] = BinaryPrimitives.ReadSingleLittleEndian(source.Slice(d * sizeof(float)));
                }
            }

            for (int d = 0; d < dimensions; d++)
            {
                if (!float.IsFinite(destination[d]))
                {
                    throw Corrupt(path, position + (d * sizeof(float)), $"value {d} of the vector of '{words[i]}' (entry {i + 1}) is not a finite number");
                }
            }

            position += vectorBytes;
        }

        return (words, vectors, dimensions);
    }

    internal static InvalidDataException Corrupt(string path, long offset, string problem) =>
        new($"Static model file '{path}' is corrupt at byte offset {offset}: {problem}.");
}
