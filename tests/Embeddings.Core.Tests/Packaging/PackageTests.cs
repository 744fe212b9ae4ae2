using System.Globalization;
using System.IO.Compression;
using System.Xml.Linq;
using Embeddings.Testing;

namespace Embeddings.Core.Tests.Packaging;

/// <summary>
/// Packs Embeddings.Core the way it ships and uses the package from a throwaway console app outside the repository:
/// what a consumer gets is what this checks, not the project reference the other tests use.
/// </summary>
public sealed class PackageTests
{
    private static readonly TimeSpan StepTimeout = TimeSpan.FromMinutes(4);

    [Fact]
    public async Task The_package_carries_docs_and_symbols_and_a_host_app_embeds_through_it()
    {
        string repository = SharedData.RepositoryRoot;

        // A version no other run uses, so the global packages folder cannot hand back a stale copy.
        string version = "0.1.0-packtest" + Guid.NewGuid().ToString("N")[..12];
        string work = Path.Combine(Path.GetTempPath(), "embeddings-packtest-" + Guid.NewGuid().ToString("N"));
        string feed = Path.Combine(work, "feed");
        string host = Path.Combine(work, "host");
        Directory.CreateDirectory(feed);
        Directory.CreateDirectory(host);
        try
        {
            // The library was built with this test assembly (a project reference, same configuration: Release in CI), so
            // pack that build rather than compile it again; only the package version differs.
            await RunDotnetAsync(
                repository,
                "pack", Path.Combine(repository, "src", "Embeddings.Core", "Embeddings.Core.csproj"),
                "-c", BuildConfiguration(), "--no-build", "-o", feed,
                $"-p:Version={version}", "--disable-build-servers", "-nodeReuse:false");

            string package = Path.Combine(feed, $"Embeddings.Core.{version}.nupkg");
            string symbols = Path.Combine(feed, $"Embeddings.Core.{version}.snupkg");
            AssertPackageContents(package, symbols, version);

            WriteHostApp(host, feed, repository, version);
            await RunDotnetAsync(host, "build", "-c", "Release", "-o", Path.Combine(host, "out"), "--disable-build-servers", "-nodeReuse:false");
            string output = await RunDotnetAsync(host, Path.Combine(host, "out", "Host.dll"));

            string[] lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            Assert.Contains("fingerprint=model=host/letters;revision=;pooling=;normalized=false;dimensions=3", lines);
            Assert.Contains("vector=3,1,0", lines);
            Assert.Contains("vector=5,2,2", lines);
            Assert.Contains("query=4,1,0", lines); // "q:" + "hi": the query prefix came through the package's EmbedderBase.
            double cosine = 17 / (Math.Sqrt(10) * Math.Sqrt(33));
            Assert.Contains("cosine=" + cosine.ToString("F5", CultureInfo.InvariantCulture), lines);
        }
        finally
        {
            TryDelete(work);
            TryDelete(Path.Combine(GlobalPackagesFolder(), "embeddings.core", version.ToLowerInvariant()));
        }
    }

    private static void AssertPackageContents(string package, string symbols, string version)
    {
        Assert.True(File.Exists(package), $"{package} was not produced.");
        Assert.True(File.Exists(symbols), $"{symbols} was not produced.");

        using (ZipArchive archive = ZipFile.OpenRead(package))
        {
            HashSet<string> entries = archive.Entries.Select(e => e.FullName).ToHashSet(StringComparer.Ordinal);
            Assert.Contains("README.md", entries);
            Assert.Contains("LICENSE", entries);
            Assert.Contains("lib/net10.0/Embeddings.Core.dll", entries);
            Assert.Contains("lib/net10.0/Embeddings.Core.xml", entries);

            using (var reader = new StreamReader(archive.GetEntry("lib/net10.0/Embeddings.Core.xml")!.Open()))
            {
                XDocument docs = XDocument.Parse(reader.ReadToEnd());
                string[] members = docs.Descendants("member").Select(m => (string)m.Attribute("name")!).ToArray();
                Assert.Contains("T:Embeddings.IEmbedder", members);
                Assert.Contains("M:Embeddings.VectorMath.Cosine(System.ReadOnlySpan{System.Single},System.ReadOnlySpan{System.Single})", members);
            }

            using (var reader = new StreamReader(archive.GetEntry("Embeddings.Core.nuspec")!.Open()))
            {
                XDocument nuspec = XDocument.Parse(reader.ReadToEnd());
                XNamespace ns = nuspec.Root!.Name.Namespace;
                XElement metadata = nuspec.Root.Element(ns + "metadata")!;
                Assert.Equal(version, (string?)metadata.Element(ns + "version"));
                Assert.Equal("MIT", (string?)metadata.Element(ns + "license"));
                Assert.Equal("README.md", (string?)metadata.Element(ns + "readme"));
            }

            using (var reader = new StreamReader(archive.GetEntry("README.md")!.Open()))
            {
                // The package's own README (install line and an example), not the repository's long one.
                string readme = reader.ReadToEnd();
                Assert.StartsWith("# Embeddings.Core", readme, StringComparison.Ordinal);
                Assert.Contains("dotnet add package Embeddings.Core", readme, StringComparison.Ordinal);
            }
        }

        using ZipArchive symbolArchive = ZipFile.OpenRead(symbols);
        Assert.Contains(symbolArchive.Entries, e => e.FullName == "lib/net10.0/Embeddings.Core.pdb");
    }

