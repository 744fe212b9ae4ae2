using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Embeddings.VectorData.Internal;

/// <summary>
/// The on-disk form of an in-process collection: <c>&lt;folder&gt;/v000001/</c> holds <c>manifest.json</c>,
/// <c>index.bin</c> and <c>records.jsonl</c>, and <c>&lt;folder&gt;/CURRENT</c> names the live version. A save writes a
/// new version folder, syncs it, then replaces CURRENT by rename, so a crash leaves the previous version in force.
/// </summary>
internal static class CollectionFolder
{
    public const string CurrentFile = "CURRENT";
    private const string ManifestFile = "manifest.json";
    private const string IndexFile = "index.bin";
    private const string RecordsFile = "records.jsonl";

    public static bool Exists(string folder) => File.Exists(Path.Combine(folder, CurrentFile));

    public static void Save(InProcessCollectionState state, CancellationToken cancellationToken)
    {
        string folder = state.Folder!;
        Directory.CreateDirectory(folder);
        int version = Math.Max(state.Version, ReadCurrentVersion(folder) ?? 0) + 1;
        string name = VersionName(version);
        string staging = Path.Combine(folder, name + ".tmp-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(staging);
        try
        {
            CollectionManifest manifest = state.Manifest!;
            manifest.Count = state.Records.Count;
            if (state.Index is { } index)
            {
                index.Save(Path.Combine(staging, IndexFile));
            }

            WriteRecords(Path.Combine(staging, RecordsFile), state.Records.Values, cancellationToken);
            WriteSynced(Path.Combine(staging, ManifestFile), JsonSerializer.SerializeToUtf8Bytes(manifest, VectorDataJsonContext.Default.CollectionManifest));
            string target = Path.Combine(folder, name);
            if (Directory.Exists(target))
            {
                Directory.Delete(target, recursive: true);
            }

            Directory.Move(staging, target);
            string pointer = Path.Combine(folder, CurrentFile + ".tmp");
            WriteSynced(pointer, Encoding.UTF8.GetBytes(name));
            File.Move(pointer, Path.Combine(folder, CurrentFile), overwrite: true);
            state.Version = version;
        }
        catch
        {
            TryDelete(staging);
            throw;
        }

        // Older versions are garbage once CURRENT moved on; failing to delete them loses nothing.
        foreach (string old in Directory.EnumerateDirectories(folder))
        {
            string leaf = Path.GetFileName(old);
            if (leaf != name && leaf.StartsWith('v'))
            {
                TryDelete(old);
            }
        }
    }

    public static void Load(InProcessCollectionState state, Func<CollectionManifest, InMemoryVectorIndex?> openIndex, CancellationToken cancellationToken)
    {
        string folder = state.Folder!;
        int version = ReadCurrentVersion(folder) ?? throw new FileNotFoundException($"Collection '{state.Name}' has no {CurrentFile} file in {folder}.", Path.Combine(folder, CurrentFile));
        string directory = Path.Combine(folder, VersionName(version));
        string manifestPath = Path.Combine(directory, ManifestFile);
        if (!File.Exists(manifestPath))
        {
            throw new FileNotFoundException($"Collection '{state.Name}': {CurrentFile} names version {version}, but {manifestPath} is missing.", manifestPath);
        }

        CollectionManifest manifest;
        try
        {
            manifest = JsonSerializer.Deserialize(File.ReadAllBytes(manifestPath), VectorDataJsonContext.Default.CollectionManifest)
                ?? throw new InvalidDataException($"Collection '{state.Name}': {manifestPath} is empty.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"Collection '{state.Name}': {manifestPath} is not a valid manifest: {e.Message}", e);
        }

        if (manifest.Format > CollectionManifest.CurrentFormat)
        {
            throw new InvalidDataException($"Collection '{state.Name}' was saved in format {manifest.Format}; this version reads up to {CollectionManifest.CurrentFormat}.");
        }

        InMemoryVectorIndex? index = openIndex(manifest);
        try
        {
            var records = ReadRecords(Path.Combine(directory, RecordsFile), state.Name, cancellationToken);
            if (records.Count != manifest.Count || (index is not null && index.Count != records.Count))
            {
                throw new InvalidDataException(
                    $"Collection '{state.Name}' is inconsistent: the manifest counts {manifest.Count} records, records.jsonl holds {records.Count} and the index {index?.Count.ToString(CultureInfo.InvariantCulture) ?? "none"}.");
            }

            state.Records.Clear();
            foreach (StoredRecord record in records)
            {
                state.Records[record.Key] = record;
            }
        }
        catch
        {
            index?.Dispose();
            throw;
        }

        state.Index = index;
        state.Manifest = manifest;
        state.Version = version;
        state.Exists = true;
    }

    public static string IndexPath(string folder, int version) => Path.Combine(folder, VersionName(version), IndexFile);

    public static int? ReadCurrentVersion(string folder)
    {
        string path = Path.Combine(folder, CurrentFile);
        if (!File.Exists(path))
        {
            return null;
        }

        string text = File.ReadAllText(path).Trim();
        if (text.Length < 2 || text[0] != 'v' || !int.TryParse(text.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out int version))
        {
            throw new InvalidDataException($"{path} should name a version such as v000001; it holds '{text}'.");
        }

        return version;
    }

    public static void Delete(string folder)
    {
        // CURRENT goes first: once it is gone the collection no longer exists, whatever is left behind.
        string current = Path.Combine(folder, CurrentFile);
        if (File.Exists(current))
        {
            File.Delete(current);
        }

        TryDelete(folder);
    }

    private static string VersionName(int version) => "v" + version.ToString("D6", CultureInfo.InvariantCulture);

    private static void WriteSynced(string path, byte[] bytes)
    {
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None);
        stream.Write(bytes);
        stream.Flush(flushToDisk: true);
    }

    private static void WriteRecords(string path, IEnumerable<StoredRecord> records, CancellationToken cancellationToken)
    {
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { SkipValidation = true }))
        {
            foreach (StoredRecord record in records)
            {
                cancellationToken.ThrowIfCancellationRequested();
                writer.Reset();
                writer.WriteStartObject();
                writer.WriteString("k", record.Key);
                writer.WritePropertyName("d");
                RecordCodec.WriteData(writer, record.Data);
                writer.WritePropertyName("m");
                WriteMetadata(writer, record.Metadata);
                if (record.Vector is ReadOnlyMemory<float> vector)
                {
                    writer.WriteStartArray("v");
                    foreach (float value in vector.Span)
                    {
                        writer.WriteNumberValue(value);
                    }

                    writer.WriteEndArray();
                }

                writer.WriteEndObject();
                writer.Flush();
                stream.WriteByte((byte)'\n');
            }
        }

