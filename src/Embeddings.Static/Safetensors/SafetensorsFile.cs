using System.Buffers.Binary;
using System.Text.Json;

namespace Embeddings.Static;

/// <summary>
/// Reads tensors from a <c>.safetensors</c> file: an 8-byte little-endian header length, a JSON header naming
/// each tensor's dtype, shape and byte range, then the raw little-endian data.
/// </summary>
internal sealed class SafetensorsFile
{
    private SafetensorsFile(string path, IReadOnlyDictionary<string, SafetensorsTensorInfo> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        Path = path;
        Tensors = tensors;
        Metadata = metadata;
    }

    /// <summary>Gets the file's full path.</summary>
    public string Path { get; }

    /// <summary>Gets the tensors by name.</summary>
    public IReadOnlyDictionary<string, SafetensorsTensorInfo> Tensors { get; }

    /// <summary>Gets the free-form <c>__metadata__</c> strings; empty when the file has none.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Reads and checks the header of a safetensors file.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The file, ready to read tensors from.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The header is truncated, is not valid JSON, or names a byte range outside the file or inconsistent with its dtype and shape; the message names the file and offset.</exception>
    public static SafetensorsFile Open(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string full = System.IO.Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            throw new FileNotFoundException($"Safetensors file '{full}' does not exist.", full);
        }

        using FileStream stream = File.OpenRead(full);
        long fileLength = stream.Length;
        Span<byte> prefix = stackalloc byte[8];
        if (stream.ReadAtLeast(prefix, 8, throwOnEndOfStream: false) < 8)
        {
            throw Corrupt(full, 0, $"the file has {fileLength} bytes, fewer than the 8-byte header length");
        }

        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (headerLength > (ulong)(fileLength - 8) || headerLength > 100_000_000)
        {
            throw Corrupt(full, 0, $"the header length {headerLength} exceeds the {fileLength - 8} bytes after it");
        }

        byte[] header = new byte[(int)headerLength];
        stream.ReadExactly(header);
        long dataStart = 8 + (long)headerLength;
        var tensors = new Dictionary<string, SafetensorsTensorInfo>(StringComparer.Ordinal);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            // A repeated tensor name would otherwise pick one of two byte ranges silently.
            using JsonDocument document = JsonDocument.Parse(header, new JsonDocumentOptions { AllowDuplicateProperties = false });
            foreach (JsonProperty property in document.RootElement.EnumerateObject())
            {
                if (property.Name == "__metadata__")
                {
                    foreach (JsonProperty entry in property.Value.EnumerateObject())
                    {
                        metadata[entry.Name] = entry.Value.ValueKind == JsonValueKind.String ? entry.Value.GetString()! : entry.Value.GetRawText();
                    }

                    continue;
                }

                string dtype = property.Value.GetProperty("dtype").GetString() ?? string.Empty;
                long[] shape = property.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray();
                long[] offsets = property.Value.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()).ToArray();
                if (!IsValidShape(shape))
                {
                    throw Corrupt(full, 8, $"tensor '{property.Name}' has shape [{string.Join(", ", shape)}], which has a negative dimension or more than {long.MaxValue} elements");
                }

                if (offsets.Length != 2 || offsets[0] < 0 || offsets[1] < offsets[0] || dataStart + offsets[1] > fileLength)
                {
                    throw Corrupt(full, dataStart + (offsets.Length > 0 ? offsets[0] : 0), $"tensor '{property.Name}' has data_offsets [{string.Join(", ", offsets)}] outside the {fileLength - dataStart} data bytes (truncated?)");
                }

                var info = new SafetensorsTensorInfo(property.Name, dtype, shape, dataStart + offsets[0], offsets[1] - offsets[0]);
                int size = ElementSize(dtype);
                if (size > 0 && (info.Length % size != 0 || info.Length / size != info.ElementCount))
                {
                    throw Corrupt(full, info.Offset, $"tensor '{property.Name}' ({dtype}, shape [{string.Join(", ", shape)}]) needs {(decimal)info.ElementCount * size} bytes but its range holds {info.Length}");
                }

