using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace Embeddings.Static;

/// <summary>
/// Writes a <c>.safetensors</c> file the way the reference implementation lays it out: the 8-byte little-endian
/// header length, a compact JSON header (<c>__metadata__</c> first, then the tensors by dtype, descending in the
/// reference's dtype order, then by name), padded with spaces to a multiple of 8 bytes, then each tensor's little-endian data in that order.
/// </summary>
internal static class SafetensorsWriter
{
    // The reference implementation's Dtype enum order; it writes tensors by this order, descending.
    private static readonly string[] DTypeOrder = ["BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "I16", "U16", "F16", "BF16", "I32", "U32", "F32", "F64", "I64", "U64"];

    /// <summary>One tensor to write: its name, dtype, shape and raw little-endian bytes.</summary>
    public sealed record Tensor(string Name, string DType, long[] Shape, byte[] Data);

    public static void Write(string path, IReadOnlyList<Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(tensors);
        Tensor[] ordered = [.. tensors.OrderByDescending(t => Array.IndexOf(DTypeOrder, t.DType)).ThenBy(t => t.Name, StringComparer.Ordinal)];
        using var header = new MemoryStream();
        using (var json = new Utf8JsonWriter(header))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject("__metadata__");
                foreach ((string key, string value) in metadata.OrderBy(m => m.Key, StringComparer.Ordinal))
                {
                    json.WriteString(key, value);
                }

                json.WriteEndObject();
            }

            long offset = 0;
            foreach (Tensor tensor in ordered)
            {
                int size = ElementSize(tensor.DType);
                long elements = tensor.Shape.Aggregate(1L, (a, b) => a * b);
                if (size == 0 || elements * size != tensor.Data.LongLength)
                {
                    throw new ArgumentException($"Tensor '{tensor.Name}' ({tensor.DType}, shape [{string.Join(", ", tensor.Shape)}]) needs {elements * size} bytes; got {tensor.Data.LongLength}.", nameof(tensors));
                }

                json.WriteStartObject(tensor.Name);
                json.WriteString("dtype", tensor.DType);
                json.WriteStartArray("shape");
                foreach (long dimension in tensor.Shape)
                {
                    json.WriteNumberValue(dimension);
                }

                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + tensor.Data.LongLength);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += tensor.Data.LongLength;
            }

            json.WriteEndObject();
        }

        // Padding keeps the data 8-byte aligned, so readers can map it without copying.
        int padding = (int)((8 - (header.Length % 8)) % 8);
        header.Write(Encoding.ASCII.GetBytes(new string(' ', padding)));
        string temporary = path + ".tmp-" + Guid.NewGuid().ToString("N");
        try
        {
            using (FileStream stream = File.Create(temporary))
            {
                Span<byte> prefix = stackalloc byte[8];
                BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)header.Length);
                stream.Write(prefix);
                header.Position = 0;
                header.CopyTo(stream);
                foreach (Tensor tensor in ordered)
                {
                    stream.Write(tensor.Data);
                }
            }

            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    public static byte[] Float32(ReadOnlySpan<float> values)
    {
        byte[] bytes = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), values[i]);
        }

        return bytes;
    }

    public static byte[] Float16(ReadOnlySpan<float> values)
    {
        byte[] bytes = new byte[values.Length * 2];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteHalfLittleEndian(bytes.AsSpan(i * 2), (Half)values[i]);
        }

        return bytes;
    }

    private static int ElementSize(string dtype) => dtype switch
    {
        "F64" or "I64" or "U64" => 8,
        "F32" or "I32" or "U32" => 4,
        "F16" or "BF16" or "I16" or "U16" => 2,
        "I8" or "U8" or "BOOL" => 1,
        _ => 0,
    };
}
