using System.Collections.Concurrent;

namespace Embeddings.VectorData.Internal;

/// <summary>
/// One in-process collection, shared by every <see cref="Microsoft.Extensions.VectorData.VectorStoreCollection{TKey, TRecord}"/>
/// the store hands out for its name: the index, the record payloads by key, and the gate that orders writes and saves.
/// </summary>
internal sealed class InProcessCollectionState(string name, string? folder) : IDisposable
{
    public string Name { get; } = name;

    /// <summary>Gets the collection's folder, or <see langword="null"/> when the store keeps nothing on disk.</summary>
    public string? Folder { get; } = folder;

    /// <summary>Gets the gate every write, load, save and delete takes, so a save writes one consistent snapshot.</summary>
    public SemaphoreSlim Gate { get; } = new(1, 1);

    public ConcurrentDictionary<string, StoredRecord> Records { get; } = new(StringComparer.Ordinal);

    public InMemoryVectorIndex? Index { get; set; }

    public CollectionManifest? Manifest { get; set; }

    /// <summary>Gets or sets whether the collection exists (created, or loaded from its folder).</summary>
    public bool Exists { get; set; }

    /// <summary>Gets or sets the saved version the folder's <c>CURRENT</c> file names.</summary>
    public int Version { get; set; }

    public void Reset()
    {
        Index?.Dispose();
        Index = null;
        Manifest = null;
        Records.Clear();
        Exists = false;
    }

    public void Dispose()
    {
        Index?.Dispose();
        Gate.Dispose();
    }
}
