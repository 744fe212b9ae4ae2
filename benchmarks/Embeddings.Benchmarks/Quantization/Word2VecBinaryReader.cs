using System.Globalization;
using System.Text;

namespace Embeddings.Benchmarks.Quantization;

/// <summary>A minimal reader of the word2vec binary format ("count dim" line, then per word: word, space, dim little-endian float32), enough for the benchmark harness.</summary>
internal static class Word2VecBinaryReader
{
    public static (string[] Words, float[] Vectors, int Dimensions) Read(string path)
    {
        byte[] data = File.ReadAllBytes(path);
        int newline = Array.IndexOf(data, (byte)'\n');
        if (newline < 0)
        {
            throw new InvalidDataException($"{path}: no header line.");
        }

        string[] header = Encoding.ASCII.GetString(data, 0, newline).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        int count = int.Parse(header[0], CultureInfo.InvariantCulture);
        int dim = int.Parse(header[1], CultureInfo.InvariantCulture);
        var words = new string[count];
        var vectors = new float[checked(count * dim)];
        int pos = newline + 1;
        for (int i = 0; i < count; i++)
        {
            while (pos < data.Length && data[pos] is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t')
            {
                pos++;
            }

            int space = Array.IndexOf(data, (byte)' ', pos);
            if (space < 0 || space + 1 + (4 * dim) > data.Length)
            {
                throw new InvalidDataException($"{path}: truncated at word {i} of {count}.");
            }

            words[i] = Encoding.UTF8.GetString(data, pos, space - pos);
            pos = space + 1;
            Buffer.BlockCopy(data, pos, vectors, i * dim * 4, 4 * dim);
            pos += 4 * dim;
        }

        return (words, vectors, dim);
    }
}
