using System.Security.Cryptography;

namespace Embeddings.Static;

/// <summary>
/// The static model that ships inside this assembly: a Model2Vec table distilled from all-MiniLM-L6-v2 by
/// <c>Embeddings.Distillation</c> (see the README for the command that remakes it). It is what
/// <see cref="StaticModelLocator.Resolve"/> and <c>UseStaticModel()</c> load when no model is named, so the static
/// path works with nothing beside the application.
/// </summary>
/// <remarks>
/// The loaders read folders, so the first use writes the embedded files to a cache folder (through a temporary folder
/// that is renamed when complete): <c>EMBEDDINGS_CACHE</c>, else the local application data folder, else the temporary
/// folder, under <c>Embeddings.Core/static-default/&lt;content hash&gt;/&lt;name&gt;</c>. Later uses find it there.
/// </remarks>
public static class StaticDefaultModel
{
    /// <summary>The environment variable that names the cache folder: <c>EMBEDDINGS_CACHE</c>.</summary>
    public const string CacheEnvironmentVariable = "EMBEDDINGS_CACHE";

    private const string ResourcePrefix = "Embeddings.Static.DefaultModel/";
    private static readonly Lock Gate = new();
    private static readonly Lazy<Manifest> LazyManifest = new(ReadManifest);

    /// <summary>Gets the model's name, which is also its folder name and the static embedder's model id: teacher, dimensions and weighting.</summary>
    public static string Name => LazyManifest.Value.Name;

    /// <summary>Returns the folder of the default model, writing it to the cache first if it is not there yet or is incomplete.</summary>
    /// <returns>The full path of the Model2Vec folder.</returns>
    /// <exception cref="InvalidOperationException">The assembly was built without the model.</exception>
    /// <exception cref="IOException">No cache folder could be written.</exception>
    public static string GetPath()
    {
        Manifest manifest = LazyManifest.Value;
        lock (Gate)
        {
            IOException? last = null;
            foreach (string root in CacheRoots())
            {
                string target = Path.Combine(root, "Embeddings.Core", "static-default", manifest.Digest, manifest.Name);
                try
                {
                    if (!IsComplete(target, manifest.Lengths))
                    {
                        Extract(target, manifest);
                    }

                    return target;
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    last = new IOException($"The default static model could not be written to '{target}': {ex.Message}", ex);
                }
            }

            throw last ?? new IOException("No cache folder for the default static model was found.");
        }
    }

    private static Manifest ReadManifest()
    {
        (string name, (string File, string Resource)[] files) = Resources();
        var lengths = new Dictionary<string, long>(StringComparer.Ordinal);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach ((string file, string resource) in files.OrderBy(f => f.File, StringComparer.Ordinal))
        {
            byte[] bytes = ReadResource(resource);
            lengths[file] = bytes.LongLength;
            hash.AppendData(System.Text.Encoding.UTF8.GetBytes(file));
            hash.AppendData(bytes);
        }

        return new Manifest(name, Convert.ToHexString(hash.GetHashAndReset())[..16].ToLowerInvariant(), files, lengths);
    }

    private static byte[] ReadResource(string resource)
    {
        using Stream stream = typeof(StaticDefaultModel).Assembly.GetManifestResourceStream(resource)!;
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        return memory.ToArray();
    }

    private static (string Name, (string File, string Resource)[] Files) Resources()
    {
        var files = typeof(StaticDefaultModel).Assembly.GetManifestResourceNames()
            .Where(r => r.StartsWith(ResourcePrefix, StringComparison.Ordinal))
            .Select(r => (Relative: r[ResourcePrefix.Length..].Replace('\\', '/'), Resource: r))
            .ToArray();
        if (files.Length == 0)
        {
            throw new InvalidOperationException("This build of Embeddings.Static carries no default static model (no DefaultModel resources).");
        }

        string name = files[0].Relative.Split('/')[0];
        return (name, files.Select(f => (f.Relative[(name.Length + 1)..], f.Resource)).ToArray());
    }

    private static IEnumerable<string> CacheRoots()
    {
        string? configured = Environment.GetEnvironmentVariable(CacheEnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            yield return Path.GetFullPath(configured);
        }

        string local = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify);
        if (!string.IsNullOrEmpty(local))
        {
            yield return local;
        }

        yield return Path.GetTempPath();
    }

    private static bool IsComplete(string folder, Dictionary<string, long> lengths) =>
        Directory.Exists(folder) && lengths.All(c => new FileInfo(Path.Combine(folder, c.Key)) is { Exists: true } info && info.Length == c.Value);

    private static void Extract(string target, Manifest manifest)
    {
        string parent = Path.GetDirectoryName(target)!;
        Directory.CreateDirectory(parent);
        string temporary = Path.Combine(parent, $".{Path.GetFileName(target)}.tmp-{Guid.NewGuid():N}");
        Directory.CreateDirectory(temporary);
        try
        {
            foreach ((string file, string resource) in manifest.Files)
            {
                File.WriteAllBytes(Path.Combine(temporary, file), ReadResource(resource));
            }

            if (Directory.Exists(target))
            {
                // An incomplete folder from an interrupted run: replace it.
                Directory.Delete(target, recursive: true);
            }

            try
            {
                Directory.Move(temporary, target);
            }
            catch (IOException) when (IsComplete(target, manifest.Lengths))
            {
                // Another process extracted it first.
            }
        }
        finally
        {
            if (Directory.Exists(temporary))
            {
                Directory.Delete(temporary, recursive: true);
            }
        }
    }

    private sealed record Manifest(string Name, string Digest, (string File, string Resource)[] Files, Dictionary<string, long> Lengths);
}
