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

    /// <summary>
    /// Says in one line what a sample that runs on the shared fixtures lacks (the default GloVe vectors, a BEIR
    /// dataset), or returns <see langword="null"/> when everything is there. A fresh clone has no shared folder.
    /// </summary>
    /// <param name="sample">The sample's name, for the message.</param>
    /// <param name="datasets">The dataset names or folders the sample will open.</param>
    /// <returns>The message, or <see langword="null"/>.</returns>
    public static string? MissingFixtures(string sample, params string[] datasets)
    {
        var missing = new List<string>();
        try
        {
            string model = Embeddings.Static.StaticModelLocator.Resolve();
            if (!File.Exists(model) && !Directory.Exists(model))
            {
                missing.Add($"the static model {model}");
            }
        }
        catch (FileNotFoundException)
        {
            missing.Add($"the static model ({Embeddings.Static.StaticModelLocator.ModelEnvironmentVariable} or the embedded default)");
        }

        string? shared = null;
        try
        {
            shared = SharedRoot();
        }
        catch (DirectoryNotFoundException)
        {
        }

        foreach (string dataset in datasets)
        {
            if (!Directory.Exists(dataset) && (shared is null || !Directory.Exists(Path.Combine(shared, "data", dataset))))
            {
                missing.Add($"the dataset data/{dataset}");
            }
        }

        return missing.Count == 0
            ? null
            : $"{sample} needs the shared fixtures folder, which a fresh clone does not have ({string.Join(", ", missing)} not found): put it at ../shared beside the checkout or set EMBEDDINGS_SHARED to it.";
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
