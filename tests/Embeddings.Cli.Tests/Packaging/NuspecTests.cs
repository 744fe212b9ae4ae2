using System.IO.Compression;
using System.Xml.Linq;
using Embeddings.Testing;

namespace Embeddings.Cli.Tests.Packaging;

/// <summary>
/// Packs the libraries this test project builds (the tool's dependencies) and checks what nuget.org would show for each:
/// project and repository URLs with the commit, icon, release notes, licence, and a README of the package's own that
/// starts with its install line.
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

                Assert.Contains($"lib/net10.0/{project}.xml", archive.Entries.Select(e => e.FullName));
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

    private static Task RunDotnetAsync(string workingDirectory, params string[] arguments) =>
        DotnetCli.RunAsync(workingDirectory, TimeSpan.FromMinutes(3), arguments);

    private static string BuildConfiguration() =>
        typeof(NuspecTests).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyConfigurationAttribute), inherit: false)
            .OfType<System.Reflection.AssemblyConfigurationAttribute>().Single().Configuration;
}
