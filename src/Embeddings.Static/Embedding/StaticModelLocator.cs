namespace Embeddings.Static;

/// <summary>Finds the model file a <see cref="StaticEmbedder"/> loads when none is given in code.</summary>
public static class StaticModelLocator
{
    /// <summary>The environment variable that names the model file or folder: <c>EMBEDDINGS_STATIC_MODEL</c>.</summary>
    public const string ModelEnvironmentVariable = "EMBEDDINGS_STATIC_MODEL";

    /// <summary>The environment variable that names the shared fixtures folder: <c>EMBEDDINGS_SHARED</c>.</summary>
    public const string SharedEnvironmentVariable = "EMBEDDINGS_SHARED";

    /// <summary>The default model's path below the shared folder: <c>models/glove-6B-100d-top100k/vectors.bin</c>.</summary>
    public static readonly string DefaultRelativePath = Path.Combine("models", "glove-6B-100d-top100k", "vectors.bin");

    /// <summary>
    /// Resolves the model path: <paramref name="explicitPath"/> when given; else <c>EMBEDDINGS_STATIC_MODEL</c>;
    /// else the default GloVe file under <c>EMBEDDINGS_SHARED</c>, or under a <c>shared/</c> folder in or beside
    /// the current folder, the application folder, or any folder above them.
    /// </summary>
    /// <param name="explicitPath">A path given in code or configuration, or <see langword="null"/>.</param>
    /// <returns>The full path.</returns>
    /// <exception cref="FileNotFoundException">No path was given and the default model was not found; the message lists where it looked.</exception>
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
            $"The default static model was not found. Set {ModelEnvironmentVariable} to a vectors file or Model2Vec folder, pass a path, or set {SharedEnvironmentVariable}. Looked in: {string.Join("; ", searched.Distinct())}.",
            searched.Count > 0 ? searched[0] : DefaultRelativePath);
    }

    private static IEnumerable<string> Candidates()
    {
        string? shared = Environment.GetEnvironmentVariable(SharedEnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(shared))
        {
            yield return Path.GetFullPath(Path.Combine(shared, DefaultRelativePath));
        }

        foreach (string start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (DirectoryInfo? dir = new(start); dir is not null; dir = dir.Parent)
            {
                yield return Path.Combine(dir.FullName, "shared", DefaultRelativePath);
            }
        }
    }
}
