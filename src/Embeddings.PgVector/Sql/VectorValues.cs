using System.Collections;
using System.Runtime.InteropServices;
using Npgsql;
using NpgsqlTypes;

namespace Embeddings.PgVector;

/// <summary>How a vector travels to the server: a float array cast there to the column type, or a bit string for <see cref="PgVectorStorageType.Bit"/>.</summary>
internal static class VectorValues
{
    /// <summary>Gets the wire type of a vector value.</summary>
    /// <param name="storage">The column's storage.</param>
    /// <returns><c>real[]</c> or <c>varbit</c>.</returns>
    public static NpgsqlDbType WireType(PgVectorStorageType storage) =>
        storage == PgVectorStorageType.Bit ? NpgsqlDbType.Varbit : NpgsqlDbType.Array | NpgsqlDbType.Real;

    /// <summary>Turns a vector into the value that travels: a float array, or the signs as bits.</summary>
    /// <param name="vector">The vector.</param>
    /// <param name="storage">The column's storage.</param>
    /// <returns>A <see cref="float"/> array or a <see cref="BitArray"/>.</returns>
    public static object ToValue(ReadOnlyMemory<float> vector, PgVectorStorageType storage)
    {
        if (storage == PgVectorStorageType.Bit)
        {
            ReadOnlySpan<float> span = vector.Span;
            var bits = new BitArray(span.Length);
            for (int i = 0; i < span.Length; i++)
            {
                bits[i] = span[i] > 0f;
            }

            return bits;
        }

        // Copy unless the memory is a whole array: the caller may reuse its buffer once the call returns.
        return MemoryMarshal.TryGetArray(vector, out ArraySegment<float> segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : vector.ToArray();
    }

    /// <summary>Wraps a value from <see cref="ToValue"/> as a typed parameter.</summary>
    /// <param name="value">The value.</param>
    /// <param name="storage">The column's storage.</param>
    /// <returns>The parameter.</returns>
    public static NpgsqlParameter Parameter(object value, PgVectorStorageType storage) => new() { Value = value, NpgsqlDbType = WireType(storage) };
}
