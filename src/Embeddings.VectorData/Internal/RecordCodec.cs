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
    private readonly DataPropertyModel[] _data;
    private readonly PropertyAccessor[] _dataAccessors;
    private readonly string[] _nullFields;
    private readonly bool _keyIsString;
    private readonly bool _vectorIsText;

    public RecordCodec(CollectionModel model)
    {
        _model = model;
        KeyProperty = model.KeyProperty;
        Key = new PropertyAccessor(KeyProperty);
        VectorProperty = model.VectorProperties.Count == 1 ? model.VectorProperties[0] : null;
        Vector = VectorProperty is null ? null : new PropertyAccessor(VectorProperty);
        _vectorIsText = VectorProperty is { } vp && !EmbeddingsModelBuilder.IsNativeVectorType(vp.Type);
        _data = [.. model.DataProperties];
        _dataAccessors = [.. _data.Select(p => new PropertyAccessor(p))];
        _nullFields = [.. _data.Select(p => NullField(p.StorageName))];
        _keyIsString = KeyProperty.Type == typeof(string);
    }

    public KeyPropertyModel KeyProperty { get; }

    /// <summary>Gets the compiled accessor of the key property.</summary>
    public PropertyAccessor Key { get; }

    public VectorPropertyModel? VectorProperty { get; }

    /// <summary>Gets the compiled accessor of the vector property, when there is exactly one.</summary>
    public PropertyAccessor? Vector { get; }

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
        var data = new Dictionary<string, object?>(_data.Length + (_vectorIsText ? 1 : 0), StringComparer.Ordinal);
        var metadata = new Dictionary<string, object?>(_data.Length + 1, StringComparer.Ordinal)
        {
            [KeyProperty.StorageName] = _keyIsString ? key : ToMetadataScalar(KeyMapping.FromStorage(key, KeyProperty.Type)),
        };

        for (int i = 0; i < _data.Length; i++)
        {
            DataPropertyModel property = _data[i];
            object? value = _dataAccessors[i].Get(record);
            data[property.StorageName] = Copy(value, property.Type);
            if (value is null)
            {
                metadata[_nullFields[i]] = true;
            }
            else
            {
                AddMetadata(metadata, property.StorageName, value);
            }
        }

        // A vector embedded from text keeps its source text, so reads return the record as written.
        if (_vectorIsText)
        {
            data[VectorProperty!.StorageName] = Vector!.Get(record);
        }

        return new StoredRecord(key, data, vector, metadata);
    }

    public TRecord Materialize<TRecord>(StoredRecord stored, bool includeVectors)
    {
        TRecord record = _model.CreateRecord<TRecord>()!;
        Key.Set(record!, _keyIsString ? stored.Key : KeyMapping.FromStorage(stored.Key, KeyProperty.Type));
        for (int i = 0; i < _data.Length; i++)
        {
            if (stored.Data.TryGetValue(_data[i].StorageName, out object? value))
            {
                _dataAccessors[i].Set(record!, Thaw(value, _data[i].Type));
            }
        }

        if (VectorProperty is { } vp)
        {
            if (_vectorIsText)
            {
                if (stored.Data.TryGetValue(vp.StorageName, out object? source))
                {
                    Vector!.Set(record!, Thaw(source, vp.Type));
                }
            }
            else if (includeVectors && stored.Vector is ReadOnlyMemory<float> vector)
            {
                float[] copy = vector.ToArray();
                object value = vp.Type == typeof(float[]) ? copy
                    : vp.Type == typeof(Embedding<float>) ? new Embedding<float>(copy)
                    : (object)new ReadOnlyMemory<float>(copy);
                Vector!.Set(record!, value);
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