    private static void WriteHostApp(string host, string feed, string repository, string version)
    {
        // Empty MSBuild and NuGet files beside the app stop the upward search, so nothing from /tmp or above leaks in.
        File.WriteAllText(Path.Combine(host, "Directory.Build.props"), "<Project />");
        File.WriteAllText(Path.Combine(host, "Directory.Build.targets"), "<Project />");
        File.WriteAllText(Path.Combine(host, "Directory.Packages.props"), "<Project />");

        // The local feed first, then the repository's own sources (nuget.org) for the dependencies.
        XDocument repositoryConfig = XDocument.Load(Path.Combine(repository, "nuget.config"));
        var sources = new XElement("packageSources", new XElement("clear"), new XElement("add", new XAttribute("key", "local"), new XAttribute("value", feed)));
        foreach (XElement source in repositoryConfig.Descendants("packageSources").Elements("add"))
        {
            sources.Add(new XElement(source));
        }

        new XDocument(new XElement("configuration", sources)).Save(Path.Combine(host, "nuget.config"));

        string dependencyInjectionVersion = XDocument.Load(Path.Combine(repository, "Directory.Packages.props"))
            .Descendants("PackageVersion")
            .Single(p => (string?)p.Attribute("Include") == "Microsoft.Extensions.DependencyInjection")
            .Attribute("Version")!.Value;

        File.WriteAllText(Path.Combine(host, "Host.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                <NuGetAudit>false</NuGetAudit>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Embeddings.Core" Version="{version}" />
                <PackageReference Include="Microsoft.Extensions.DependencyInjection" Version="{dependencyInjectionVersion}" />
              </ItemGroup>
            </Project>
            """);

        File.WriteAllText(Path.Combine(host, "Program.cs"), """
            using System.Globalization;
            using Embeddings;
            using Microsoft.Extensions.AI;
            using Microsoft.Extensions.DependencyInjection;

            var services = new ServiceCollection();
            services.AddEmbeddings(e => e.UseProvider(_ => new LetterEmbedder()));
            await using ServiceProvider container = services.BuildServiceProvider();

            IEmbeddingGenerator<string, Embedding<float>> generator = container.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();
            GeneratedEmbeddings<Embedding<float>> result = await generator.GenerateAsync(["abc", "hello"]);
            IEmbedder embedder = container.GetRequiredService<IEmbedder>();
            ReadOnlyMemory<float> query = await embedder.EmbedQueryAsync("hi");

            Console.WriteLine($"fingerprint={embedder.Fingerprint}");
            foreach (Embedding<float> embedding in result)
            {
                Console.WriteLine("vector=" + Format(embedding.Vector));
            }

            Console.WriteLine("query=" + Format(query));
            Console.WriteLine("cosine=" + VectorMath.Cosine(result[0].Vector.Span, result[1].Vector.Span).ToString("F5", CultureInfo.InvariantCulture));

            static string Format(ReadOnlyMemory<float> vector) => string.Join(",", vector.ToArray().Select(v => v.ToString(CultureInfo.InvariantCulture)));

            // Length, vowels and the letter l: a provider small enough to check by hand.
            sealed class LetterEmbedder() : EmbedderBase(new EmbedderDescriptor { ModelId = "host/letters", Dimensions = 3, Prompts = new("q:", "d:") })
            {
                protected override Task<GeneratedEmbeddings<Embedding<float>>> GenerateCoreAsync(
                    IReadOnlyList<string> inputs, EmbeddingGenerationOptions? options, CancellationToken cancellationToken) =>
                    Task.FromResult(new GeneratedEmbeddings<Embedding<float>>(inputs.Select(text => new Embedding<float>(new float[]
                    {
                        text.Length,
                        text.Count(c => "aeiou".Contains(c)),
                        text.Count(c => c == 'l'),
                    }))));
            }
            """);
    }

    private static Task<string> RunDotnetAsync(string workingDirectory, params string[] arguments) =>
        DotnetCli.RunAsync(workingDirectory, StepTimeout, arguments);

    private static string BuildConfiguration() =>
        typeof(PackageTests).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyConfigurationAttribute), inherit: false)
            .OfType<System.Reflection.AssemblyConfigurationAttribute>().Single().Configuration;

    private static string GlobalPackagesFolder() =>
        Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

    private static void TryDelete(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless; failing the test over it would not be.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