                tensors.Add(property.Name, info);
            }
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw Corrupt(full, 8, $"the JSON header is malformed: {e.Message}", e);
        }

        return new SafetensorsFile(full, tensors, metadata);
    }

    private static bool IsValidShape(long[] shape)
    {
        long count = 1;
        foreach (long dimension in shape)
        {
            if (dimension < 0)
            {
                return false;
            }

            // A product that wraps could match the byte range of a tiny tensor and pass every later check.
            if (dimension != 0 && count > long.MaxValue / dimension)
            {
                return false;
            }

            count *= dimension;
        }

        return true;
    }

    /// <summary>
    /// Reads a floating-point tensor (F32, F16, BF16 or F64) as float32 values, in row-major order; an I8 tensor
    /// (Model2Vec's int8 embeddings, whose scale lives in a separate <c>weights</c> tensor or cancels in normalization) reads as its integer values.
    /// </summary>
    /// <param name="name">The tensor name.</param>
    /// <returns>The values.</returns>
    /// <exception cref="KeyNotFoundException">The file has no tensor of that name.</exception>
    /// <exception cref="NotSupportedException">The tensor's dtype is not a floating-point type.</exception>
    public float[] ReadSingle(string name)
    {
        SafetensorsTensorInfo info = Get(name);
        byte[] raw = ReadRaw(info);
        var values = new float[info.ElementCount];
        switch (info.DType)
        {
            case "F32":
                for (int i = 0; i < values.Length; i++)
                {
                    values[i] = BinaryPrimitives.ReadSingleLittleEndian(raw.AsSpan(i * 4));
                }

                break;
            case "F16":
                for (int i = 0; i < values.Length; i++)
                {
                    values[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(raw.AsSpan(i * 2));
                }

                break;
            case "BF16":
                for (int i = 0; i < values.Length; i++)
                {
                    values[i] = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(raw.AsSpan(i * 2)) << 16);
                }

                break;
            case "F64":
                for (int i = 0; i < values.Length; i++)
                {
                    values[i] = (float)BinaryPrimitives.ReadDoubleLittleEndian(raw.AsSpan(i * 8));
                }

                break;
            case "I8":
                for (int i = 0; i < values.Length; i++)
                {
                    values[i] = (sbyte)raw[i];
                }

                break;
            default:
                throw new NotSupportedException($"Tensor '{name}' in '{Path}' has dtype {info.DType}; a floating-point tensor (F32, F16, BF16, F64) or I8 is expected.");
        }

        return values;
    }

    /// <summary>Reads an integer tensor (I32, I64, U32, I16, U16, I8, U8) as 64-bit integers, in row-major order.</summary>
    /// <param name="name">The tensor name.</param>
    /// <returns>The values.</returns>
    /// <exception cref="KeyNotFoundException">The file has no tensor of that name.</exception>
    /// <exception cref="NotSupportedException">The tensor's dtype is not an integer type.</exception>
    public long[] ReadInt64(string name)
    {
        SafetensorsTensorInfo info = Get(name);
        byte[] raw = ReadRaw(info);
        var values = new long[info.ElementCount];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = info.DType switch
            {
                "I64" => BinaryPrimitives.ReadInt64LittleEndian(raw.AsSpan(i * 8)),
                "I32" => BinaryPrimitives.ReadInt32LittleEndian(raw.AsSpan(i * 4)),
                "U32" => BinaryPrimitives.ReadUInt32LittleEndian(raw.AsSpan(i * 4)),
                "I16" => BinaryPrimitives.ReadInt16LittleEndian(raw.AsSpan(i * 2)),
                "U16" => BinaryPrimitives.ReadUInt16LittleEndian(raw.AsSpan(i * 2)),
                "I8" => (sbyte)raw[i],
                "U8" => raw[i],
                _ => throw new NotSupportedException($"Tensor '{name}' in '{Path}' has dtype {info.DType}; an integer tensor is expected."),
            };
        }

        return values;
    }

    private SafetensorsTensorInfo Get(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return Tensors.TryGetValue(name, out SafetensorsTensorInfo? info)
            ? info
            : throw new KeyNotFoundException($"Safetensors file '{Path}' has no tensor '{name}'; it holds: {string.Join(", ", Tensors.Keys)}.");
    }

    private byte[] ReadRaw(SafetensorsTensorInfo info)
    {
        if (info.Length > Array.MaxLength)
        {
            throw new NotSupportedException($"Tensor '{info.Name}' in '{Path}' has {info.Length} bytes, more than one array holds.");
        }

        byte[] raw = new byte[info.Length];
        using var handle = File.OpenHandle(Path);
        int read = 0;
        while (read < raw.Length)
        {
            int n = RandomAccess.Read(handle, raw.AsSpan(read), info.Offset + read);
            if (n == 0)
            {
                throw Corrupt(Path, info.Offset + read, $"the data of tensor '{info.Name}' ends early (truncated)");
            }

            read += n;
        }

        return raw;
    }

    private static int ElementSize(string dtype) => dtype switch
    {
        "F64" or "I64" or "U64" => 8,
        "F32" or "I32" or "U32" => 4,
        "F16" or "BF16" or "I16" or "U16" => 2,
        "I8" or "U8" or "BOOL" => 1,
        _ => 0,
    };

    private static InvalidDataException Corrupt(string path, long offset, string problem, Exception? inner = null) =>
        new($"Safetensors file '{path}' is corrupt at byte offset {offset}: {problem}.", inner);
}
