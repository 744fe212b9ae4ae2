namespace Embeddings;

/// <summary>
/// A container-registered in-memory index and the file it is loaded from and saved to. Resolve it to save on demand
/// (for example after a bulk import); the container saves it once more when it disposes the index, unless
/// <see cref="VectorIndexFileOptions.SaveOnDispose"/> is off.
/// </summary>
public sealed class VectorIndexFile : IDisposable
{
    internal VectorIndexFile(InMemoryVectorIndex index, string? path, bool loaded, bool saveOnDispose)
    {
        Index = index;
        Path = path;
        Loaded = loaded;
        if (path is not null && saveOnDispose)
        {
            index.SetBeforeDispose(i => i.Save(path));
        }
    }

    /// <summary>Gets the index.</summary>
    public InMemoryVectorIndex Index { get; }

    /// <summary>Gets the full path of the index file, or <see langword="null"/> when the index lives in memory only.</summary>
    public string? Path { get; }

    /// <summary>Gets a value indicating whether the index was loaded from <see cref="Path"/> (rather than created empty).</summary>
    public bool Loaded { get; }

    /// <summary>Saves the index to <see cref="Path"/> now.</summary>
    /// <exception cref="InvalidOperationException">No path was configured.</exception>
    public void Save()
    {
        if (Path is null)
        {
            throw new InvalidOperationException("This index has no file: set VectorIndexFileOptions.Path in AddFlatIndex/AddHnswIndex to save it.");
        }

        Index.Save(Path);
    }

    /// <summary>Saves the index (when configured to) and disposes it.</summary>
    public void Dispose() => Index.Dispose();
}
