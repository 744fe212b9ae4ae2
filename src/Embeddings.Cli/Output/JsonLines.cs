using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Embeddings.Cli.Output;

/// <summary>Writes one compact JSON object a line, with Utf8JsonWriter (no reflection, so the tool stays trimmable).</summary>
internal static class JsonLines
{
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = false };

    public static string Object(Action<Utf8JsonWriter> writeProperties)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, Options))
        {
            writer.WriteStartObject();
            writeProperties(writer);
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
