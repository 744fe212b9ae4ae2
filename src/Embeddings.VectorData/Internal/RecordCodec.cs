using System.Collections;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.VectorData.ProviderServices;

namespace Embeddings.VectorData.Internal;

/// <summary>
/// Moves records between the caller's objects (POCOs or dictionaries, through the MEVD model's accessors) and
/// <see cref="StoredRecord"/>s, and derives the metadata our <see cref="MetadataFilter"/> evaluates.
/// </summary>
/// <remarks>
/// Metadata layout: each scalar data property under its storage name (normalized to string, long, double or bool;
/// Guid, DateTime and enums as invariant strings), the key under its storage name, <c>name$null</c> = true for a null
/// value (so <c>r.Prop == null</c> translates), and for a collection-valued property <c>name$element</c> = true per
/// element (so <c>r.Tags.Contains("x")</c> translates to an equality our filters already have).
/// </remarks>
internal sealed class RecordCodec
{
    /// <summary>The metadata field (PgVector) that holds the JSON of the data values.</summary>
    public const string PayloadField = "$payload";

    private readonly CollectionModel _model;

    public RecordCodec(CollectionModel model)
    {
        _model = model;
        KeyProperty = model.KeyProperty;
        VectorProperty = model.VectorProperties.Count == 1 ? model.VectorProperties[0] : null;
    }

    public KeyPropertyModel KeyProperty { get; }

    public VectorPropertyModel? VectorProperty { get; }

    public CollectionModel Model => _model;

    public static string NullField(string storageName) => storageName + "$null";

    public static string ElementField(string storageName, object element) => storageName + "$" + ElementText(element);

    /// <summary>Converts a filter or data value to the metadata scalar it is stored as, or null when it has none.</summary>
    public static object? ToMetadataScalar(object? value) => value switch
    {
        null => null,
        string or long or double or bool => value,
        int or short or sbyte or byte or ushort or uint => Convert.ToInt64(value, CultureInfo.InvariantCulture),
        ulong u => (double)u,
        float f => (double)f,
        decimal m => (double)m,
        Guid g => g.ToString("D"),
        DateTime d => d.ToString("O", CultureInfo.InvariantCulture),
        DateTimeOffset d => d.ToString("O", CultureInfo.InvariantCulture),
        DateOnly d => d.ToString("O", CultureInfo.InvariantCulture),
        TimeOnly t => t.ToString("O", CultureInfo.InvariantCulture),
        Enum e => e.ToString(),
        char c => c.ToString(),
        _ => null,
    };

    public StoredRecord Capture(object record, string key, ReadOnlyMemory<float>? vector)
    {
        var data = new Dictionary<string, object?>(_model.DataProperties.Count, StringComparer.Ordinal);
        var metadata = new Dictionary<string, object?>(_model.DataProperties.Count + 2, StringComparer.Ordinal)
        {
            [KeyProperty.StorageName] = ToMetadataScalar(KeyMapping.FromStorage(key, KeyProperty.Type)),
        };

        foreach (DataPropertyModel property in _model.DataProperties)
        {
            object? value = property.GetValueAsObject(record);
            data[property.StorageName] = Copy(value, property.Type);
            AddMetadata(metadata, property.StorageName, value);
        }

        // A vector embedded from text keeps its source text, so reads return the record as written.
        if (VectorProperty is { } vp && !EmbeddingsModelBuilder.IsNativeVectorType(vp.Type))
        {
            data[vp.StorageName] = vp.GetValueAsObject(record);
        }

        return new StoredRecord(key, data, vector, metadata);
    }

