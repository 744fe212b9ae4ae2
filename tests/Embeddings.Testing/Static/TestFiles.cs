using System.Globalization;
using System.Text;

namespace Embeddings.Testing.Static;

/// <summary>Writes small model files for tests into a temporary folder that is deleted on dispose.</summary>
public sealed class TestFiles : IDisposable
{
    public static readonly string[] Words = ["the", "cat", "sat", "mat"];

    public static readonly float[] Vectors =
    [
        1f, 0f, 0f,
        0f, 2f, 0f,
        0f, 0f, 3f,
        1f, 1f, -1.5f,
    ];

    public TestFiles() => Directory = System.IO.Directory.CreateTempSubdirectory("static-tests-").FullName;

    public string Directory { get; }

    public string Path(string name) => System.IO.Path.Combine(Directory, name);

    public string WriteWord2VecBinary(string name = "vectors.bin", bool newlineAfterVectors = true)
    {
        using var stream = new MemoryStream();
        stream.Write(Encoding.ASCII.GetBytes($"{Words.Length} 3\n"));
        for (int i = 0; i < Words.Length; i++)
        {
            stream.Write(Encoding.UTF8.GetBytes(Words[i] + " "));
            for (int d = 0; d < 3; d++)
            {
                stream.Write(BitConverter.GetBytes(Vectors[(i * 3) + d]));
            }

            if (newlineAfterVectors)
            {
                stream.WriteByte((byte)'\n');
            }
        }

        File.WriteAllBytes(Path(name), stream.ToArray());
        return Path(name);
    }

    public string WriteText(string name, bool header)
    {
        var builder = new StringBuilder();
        if (header)
        {
            builder.Append(CultureInfo.InvariantCulture, $"{Words.Length} 3\n");
        }

        for (int i = 0; i < Words.Length; i++)
        {
            builder.Append(Words[i]);
            for (int d = 0; d < 3; d++)
            {
                builder.Append(' ').Append(Vectors[(i * 3) + d].ToString("R", CultureInfo.InvariantCulture));
            }

            builder.Append('\n');
        }

        File.WriteAllText(Path(name), builder.ToString());
        return Path(name);
    }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
