namespace Embeddings.Static;

/// <summary>Finds the model a <see cref="StaticEmbedder"/> loads when none is given in code, and the shared GloVe vectors.</summary>
public static class StaticModelLocator
{
    /// <summary>The environment variable that names the model file or folder: <c>EMBEDDINGS_STATIC_MODEL</c>.</summary>
    public const string ModelEnvironmentVariable = "EMBEDDINGS_STATIC_MODEL";

    /// <summary>The environment variable that names the shared fixtures folder: <c>EMBEDDINGS_SHARED</c>.</summary>
    public const string SharedEnvironmentVariable = "EMBEDDINGS_SHARED";

    /// <summary>The GloVe vectors' path below the shared folder: <c>models/glove-6B-100d-top100k/vectors.bin</c>.</summary>
    public static readonly string GloVeRelativePath = Path.Combine("models", "glove-6B-100d-top100k", "vectors.bin");

    /// <summary>
    /// Resolves the model path: <paramref name="explicitPath"/> when given; else <c>EMBEDDINGS_STATIC_MODEL</c>;
    /// else the default model that ships in this assembly (see <see cref="StaticDefaultModel"/>), a Model2Vec table
    /// distilled from all-MiniLM-L6-v2.
    /// </summary>
    /// <param name="explicitPath">A path given in code or configuration, or <see langword="null"/>.</param>
    /// <returns>The full path.</returns>
    /// <exception cref="IOException">No path was given and the default model could not be written to a cache folder.</exception>
    public static string Resolve(string? explicitPath = null)
    {
        if (!string.IsNullOrWhiteSpace(explicitPath))
        {
            return Path.GetFullPath(explicitPath);
        }

        string? fromEnvironment = Environment.GetEnvironmentVariable(ModelEnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return Path.GetFullPath(fromEnvironment);
        }

        return StaticDefaultModel.GetPath();
    }

    /// <summary>
    /// Finds the GloVe 6B 100d vectors (top 100,000 words, word2vec binary) of the shared fixtures: under
    /// <c>EMBEDDINGS_SHARED</c>, or under a <c>shared/</c> folder in or beside the current folder, the application
    /// folder, or any folder above them.
    /// </summary>
    /// <returns>The full path.</returns>
    /// <exception cref="FileNotFoundException">The file was not found; the message lists where it looked.</exception>
    public static string ResolveGloVe()
    {
        var searched = new List<string>();
        foreach (string candidate in Candidates())
        {
            searched.Add(candidate);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException(
            $"The GloVe vectors were not found. Set {SharedEnvironmentVariable} to the shared fixtures folder or pass the path of the file. Looked in: {string.Join("; ", searched.Distinct())}.",
            searched.Count > 0 ? searched[0] : GloVeRelativePath);
    }

    private static IEnumerable<string> Candidates()
    {
        string? shared = Environment.GetEnvironmentVariable(SharedEnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(shared))
        {
            yield return Path.GetFullPath(Path.Combine(shared, GloVeRelativePath));
        }

        foreach (string start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (DirectoryInfo? dir = new(start); dir is not null; dir = dir.Parent)
            {
                yield return Path.Combine(dir.FullName, "shared", GloVeRelativePath);
            }
        }
    }
}
