namespace Embeddings.Testing;

/// <summary>Finds the <c>shared/</c> fixtures folder that sits beside the repository checkout.</summary>
public static class SharedData
{
    private static readonly Lazy<string> LazyRoot = new(Locate);

    /// <summary>Gets the absolute path of the shared folder (<c>EMBEDDINGS_SHARED</c> overrides the search).</summary>
    public static string Root => LazyRoot.Value;

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

    private static string Locate()
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

        throw new DirectoryNotFoundException("The shared fixtures folder was not found beside the repository; set EMBEDDINGS_SHARED.");
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
