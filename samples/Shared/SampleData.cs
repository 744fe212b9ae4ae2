namespace Embeddings.Samples;

/// <summary>Finds the shared fixtures folder (datasets, the GloVe vectors) the samples run on.</summary>
internal static class SampleData
{
    /// <summary>Returns the shared folder: <c>EMBEDDINGS_SHARED</c>, else a <c>shared</c> folder beside or inside a parent of the working or program folder.</summary>
    public static string SharedRoot()
    {
        string? overridden = Environment.GetEnvironmentVariable("EMBEDDINGS_SHARED");
        if (!string.IsNullOrWhiteSpace(overridden))
        {
            return Path.GetFullPath(overridden);
        }

        foreach (string start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (DirectoryInfo? dir = new(start); dir is not null; dir = dir.Parent)
            {
                foreach (string candidate in new[] { Path.Combine(dir.FullName, "shared"), Path.Combine(dir.FullName, "..", "shared") })
                {
                    if (Directory.Exists(Path.Combine(candidate, "data")))
                    {
                        return Path.GetFullPath(candidate);
                    }
                }
            }
        }

        throw new DirectoryNotFoundException("The shared fixtures folder was not found beside the checkout; set EMBEDDINGS_SHARED.");
    }

    /// <summary>Returns the folder of a BEIR dataset under <c>shared/data</c>, or <paramref name="nameOrPath"/> itself when it is a folder.</summary>
    public static string Dataset(string nameOrPath)
    {
        if (Directory.Exists(nameOrPath))
        {
            return Path.GetFullPath(nameOrPath);
        }

        string path = Path.Combine(SharedRoot(), "data", nameOrPath);
        return Directory.Exists(path) ? path : throw new DirectoryNotFoundException($"Dataset '{nameOrPath}' not found (looked for {path}).");
    }
}
