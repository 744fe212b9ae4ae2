using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Embeddings.PgVector;

/// <summary>
/// Metadata to and from jsonb. Doubles are written with a fractional part (<c>2.0</c>, not <c>2</c>) and jsonb keeps
/// numeric scale, so a value comes back with the type it went in with: <see cref="long"/> or <see cref="double"/>.
/// </summary>
internal static class MetadataJson
{
    /// <summary>Serializes metadata, already checked and normalized by the shared record validation, to a JSON object.</summary>
    /// <param name="metadata">The normalized metadata (string, long, double, bool or null values).</param>
    /// <param name="key">The record's key, for error messages.</param>
    /// <returns>The JSON text.</returns>
    /// <exception cref="ArgumentException">A value is not finite (jsonb holds no NaN or infinity) or has an unsupported type.</exception>
    public static string Serialize(IReadOnlyDictionary<string, object?> metadata, string key)
    {
        var buffer = new ArrayBufferWriter<byte>(64 + (metadata.Count * 24));
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (KeyValuePair<string, object?> pair in metadata)
            {
                writer.WritePropertyName(pair.Key);
                if (pair.Value is null)
                {
                    writer.WriteNullValue();
                }
                else
                {
                    WriteValue(writer, pair.Value, $"record '{key}', metadata field '{pair.Key}'");
                }
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Serializes one normalized scalar to JSON text.</summary>
    /// <param name="value">A string, long, double or bool.</param>
    /// <returns>The JSON text, or <see langword="null"/> for a double that JSON cannot hold (NaN, infinities).</returns>
    public static string? SerializeScalar(object value)
    {
        if (value is double d && !double.IsFinite(d))
        {
            return null;
        }

        var buffer = new ArrayBufferWriter<byte>(32);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WriteValue(writer, value, "filter value");
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Serializes <c>{"field": value}</c>, the document a containment (<c>@&gt;</c>) test looks for.</summary>
    /// <param name="field">The field.</param>
    /// <param name="value">A normalized, finite scalar.</param>
    /// <returns>The JSON text.</returns>
    public static string SerializeContainment(string field, object value)
    {
        var buffer = new ArrayBufferWriter<byte>(32);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WritePropertyName(field);
            WriteValue(writer, value, "filter value");
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Reads a JSON object written by <see cref="Serialize"/> (as the server returns it).</summary>
    /// <param name="json">The JSON text, or <see langword="null"/>.</param>
    /// <returns>The metadata, or <see langword="null"/>.</returns>
    public static IReadOnlyDictionary<string, object?>? Deserialize(string? json)
    {
        if (json is null)
        {
            return null;
        }

        using JsonDocument document = JsonDocument.Parse(json);
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (JsonProperty property in document.RootElement.EnumerateObject())
        {
            result[property.Name] = property.Value.ValueKind switch
            {
                JsonValueKind.String => property.Value.GetString(),
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                JsonValueKind.Number => ReadNumber(property.Value),
                JsonValueKind.Null => null,
                _ => property.Value.GetRawText(), // written by someone else: keep it readable rather than fail
            };
        }

        return result;
    }

    private static object ReadNumber(JsonElement element)
    {
        string raw = element.GetRawText();
        bool fractional = raw.AsSpan().IndexOfAny('.', 'e', 'E') >= 0;
        return !fractional && element.TryGetInt64(out long integer) ? integer : (object)element.GetDouble();
    }

    private static void WriteValue(Utf8JsonWriter writer, object value, string what)
    {
        switch (value)
        {
            case string s:
                writer.WriteStringValue(s);
                break;
            case long l:
                writer.WriteNumberValue(l);
                break;
            case bool b:
                writer.WriteBooleanValue(b);
                break;
            case double d:
                if (!double.IsFinite(d))
                {
                    throw new ArgumentException($"The {what} is {d}; jsonb holds finite numbers only.");
                }

                writer.WriteRawValue(FormatDouble(d), skipInputValidation: true);
                break;
            default:
                throw new ArgumentException($"The {what} has unsupported type {value.GetType().Name}.");
        }
    }

    private static string FormatDouble(double d)
    {
        string text = d.ToString("R", CultureInfo.InvariantCulture);
        if (text.Contains('E', StringComparison.Ordinal))
        {
            // jsonb prints numeric without an exponent, so 1E+15 would come back as the integer 1000000000000000.
            return Math.Abs(d) >= 1 ? d.ToString("F1", CultureInfo.InvariantCulture) : text;
        }

        return text.Contains('.', StringComparison.Ordinal) ? text : text + ".0";
    }
}