    public TRecord Materialize<TRecord>(StoredRecord stored, bool includeVectors)
    {
        TRecord record = _model.CreateRecord<TRecord>()!;
        KeyProperty.SetValueAsObject(record!, KeyMapping.FromStorage(stored.Key, KeyProperty.Type));
        foreach (DataPropertyModel property in _model.DataProperties)
        {
            if (stored.Data.TryGetValue(property.StorageName, out object? value))
            {
                property.SetValueAsObject(record!, Thaw(value, property.Type));
            }
        }

        if (VectorProperty is { } vp)
        {
            if (!EmbeddingsModelBuilder.IsNativeVectorType(vp.Type))
            {
                if (stored.Data.TryGetValue(vp.StorageName, out object? source))
                {
                    vp.SetValueAsObject(record!, Thaw(source, vp.Type));
                }
            }
            else if (includeVectors && stored.Vector is ReadOnlyMemory<float> vector)
            {
                float[] copy = vector.ToArray();
                object value = vp.Type == typeof(float[]) ? copy
                    : vp.Type == typeof(Embedding<float>) ? new Embedding<float>(copy)
                    : (object)new ReadOnlyMemory<float>(copy);
                vp.SetValueAsObject(record!, value);
            }
        }

        return record;
    }

    /// <summary>Serializes the data values (PgVector keeps them in one metadata field).</summary>
    public string SerializeData(StoredRecord stored)
    {
        var json = new Dictionary<string, JsonElement>(stored.Data.Count, StringComparer.Ordinal);
        foreach (KeyValuePair<string, object?> pair in stored.Data)
        {
            json[pair.Key] = pair.Value is JsonElement element ? element : JsonSerializer.SerializeToElement(pair.Value, pair.Value?.GetType() ?? typeof(object));
        }

        return JsonSerializer.Serialize(json);
    }

    /// <summary>Reads data values written by <see cref="SerializeData"/>; they stay JSON until materialized.</summary>
    public Dictionary<string, object?> DeserializeData(string? json, string key)
    {
        var data = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (json is null)
        {
            return data;
        }

        Dictionary<string, JsonElement>? parsed;
        try
        {
            parsed = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"The stored data of record '{key}' is not valid JSON: {e.Message}", e);
        }

        foreach (KeyValuePair<string, JsonElement> pair in parsed ?? [])
        {
            data[pair.Key] = pair.Value.ValueKind == JsonValueKind.Null ? null : pair.Value;
        }

        return data;
    }

    private static void AddMetadata(Dictionary<string, object?> metadata, string name, object? value)
    {
        if (value is null)
        {
            metadata[NullField(name)] = true;
            return;
        }

        if (ToMetadataScalar(value) is { } scalar)
        {
            metadata[name] = scalar;
            return;
        }

        if (value is IEnumerable sequence and not string)
        {
            foreach (object? element in sequence)
            {
                if (element is not null && ToMetadataScalar(element) is not null)
                {
                    metadata[ElementField(name, element)] = true;
                }
            }
        }
    }

    private static string ElementText(object element) => ToMetadataScalar(element) switch
    {
        string s => "s:" + s,
        bool b => b ? "b:true" : "b:false",
        long l => "n:" + l.ToString(CultureInfo.InvariantCulture),
        double d => d == Math.Floor(d) && Math.Abs(d) < 9e15 ? "n:" + ((long)d).ToString(CultureInfo.InvariantCulture) : "n:" + d.ToString("R", CultureInfo.InvariantCulture),
        var other => "o:" + Convert.ToString(other, CultureInfo.InvariantCulture),
    };

    private static bool IsImmutable(object value) =>
        value is string or bool or char or byte or sbyte or short or ushort or int or uint or long or ulong or float or double or decimal
            or Guid or DateTime or DateTimeOffset or DateOnly or TimeOnly or TimeSpan or Enum;

    // Mutable values (arrays, lists, objects) are copied as JSON, so the caller's later edits do not reach the store.
    private static object? Copy(object? value, Type type) =>
        value is null || IsImmutable(value) ? value : JsonSerializer.SerializeToElement(value, type == typeof(object) ? value.GetType() : type);

    private static object? Thaw(object? value, Type type)
    {
        if (value is not JsonElement element)
        {
            return value;
        }

        if (type == typeof(object))
        {
            return element.Clone();
        }

        try
        {
            return element.Deserialize(type);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"A stored value cannot be read back as {type.Name}: {e.Message}", e);
        }
    }
}
