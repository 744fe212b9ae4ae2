using System.Diagnostics;
using System.Runtime.InteropServices;
using Embeddings.Testing;

namespace Embeddings.Samples.Tests;

/// <summary>
/// The libraries also target .NET 8. This runs their .NET 8 builds (through tests/Embeddings.Net8Smoke) on a real
/// .NET 8 runtime: the shared framework from the Microsoft.NETCore.App.Runtime package that the smoke project
/// downloads, laid out beside a copy of this SDK's host, so nothing is installed on the machine.
/// </summary>
public sealed class Net8SmokeTests
{
    private const string RuntimeVersion = "8.0.34";

    [Fact]
    public async Task The_net8_builds_run_on_a_net8_runtime()
    {
        Assert.True(
            RuntimeInformation.IsOSPlatform(OSPlatform.Linux) && RuntimeInformation.OSArchitecture == Architecture.X64,
            "This check lays out the linux-x64 runtime pack; run it on linux-x64 (as CI does).");
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        string configuration = output.Parent!.Name;
        string dll = Path.Combine(SharedData.RepositoryRoot, "tests", "Embeddings.Net8Smoke", "bin", configuration, "net8.0", "Embeddings.Net8Smoke.dll");
        Assert.True(File.Exists(dll), $"{dll} is missing: build the solution.");

        string packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        string pack = Path.Combine(packages, "microsoft.netcore.app.runtime.linux-x64", RuntimeVersion, "runtimes", "linux-x64");
        Assert.True(Directory.Exists(pack), $"{pack} is missing: restoring tests/Embeddings.Net8Smoke downloads it.");

        string root = Path.Combine(Path.GetTempPath(), "embeddings-net8-" + Guid.NewGuid().ToString("N"));
        try
        {
            // The muxer finds its root from its own path, so the muxer and hostfxr are copied (small); the framework
            // files are linked.
            string sdkRoot = Path.GetDirectoryName(DotnetCli.DotnetPath())!;
            Directory.CreateDirectory(root);
            File.Copy(Path.Combine(sdkRoot, "dotnet"), Path.Combine(root, "dotnet"));
            foreach (string file in Directory.EnumerateFiles(Path.Combine(sdkRoot, "host"), "*", SearchOption.AllDirectories))
            {
                string target = Path.Combine(root, Path.GetRelativePath(sdkRoot, file));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(file, target);
            }

            string framework = Path.Combine(root, "shared", "Microsoft.NETCore.App", RuntimeVersion);
            Directory.CreateDirectory(framework);
            foreach (string file in Directory.EnumerateFiles(Path.Combine(pack, "lib", "net8.0")).Concat(Directory.EnumerateFiles(Path.Combine(pack, "native"))))
            {
                File.CreateSymbolicLink(Path.Combine(framework, Path.GetFileName(file)), file);
            }

            var start = new ProcessStartInfo(Path.Combine(root, "dotnet"))
            {
                WorkingDirectory = Path.GetDirectoryName(dll)!,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            start.ArgumentList.Add(dll);
            start.Environment["DOTNET_ROOT"] = root;
            start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
            using var process = Process.Start(start)!;
            Task<string> stdout = process.StandardOutput.ReadToEndAsync();
            Task<string> stderr = process.StandardError.ReadToEndAsync();
            using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            await process.WaitForExitAsync(deadline.Token);
            string log = await stdout + await stderr;

            Assert.True(process.ExitCode == 0, $"exit code {process.ExitCode}:\n{log}");
            Assert.Contains($"ok   runtime is .NET {RuntimeVersion}", log, StringComparison.Ordinal);
            Assert.Contains("ok   reflection-based JSON is off", log, StringComparison.Ordinal);
            Assert.Contains("ok   MEVD dynamic collection: values come back from the folder with their types", log, StringComparison.Ordinal);
            Assert.Contains("net8 smoke: all checks passed", log, StringComparison.Ordinal);
            Assert.DoesNotContain("FAIL", log, StringComparison.Ordinal);
        }
        finally
        {
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
