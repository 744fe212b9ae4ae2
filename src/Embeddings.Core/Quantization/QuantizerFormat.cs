using System.Text;

namespace Embeddings;

/// <summary>The shared header of every saved quantizer: magic, format version, kind and dimensions, little-endian.</summary>
internal static class QuantizerFormat
{
    public const uint Magic = 0x514D4245; // "EBMQ" read as little-endian bytes.
    public const int Version = 1;

    public static BinaryWriter CreateWriter(Stream stream, QuantizationKind kind, int dimensions)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        writer.Write(Magic);
        writer.Write(Version);
        writer.Write((int)kind);
        writer.Write(dimensions);
        return writer;
    }

    public static void WriteFloats(BinaryWriter writer, ReadOnlySpan<float> values)
    {
        foreach (float value in values)
        {
            writer.Write(value);
        }
    }

    public static float[] ReadFloats(BinaryReader reader, int count)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = reader.ReadSingle();
        }

        return values;
    }

    public static InvalidDataException Corrupt(string detail) => new($"The quantizer data is corrupt: {detail}.");
}
