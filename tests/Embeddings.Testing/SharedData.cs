namespace Embeddings.Testing;

/// <summary>Finds the <c>shared/</c> fixtures folder that sits beside the repository checkout.</summary>
public static class SharedData
{
    private static readonly Lazy<string?> LazyRoot = new(TryLocate);

    /// <summary>Gets the absolute path of the shared folder (<c>EMBEDDINGS_SHARED</c> overrides the search).</summary>
    public static string Root => LazyRoot.Value
        ?? throw new DirectoryNotFoundException("The shared fixtures folder was not found beside the repository; set EMBEDDINGS_SHARED.");

    /// <summary>Gets a value indicating whether the shared folder was found.</summary>
    public static bool IsAvailable => LazyRoot.Value is not null;

    /// <summary>
    /// Says which of <paramref name="fixtures"/> are missing, as a skip reason, or returns <see langword="null"/>
    /// when all of them exist.
    /// </summary>
    /// <param name="fixtures">Paths below the shared folder, with <c>/</c> separators.</param>
    /// <returns>The reason, naming every missing fixture, or <see langword="null"/>.</returns>
    public static string? MissingReason(params string[] fixtures)
    {
        ArgumentNullException.ThrowIfNull(fixtures);
        string? root = LazyRoot.Value;
        var missing = new List<string>();
        foreach (string fixture in fixtures.Length == 0 ? ["."] : fixtures)
        {
            string path = root is null ? fixture : System.IO.Path.Combine(root, fixture);
            if (root is null || (!File.Exists(path) && !Directory.Exists(path)))
            {
                missing.Add("shared/" + fixture.TrimStart('.', '/'));
            }
        }

        return missing.Count == 0
            ? null
            : $"Missing shared fixture{(missing.Count > 1 ? "s" : string.Empty)}: {string.Join(", ", missing)} (set EMBEDDINGS_SHARED or put shared/ beside the checkout).";
    }

    /// <summary>Gets the repository root (the folder holding Embeddings.Core.sln).</summary>
    public static string RepositoryRoot => FindRepositoryRoot() ?? throw new DirectoryNotFoundException("Embeddings.Core.sln was not found above " + AppContext.BaseDirectory);

    /// <summary>Combines <paramref name="parts"/> under <see cref="Root"/> and checks that the path exists.</summary>
    /// <param name="parts">Path segments below the shared folder.</param>
    /// <returns>The absolute path.</returns>
    public static string Path(params string[] parts)
    {
        string path = System.IO.Path.Combine([Root, .. parts]);
        if (!File.Exists(path) && !Directory.Exists(path))
        {
            throw new FileNotFoundException($"Shared fixture '{path}' does not exist.", path);
        }

        return path;
    }

    private static string? TryLocate()
    {
        string? overridden = Environment.GetEnvironmentVariable("EMBEDDINGS_SHARED");
        if (!string.IsNullOrEmpty(overridden))
        {
            return System.IO.Path.GetFullPath(overridden);
        }

        string? repo = FindRepositoryRoot();
        if (repo is not null)
        {
            foreach (string candidate in new[] { System.IO.Path.Combine(repo, "..", "shared"), System.IO.Path.Combine(repo, "shared") })
            {
                if (Directory.Exists(candidate))
                {
                    return System.IO.Path.GetFullPath(candidate);
                }
            }
        }

        return null;
    }

    private static string? FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Embeddings.Core.sln")))
            {
                return dir.FullName;
            }
        }

        return null;
    }
}
