using System.Buffers.Binary;
using System.Text;

namespace Embeddings.Testing.Indexing;

/// <summary>Reads word2vec binary files (header "count dims", then per word: the word, a space, dims little-endian float32).</summary>
public static class GloveVectors
{
    /// <summary>Reads up to <paramref name="limit"/> vectors, skipping the first <paramref name="skip"/>.</summary>
    /// <param name="path">The file.</param>
    /// <param name="limit">How many to return at most.</param>
    /// <param name="skip">How many to skip first.</param>
    /// <returns>The words and their vectors.</returns>
    public static List<(string Word, float[] Vector)> Read(string path, int limit, int skip = 0)
    {
        using var stream = new BufferedStream(File.OpenRead(path), 1 << 16);
        string header = ReadToken(stream, '\n');
        string[] parts = header.Trim().Split(' ');
        int count = int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture);
        int dims = int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
        var result = new List<(string, float[])>(Math.Min(limit, count));
        byte[] raw = new byte[dims * 4];
        for (int i = 0; i < count && result.Count < limit; i++)
        {
            string word = ReadToken(stream, ' ').TrimStart('\n');
            stream.ReadExactly(raw);
            if (i < skip)
            {
                continue;
            }

            var vector = new float[dims];
            for (int d = 0; d < dims; d++)
            {
                vector[d] = BinaryPrimitives.ReadSingleLittleEndian(raw.AsSpan(d * 4));
            }

            result.Add((word, vector));
        }

        return result;
    }

    /// <summary>The GloVe 100-d base vectors in the shared fixtures.</summary>
    /// <param name="limit">How many.</param>
    /// <param name="skip">How many to skip.</param>
    /// <returns>The words and vectors.</returns>
    public static List<(string Word, float[] Vector)> Base(int limit, int skip = 0) =>
        Read(SharedData.Path("models", "glove-6B-100d-top100k", "vectors.bin"), limit, skip);

    /// <summary>The GloVe query vectors in the shared fixtures.</summary>
    /// <param name="limit">How many.</param>
    /// <returns>The words and vectors.</returns>
    public static List<(string Word, float[] Vector)> Queries(int limit) =>
        Read(SharedData.Path("data", "glove-ann", "queries-dev.bin"), limit);

    private static string ReadToken(Stream stream, char terminator)
    {
        var bytes = new List<byte>(32);
        int b;
        while ((b = stream.ReadByte()) >= 0 && b != terminator)
        {
            bytes.Add((byte)b);
        }

        return Encoding.UTF8.GetString(bytes.ToArray());
    }
}
