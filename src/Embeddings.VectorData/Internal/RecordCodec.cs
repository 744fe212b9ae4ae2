using System.Collections;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
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
    private readonly JsonTypeInfo[] _dataContracts;
    private readonly JsonTypeInfo _vectorSourceContract;
    private readonly string[] _nullFields;
    private readonly bool _keyIsString;
    private readonly bool _vectorIsText;

    /// <param name="model">The collection model.</param>
    /// <param name="valueContracts">
    /// The JSON contract of each data property type, or <see langword="null"/> for a type it has none for: source-generated
    /// only for dynamic collections, reflection-based as a fallback for typed ones.
    /// </param>
    public RecordCodec(CollectionModel model, Func<Type, JsonTypeInfo?> valueContracts)
    {
        _model = model;
        KeyProperty = model.KeyProperty;
        Key = new PropertyAccessor(KeyProperty);
        VectorProperty = model.VectorProperties.Count == 1 ? model.VectorProperties[0] : null;
        Vector = VectorProperty is null ? null : new PropertyAccessor(VectorProperty);
        _vectorIsText = VectorProperty is { } vp && !EmbeddingsModelBuilder.IsNativeVectorType(vp.Type);
        _data = [.. model.DataProperties];
        _dataAccessors = [.. _data.Select(p => new PropertyAccessor(p))];
        _dataContracts = [.. _data.Select(p => valueContracts(p.Type)
            ?? throw new NotSupportedException($"Data property '{p.ModelName}' has type {p.Type.Name}; a dynamic collection accepts {ValueJson.DynamicDataTypes}."))];
        _vectorSourceContract = VectorDataJsonContext.Default.String;
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
            data[property.StorageName] = Copy(value, _dataContracts[i]);
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
                _dataAccessors[i].Set(record!, Thaw(value, _dataContracts[i]));
            }
        }

        if (VectorProperty is { } vp)
        {
            if (_vectorIsText)
            {
                if (stored.Data.TryGetValue(vp.StorageName, out object? source))
                {
                    Vector!.Set(record!, Thaw(source, _vectorSourceContract));
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
    public static string SerializeData(StoredRecord stored)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WriteData(writer, stored.Data);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Writes data values as one JSON object: copies (already JSON) as they are, immutable values as System.Text.Json writes them.</summary>
    public static void WriteData(Utf8JsonWriter writer, IReadOnlyDictionary<string, object?> data)
    {
        writer.WriteStartObject();
        foreach (KeyValuePair<string, object?> pair in data)
        {
            writer.WritePropertyName(pair.Key);
            switch (pair.Value)
            {
                case null:
                    writer.WriteNullValue();
                    break;
                case JsonElement element:
                    element.WriteTo(writer);
                    break;
                default:
                    ValueJson.WriteImmutable(writer, pair.Value);
                    break;
            }
        }

        writer.WriteEndObject();
    }

    /// <summary>Reads data values written by <see cref="WriteData"/>; they stay JSON until materialized.</summary>
    public static Dictionary<string, object?> ReadData(JsonElement json)
    {
        if (json.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidDataException($"data values should be a JSON object; found {json.ValueKind}");
        }

        var data = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (JsonProperty property in json.EnumerateObject())
        {
            data[property.Name] = property.Value.ValueKind == JsonValueKind.Null ? null : property.Value.Clone();
        }

        return data;
    }

    /// <summary>Reads data values written by <see cref="SerializeData"/>; they stay JSON until materialized.</summary>
    public static Dictionary<string, object?> DeserializeData(string? json, string key)
    {
        if (json is null)
        {
            return new Dictionary<string, object?>(StringComparer.Ordinal);
        }

        try
        {
            using JsonDocument document = JsonDocument.Parse(json);
            return ReadData(document.RootElement);
        }
        catch (Exception e) when (e is JsonException or InvalidDataException)
        {
            throw new InvalidDataException($"The stored data of record '{key}' is not valid JSON: {e.Message}", e);
        }
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

    // Exactly the types ValueJson.WriteImmutable writes from the generated contracts; enums are copied as JSON
    // because a generated contract cannot exist for every enum type.
    private static bool IsImmutable(object value) =>
        value is string or bool or char or byte or sbyte or short or ushort or int or uint or long or ulong or float or double or decimal
            or Guid or DateTime or DateTimeOffset or DateOnly or TimeOnly or TimeSpan;

    // Mutable values (arrays, lists, objects) are copied as JSON, so the caller's later edits do not reach the store.
    private static object? Copy(object? value, JsonTypeInfo contract) =>
        value is null || IsImmutable(value) ? value : JsonSerializer.SerializeToElement(value, contract);

    private static object? Thaw(object? value, JsonTypeInfo contract)
    {
        if (value is not JsonElement element)
        {
            return value;
        }

        if (contract.Type == typeof(object))
        {
            return element.Clone();
        }

        try
        {
            return element.Deserialize(contract);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"A stored value cannot be read back as {contract.Type.Name}: {e.Message}", e);
        }
    }
}
