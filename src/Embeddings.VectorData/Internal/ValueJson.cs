using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Embeddings.VectorData.Internal;

/// <summary>
/// Finds the JSON contract of a data value type: source-generated for the types a dynamic collection accepts
/// (<see cref="VectorDataJsonContext"/>), reflection-based only for the other types a typed record may hold.
/// </summary>
internal static class ValueJson
{
    /// <summary>The data value types a dynamic collection accepts, for error messages.</summary>
    public const string DynamicDataTypes =
        "string, bool, char, the integer and floating-point types, decimal, Guid, DateTime, DateTimeOffset, DateOnly, TimeOnly, TimeSpan, "
        + "their nullable forms, and arrays or List<T> of any of them";

    /// <summary>Gets the source-generated contract of <paramref name="type"/>, or <see langword="null"/> when it has none.</summary>
    public static JsonTypeInfo? Generated(Type type) =>
        type == typeof(CollectionManifest) ? null : VectorDataJsonContext.Default.GetTypeInfo(type);

    /// <summary>Gets a contract for any type: the generated one where there is one, else one built by reflection.</summary>
    [RequiresUnreferencedCode("Data property types of typed records are serialized with reflection-based JSON unless they are MEVD's scalar types or arrays or lists of them.")]
    [RequiresDynamicCode("Data property types of typed records are serialized with reflection-based JSON unless they are MEVD's scalar types or arrays or lists of them.")]
    public static JsonTypeInfo GeneratedOrReflected(Type type) => Generated(type) ?? JsonSerializerOptions.Default.GetTypeInfo(type);

    /// <summary>Writes an immutable data value (<see cref="RecordCodec"/> keeps those as they are) exactly as System.Text.Json would.</summary>
    public static void WriteImmutable(Utf8JsonWriter writer, object value)
    {
        switch (value)
        {
            case string s:
                writer.WriteStringValue(s);
                break;
            case long l:
                writer.WriteNumberValue(l);
                break;
            case int i:
                writer.WriteNumberValue(i);
                break;
            case double d:
                writer.WriteNumberValue(d);
                break;
            case bool b:
                writer.WriteBooleanValue(b);
                break;
            default:
                JsonTypeInfo info = Generated(value.GetType())
                    ?? throw new InvalidOperationException($"A stored value of type {value.GetType().Name} has no JSON contract; only immutable scalars are kept unserialized.");
                JsonSerializer.Serialize(writer, value, info);
                break;
        }
    }
}