        stream.Flush(flushToDisk: true);
    }

    // Metadata holds only what RecordCodec.ToMetadataScalar produces: string, long, double and bool.
    private static void WriteMetadata(Utf8JsonWriter writer, IReadOnlyDictionary<string, object?> values)
    {
        writer.WriteStartObject();
        foreach (KeyValuePair<string, object?> pair in values)
        {
            writer.WritePropertyName(pair.Key);
            switch (pair.Value)
            {
                case null:
                    writer.WriteNullValue();
                    break;
                case string or long or double or bool:
                    ValueJson.WriteImmutable(writer, pair.Value);
                    break;
                default:
                    throw new InvalidOperationException($"Metadata field '{pair.Key}' holds a {pair.Value.GetType().Name}; metadata values are strings, longs, doubles or booleans.");
            }
        }

        writer.WriteEndObject();
    }

    private static List<StoredRecord> ReadRecords(string path, string collection, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Collection '{collection}': {path} is missing.", path);
        }

        var records = new List<StoredRecord>();
        int line = 0;
        foreach (string text in File.ReadLines(path))
        {
            cancellationToken.ThrowIfCancellationRequested();
            line++;
            if (text.Length == 0)
            {
                continue;
            }

            try
            {
                using JsonDocument document = JsonDocument.Parse(text);
                JsonElement root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object)
                {
                    throw new InvalidDataException($"a record is a JSON object; found {root.ValueKind}");
                }

                string key = (root.TryGetProperty("k", out JsonElement k) ? k.GetString() : null) ?? throw new InvalidDataException("no key");
                Dictionary<string, object?> data = root.TryGetProperty("d", out JsonElement d) ? RecordCodec.ReadData(d) : new(StringComparer.Ordinal);
                var metadata = new Dictionary<string, object?>(StringComparer.Ordinal);
                if (root.TryGetProperty("m", out JsonElement m))
                {
                    foreach (JsonProperty field in m.EnumerateObject())
                    {
                        metadata[field.Name] = Scalar(field.Value);
                    }
                }

                ReadOnlyMemory<float>? vector = null;
                if (root.TryGetProperty("v", out JsonElement v))
                {
                    float[] values = new float[v.GetArrayLength()];
                    int i = 0;
                    foreach (JsonElement value in v.EnumerateArray())
                    {
                        values[i++] = value.GetSingle();
                    }

                    vector = values;
                }

                records.Add(new StoredRecord(key, data, vector, metadata));
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or InvalidDataException)
            {
                throw new InvalidDataException($"Collection '{collection}': {path} line {line} is corrupt: {e.Message}", e);
            }
        }

        return records;
    }

    private static object? Scalar(JsonElement element) =>
        element.ValueKind switch
        {
            JsonValueKind.String => element.GetString(),
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Number when element.TryGetInt64(out long l) => l,
            JsonValueKind.Number => element.GetDouble(),
            JsonValueKind.Null => null,
            _ => throw new InvalidDataException($"metadata value {element.GetRawText()} is not a scalar"),
        };

    private static void TryDelete(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        catch (IOException)
        {
            // Best effort: a leftover folder is ignored, since only CURRENT decides what is live.
        }
        catch (UnauthorizedAccessException)
        {
            // As above.
        }
    }
}
