namespace Embeddings.VectorData.Internal;

/// <summary>
/// One record as the collection keeps it: the storage key, the data values by storage name (immutable values as
/// they are, anything mutable as a JSON copy so later changes to the caller's object do not leak in), the vector,
/// and the metadata the index filters on.
/// </summary>
internal sealed class StoredRecord(string key, Dictionary<string, object?> data, ReadOnlyMemory<float>? vector, IReadOnlyDictionary<string, object?> metadata)
{
    public string Key { get; } = key;

    public Dictionary<string, object?> Data { get; } = data;

    public ReadOnlyMemory<float>? Vector { get; } = vector;

    public IReadOnlyDictionary<string, object?> Metadata { get; } = metadata;
}
