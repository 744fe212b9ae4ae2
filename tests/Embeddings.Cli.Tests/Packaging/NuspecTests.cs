using System.IO.Compression;
using System.Xml.Linq;
using Embeddings.Testing;

namespace Embeddings.Cli.Tests.Packaging;

/// <summary>
/// Packs the libraries this test project builds (the tool's dependencies) and checks what nuget.org would show for each:
/// project and repository URLs with the commit, icon, release notes, licence, a README of the package's own that
/// starts with its install line, and dependencies that are the project's own references with floors on the 10.0 line.
/// </summary>
public sealed class NuspecTests
{
    private static readonly string[] Projects = ["Embeddings.Core", "Embeddings.Indexing", "Embeddings.Retrieval", "Embeddings.Static", "Embeddings.Onnx", "Embeddings.Evaluation", "Embeddings.PgVector"];

    [Fact]
    public async Task Every_package_carries_metadata_icon_readme_and_repository_commit()
    {
        string repository = SharedData.RepositoryRoot;
        string version = "0.1.0-nuspectest" + Guid.NewGuid().ToString("N")[..12];
        string work = Path.Combine(Path.GetTempPath(), "embeddings-nuspectest-" + Guid.NewGuid().ToString("N"));
        try
        {
            foreach (string project in Projects)
            {
                // The projects were built with this test assembly, in its configuration; only the version differs, and the
                // nuspec goes to a folder of its own so a concurrent pack of the same project cannot collide with this one.
                await RunDotnetAsync(
                    repository,
                    "pack", Path.Combine(repository, "src", project, project + ".csproj"),
                    "-c", BuildConfiguration(), "--no-build", "-o", Path.Combine(work, "feed"),
                    $"-p:Version={version}", $"-p:NuspecOutputPath={Path.Combine(work, "nuspec", project)}/",
                    "--disable-build-servers", "-nodeReuse:false");
            }

            foreach (string project in Projects)
            {
                string package = Path.Combine(work, "feed", $"{project}.{version}.nupkg");
                Assert.True(File.Exists(package), $"{package} was not produced.");
                using ZipArchive archive = ZipFile.OpenRead(package);
                XDocument nuspec = XDocument.Load(archive.GetEntry($"{project}.nuspec")!.Open());
                XNamespace ns = nuspec.Root!.Name.Namespace;
                XElement metadata = nuspec.Root.Element(ns + "metadata")!;
                string Value(string name) => (string?)metadata.Element(ns + name) ?? throw new Xunit.Sdk.XunitException($"{project}: the nuspec has no <{name}>.");

                Assert.Equal(project, Value("id"));
                Assert.StartsWith("https://", Value("projectUrl"), StringComparison.Ordinal);
                Assert.Equal("MIT", Value("license"));
                Assert.False(string.IsNullOrWhiteSpace(Value("releaseNotes")), $"{project}: empty release notes.");
                Assert.Equal("icon.png", Value("icon"));
                Assert.Equal("README.md", Value("readme"));
                XElement repositoryElement = metadata.Element(ns + "repository") ?? throw new Xunit.Sdk.XunitException($"{project}: no <repository>.");
                Assert.Equal("git", (string?)repositoryElement.Attribute("type"));
                Assert.StartsWith("https://", (string?)repositoryElement.Attribute("url"), StringComparison.Ordinal);
                Assert.Matches("^[0-9a-f]{40}$", (string?)repositoryElement.Attribute("commit") ?? string.Empty);

                using (var icon = new BinaryReader(archive.GetEntry("icon.png")!.Open()))
                {
                    Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, icon.ReadBytes(4));
                }

                using var reader = new StreamReader(archive.GetEntry("README.md")!.Open());
                string readme = await reader.ReadToEndAsync();
                Assert.StartsWith($"# {project}", readme, StringComparison.Ordinal);
                Assert.Contains($"dotnet add package {project}", readme, StringComparison.Ordinal);
                Assert.Contains("```csharp", readme, StringComparison.Ordinal);
                Assert.True(readme.Length < 4000, $"{project}: the package README is {readme.Length} characters; the long one belongs in the repository.");

                // Built for .NET 8 (LTS) hosts as well as .NET 10, each with its XML docs and a dependency group.
                foreach (string framework in new[] { "net8.0", "net10.0" })
                {
                    Assert.Contains($"lib/{framework}/{project}.dll", archive.Entries.Select(e => e.FullName));
                    Assert.Contains($"lib/{framework}/{project}.xml", archive.Entries.Select(e => e.FullName));
                    Assert.Contains(metadata.Descendants(ns + "group"), g => ((string?)g.Attribute("targetFramework"))?.Replace(".0", string.Empty, StringComparison.Ordinal) == framework.Replace(".0", string.Empty, StringComparison.Ordinal));
                }
                CheckDependencies(repository, project, metadata, ns);
            }
        }
        finally
        {
            try
            {
                Directory.Delete(work, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    // A package lists only what its project references (no pinned transitive packages), and its floors on the
    // Microsoft.Extensions and System packages are the 10.0 line Microsoft.Extensions.AI 10.11 itself needs, so that
    // installing it never lifts a host's DI, Logging, Options or Configuration to a newer major version.
    private static void CheckDependencies(string repository, string project, XElement metadata, XNamespace ns)
    {
        XDocument csproj = XDocument.Load(Path.Combine(repository, "src", project, project + ".csproj"));
        var referenced = csproj.Descendants("PackageReference")
            .Where(r => !string.Equals((string?)r.Attribute("PrivateAssets") ?? (string?)r.Element("PrivateAssets"), "all", StringComparison.OrdinalIgnoreCase))
            .Select(r => (string)r.Attribute("Include")!)
            .Concat(csproj.Descendants("ProjectReference").Select(r => Path.GetFileNameWithoutExtension((string)r.Attribute("Include")!)))
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        XElement[] dependencies = metadata.Descendants(ns + "dependency").ToArray();
        Assert.NotEmpty(metadata.Descendants(ns + "group"));
        foreach (XElement dependency in dependencies)
        {
            string id = (string)dependency.Attribute("id")!;
            string range = (string)dependency.Attribute("version")!;
            Assert.True(referenced.Contains(id), $"{project}: the nuspec lists {id} {range}, which the project does not reference (a promoted transitive pin?).");
            bool platform = (id.StartsWith("Microsoft.Extensions.", StringComparison.Ordinal) && !id.StartsWith("Microsoft.Extensions.AI", StringComparison.Ordinal) && !id.StartsWith("Microsoft.Extensions.VectorData", StringComparison.Ordinal))
                || id.StartsWith("System.", StringComparison.Ordinal) || id == "Microsoft.Data.Sqlite";
            if (platform)
            {
                Version floor = Version.Parse(range.Trim('[', '(', ' ').Split(',')[0]);
                Assert.True(floor.Major == 10 && floor.Minor == 0, $"{project}: {id} has the floor {range}; the 10.0 line is as high as the code needs.");
            }
        }
    }

    private static Task RunDotnetAsync(string workingDirectory, params string[] arguments) =>
        DotnetCli.RunAsync(workingDirectory, TimeSpan.FromMinutes(3), arguments);

    private static string BuildConfiguration() =>
        typeof(NuspecTests).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyConfigurationAttribute), inherit: false)
            .OfType<System.Reflection.AssemblyConfigurationAttribute>().Single().Configuration;
}
