using System.Buffers;

namespace Embeddings.Indexing.Internal;

/// <summary>Argument checks shared by the in-process indexes, so every backend refuses bad input with the same words.</summary>
internal static class RecordValidation
{
    public static void CheckKey(string key, string paramName = "key")
    {
        if (key is null)
        {
            throw new ArgumentNullException(paramName, "A record key may not be null.");
        }

        if (key.Length == 0)
        {
            throw new ArgumentException("A record key may not be empty.", paramName);
        }

        if (Utf16Text.DescribeLoneSurrogate(key) is string problem)
        {
            throw new ArgumentException($"The record key {problem}.", paramName);
        }
    }

    public static void CheckVector(ReadOnlySpan<float> vector, int dimensions, string paramName)
    {
        if (vector.Length != dimensions)
        {
            throw new ArgumentException($"Dimension mismatch: the index holds {dimensions}-dimensional vectors, got {vector.Length}.", paramName);
        }

        VectorMath.EnsureFinite(vector, paramName);
    }

    /// <summary>Copies metadata with every value normalized to string, long, double, bool or null.</summary>
    public static IReadOnlyDictionary<string, object?>? NormalizeMetadata(IReadOnlyDictionary<string, object?>? metadata, string key)
    {
        MetadataSchema? shared = null;
        return NormalizeMetadata(metadata, key, ref shared);
    }

    /// <summary>
    /// Copies metadata with every value normalized to string, long, double, bool or null, into a compact row whose
    /// field names are shared with the previous row when they are the same (<paramref name="shared"/>).
    /// </summary>
    public static MetadataRow? NormalizeMetadata(IReadOnlyDictionary<string, object?>? metadata, string key, ref MetadataSchema? shared)
    {
        if (metadata is null || metadata.Count == 0)
        {
            return null;
        }

        int count = metadata.Count;
        string[] names = ArrayPool<string>.Shared.Rent(count);
        object?[] values = ArrayPool<object?>.Shared.Rent(count);
        try
        {
            int n = 0;
            foreach (KeyValuePair<string, object?> pair in metadata)
            {
                if (string.IsNullOrEmpty(pair.Key))
                {
                    throw new ArgumentException($"Record '{key}' has a metadata field with an empty name.", nameof(metadata));
                }

                if (Utf16Text.DescribeLoneSurrogate(pair.Key) is string nameProblem)
                {
                    throw new ArgumentException($"Record '{key}': a metadata field name {nameProblem}.", nameof(metadata));
                }

                if (pair.Value is string text && Utf16Text.DescribeLoneSurrogate(text) is string valueProblem)
                {
                    throw new ArgumentException($"Record '{key}', metadata field '{pair.Key}': the value {valueProblem}.", nameof(metadata));
                }

                if (n == count)
                {
                    throw new ArgumentException($"Record '{key}': the metadata enumerates more fields than its Count ({count}).", nameof(metadata));
                }

                try
                {
                    values[n] = pair.Value is null ? null : MetadataFilter.Normalize(pair.Value);
                }
                catch (ArgumentException e)
                {
                    throw new ArgumentException($"Record '{key}', metadata field '{pair.Key}': {e.Message}", nameof(metadata), e);
                }

                names[n++] = pair.Key;
            }

            if (n == 0)
            {
                return null;
            }

            try
            {
                return MetadataRow.Create(names.AsSpan(0, n), values.AsSpan(0, n), ref shared);
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"Record '{key}': {e.Message}", nameof(metadata), e);
            }
        }
        finally
        {
            ArrayPool<string>.Shared.Return(names, clearArray: true);
            ArrayPool<object?>.Shared.Return(values, clearArray: true);
        }
    }

    public static void CheckBatch(IReadOnlyList<VectorRecord> records, int dimensions)
    {
        ArgumentNullException.ThrowIfNull(records);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < records.Count; i++)
        {
            CheckRecord(records[i], i, dimensions, seen, nameof(records));
        }
    }

    /// <summary>
    /// Checks one record of a batch (not null, key, unique among <paramref name="seen"/>, vector), for backends that
    /// read records one at a time, such as PgVector's bulk load, so that they refuse bad input with the same words.
    /// </summary>
    public static void CheckRecord(VectorRecord? record, long position, int dimensions, ISet<string> seen, string paramName)
    {
        if (record is null)
        {
            throw new ArgumentException($"Record {position} is null.", paramName);
        }

        try
        {
            CheckKey(record.Key, paramName);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"Record {position}: {e.Message}", paramName, e);
        }

        if (!seen.Add(record.Key))
        {
            throw new ArgumentException($"Key '{record.Key}' appears more than once in the batch.", paramName);
        }

        try
        {
            CheckVector(record.Vector.Span, dimensions, paramName);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"Record '{record.Key}': {e.Message}", paramName, e);
        }
    }
}
