using System.Buffers;
using System.Buffers.Binary;
using System.Buffers.Text;
using System.Net;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace Embeddings.Http;

/// <summary>
/// Reads embedding responses with <see cref="Utf8JsonReader"/>: the <c>embedding</c> field is either an array of
/// numbers or a base64 string, which a single reader handles without an intermediate object graph.
/// </summary>
internal static class EmbeddingResponseReader
{
    /// <summary>Reads an OpenAI <c>{"data":[{"index":i,"embedding":[...] | "base64"}], "usage":{...}}</c> body into <paramref name="destination"/>, placing each vector by its index.</summary>
    /// <returns>The total token count the server reported, or <see langword="null"/>.</returns>
    public static long? ReadOpenAI(ReadOnlySpan<byte> json, float[][] destination, int dimensions, Uri endpoint)
    {
        long? totalTokens = null;
        bool sawData = false;
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 16 });
        try
        {
            Expect(ref reader, JsonTokenType.StartObject, "the response", endpoint);
            while (Next(ref reader) && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("data"u8))
                {
                    sawData = true;
                    Next(ref reader);
                    Require(ref reader, JsonTokenType.StartArray, "\"data\"", endpoint);
                    while (Next(ref reader) && reader.TokenType != JsonTokenType.EndArray)
                    {
                        ReadOpenAIItem(ref reader, destination, dimensions, endpoint);
                    }
                }
                else if (reader.ValueTextEquals("usage"u8))
                {
                    Next(ref reader);
                    totalTokens = ReadTotalTokens(ref reader);
                }
                else
                {
                    Next(ref reader);
                    reader.Skip();
                }
            }
        }
        catch (JsonException ex)
        {
            throw Invalid(endpoint, $"malformed JSON ({ex.Message})", ex);
        }

        if (!sawData)
        {
            throw Invalid(endpoint, "the response has no \"data\" array");
        }

        for (int i = 0; i < destination.Length; i++)
        {
            if (destination[i] is null)
            {
                throw Invalid(endpoint, $"no embedding came back for index {i} of {destination.Length}");
            }
        }

        return totalTokens;
    }

    /// <summary>Reads a TEI native <c>[[...], [...]]</c> body into <paramref name="destination"/>, in order.</summary>
    public static void ReadTei(ReadOnlySpan<byte> json, float[][] destination, int dimensions, Uri endpoint)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 16 });
        int count = 0;
        try
        {
            Expect(ref reader, JsonTokenType.StartArray, "the response", endpoint);
            while (Next(ref reader) && reader.TokenType != JsonTokenType.EndArray)
            {
                if (count == destination.Length)
                {
                    throw Invalid(endpoint, $"more than the {destination.Length} embeddings asked for came back");
                }

                Require(ref reader, JsonTokenType.StartArray, $"embedding {count}", endpoint);
                destination[count] = ReadFloatArray(ref reader, dimensions, count, endpoint);
                CheckFinite(destination[count], count, endpoint);
                count++;
            }
        }
        catch (JsonException ex)
        {
            throw Invalid(endpoint, $"malformed JSON ({ex.Message})", ex);
        }

        if (count != destination.Length)
        {
            throw Invalid(endpoint, $"{count} embeddings came back for {destination.Length} inputs");
        }
    }

    private static void ReadOpenAIItem(ref Utf8JsonReader reader, float[][] destination, int dimensions, Uri endpoint)
    {
        Require(ref reader, JsonTokenType.StartObject, "an item of \"data\"", endpoint);
        int? index = null;
        float[]? vector = null;
        while (Next(ref reader) && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("index"u8))
            {
                Next(ref reader);
                if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out int value))
                {
                    throw Invalid(endpoint, "an \"index\" is not an integer");
                }

                index = value;
            }
            else if (reader.ValueTextEquals("embedding"u8))
            {
                Next(ref reader);
                vector = reader.TokenType switch
                {
                    JsonTokenType.StartArray => ReadFloatArray(ref reader, dimensions, index, endpoint),
                    JsonTokenType.String => ReadBase64(ref reader, dimensions, index, endpoint),
                    _ => throw Invalid(endpoint, $"an \"embedding\" is a {reader.TokenType}, neither an array of numbers nor a base64 string"),
                };
            }
            else
            {
                Next(ref reader);
                reader.Skip();
            }
        }

        if (index is not int i)
        {
            throw Invalid(endpoint, "an item of \"data\" has no \"index\"");
        }

        if (vector is null)
        {
            throw Invalid(endpoint, $"the item with index {i} has no \"embedding\"");
        }

        // Checked here, once the index is known whichever order the fields came in. A number past float32's range reads as
        // an infinity and base64 carries NaN as is: both are refused, never stored.
        CheckFinite(vector, i, endpoint);
        if ((uint)i >= (uint)destination.Length)
        {
            throw Invalid(endpoint, $"index {i} is outside the {destination.Length} inputs sent");
        }

        if (destination[i] is not null)
        {
            throw Invalid(endpoint, $"index {i} came back twice");
        }

        destination[i] = vector;
    }

    private static float[] ReadFloatArray(ref Utf8JsonReader reader, int dimensions, int? index, Uri endpoint)
    {
        var vector = new float[dimensions];
        int length = 0;
        while (Next(ref reader) && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.Number)
            {
                throw Invalid(endpoint, $"embedding {Describe(index)} holds a {reader.TokenType} where a number belongs");
            }

            if (length < dimensions)
            {
                vector[length] = reader.GetSingle();
            }

            length++;
        }

        if (length != dimensions)
        {
            throw WrongLength(endpoint, length, dimensions, index);
        }

        return vector;
    }

    private static float[] ReadBase64(ref Utf8JsonReader reader, int dimensions, int? index, Uri endpoint)
    {
        // The usual value (unescaped, encoded length exactly that of the expected vector) decodes straight into the vector. Anything
        // else, including every malformed value, takes the general path, which reports the problem.
        int byteLength = dimensions * sizeof(float);
        if (!reader.HasValueSequence && !reader.ValueIsEscaped && reader.ValueSpan.Length == Base64.GetMaxEncodedToUtf8Length(byteLength))
        {
            var vector = new float[dimensions];
            if (Base64.DecodeFromUtf8(reader.ValueSpan, MemoryMarshal.AsBytes(vector.AsSpan()), out _, out int written) == OperationStatus.Done
                && written == byteLength)
            {
                FromLittleEndian(vector);
                return vector;
            }
        }

        return ReadAnyBase64(ref reader, dimensions, index, endpoint);
    }

    private static float[] ReadAnyBase64(ref Utf8JsonReader reader, int dimensions, int? index, Uri endpoint)
    {
        byte[] bytes;
        try
        {
            bytes = reader.GetBytesFromBase64();
        }
        catch (FormatException ex)
        {
            throw Invalid(endpoint, $"embedding {Describe(index)} is a string that is not base64", ex);
        }

        if (bytes.Length % sizeof(float) != 0)
        {
            throw Invalid(endpoint, $"embedding {Describe(index)} decodes to {bytes.Length} bytes, not a whole number of float32 values");
        }

        int length = bytes.Length / sizeof(float);
        if (length != dimensions)
        {
            throw WrongLength(endpoint, length, dimensions, index);
        }

        var vector = new float[length];
        MemoryMarshal.Cast<byte, float>(bytes).CopyTo(vector);
        FromLittleEndian(vector);
        return vector;
    }

    /// <summary>The wire format is little-endian float32; on a big-endian machine the decoded words are swapped in place.</summary>
    private static void FromLittleEndian(float[] vector)
    {
        if (!BitConverter.IsLittleEndian)
        {
            Span<int> words = MemoryMarshal.Cast<float, int>(vector.AsSpan());
            BinaryPrimitives.ReverseEndianness(words, words);
        }
    }

    private static long? ReadTotalTokens(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return null;
        }

        long? total = null;
        while (Next(ref reader) && reader.TokenType == JsonTokenType.PropertyName)
        {
            bool isTotal = reader.ValueTextEquals("total_tokens"u8);
            Next(ref reader);
            if (isTotal && reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out long value))
            {
                total = value;
            }
            else
            {
                reader.Skip();
            }
        }

        return total;
    }

    private static bool Next(ref Utf8JsonReader reader)
    {
        if (!reader.Read())
        {
            throw new JsonException("the body ends early");
        }

        return true;
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type, string what, Uri endpoint)
    {
        Next(ref reader);
        Require(ref reader, type, what, endpoint);
    }

    private static void Require(ref Utf8JsonReader reader, JsonTokenType type, string what, Uri endpoint)
    {
        if (reader.TokenType != type)
        {
            throw Invalid(endpoint, $"{what} is a {reader.TokenType} where a {type} belongs");
        }
    }

    private static void CheckFinite(float[] vector, int? index, Uri endpoint)
    {
        for (int i = 0; i < vector.Length; i++)
        {
            if (!float.IsFinite(vector[i]))
            {
                throw NotFinite(endpoint, index, i, vector[i].ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
        }
    }

    private static EmbeddingHttpException NotFinite(Uri endpoint, int? index, int position, string value) =>
        Invalid(endpoint, $"embedding {Describe(index)} holds {value} at position {position}, which is not a finite float32 (a NaN, or a number beyond float32's range of about 3.4e38)");

    private static string Describe(int? index) => index is int i ? $"for index {i}" : "(index not yet read)";

    private static EmbeddingHttpException WrongLength(Uri endpoint, int length, int dimensions, int? index) =>
        Invalid(endpoint, $"embedding {Describe(index)} has {length} dimensions; expected {dimensions}");

    private static EmbeddingHttpException Invalid(Uri endpoint, string problem, Exception? inner = null) =>
        new($"The embedding endpoint {endpoint} returned an invalid response: {problem}.", endpoint, HttpStatusCode.OK, HttpRequestError.InvalidResponse, innerException: inner);
}
