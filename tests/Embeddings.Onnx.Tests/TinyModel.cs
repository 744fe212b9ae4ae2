using System.Text.Json;
using Embeddings.Testing;

namespace Embeddings.Onnx.Tests;

/// <summary>The shared bert-tiny-random model and the transformers.js reference computed with it.</summary>
internal static class TinyModel
{
    private static readonly Lazy<IReadOnlyList<ReferenceEntry>> LazyReference = new(LoadReference);

    public static string Folder => SharedData.Path("models", "bert-tiny-random");

    public static IReadOnlyList<ReferenceEntry> Reference => LazyReference.Value;

    public static IReadOnlyList<string> Texts =>
        JsonSerializer.Deserialize<string[]>(File.ReadAllText(SharedData.Path("reference", "texts.json")))!;

    /// <summary>Copies the model folder to a fresh temporary folder that the test may change.</summary>
    public static TempFolder CopyToTemp()
    {
        var temp = new TempFolder();
        CopyDirectory(Folder, temp.Path);
        return temp;
    }

    internal static void CopyDirectory(string source, string destination)
    {
        Directory.CreateDirectory(destination);
        foreach (string file in Directory.GetFiles(source))
        {
            string target = System.IO.Path.Combine(destination, System.IO.Path.GetFileName(file));
            File.Copy(file, target);
            File.SetAttributes(target, FileAttributes.Normal);
        }

        foreach (string directory in Directory.GetDirectories(source))
        {
            CopyDirectory(directory, System.IO.Path.Combine(destination, System.IO.Path.GetFileName(directory)));
        }
    }

    private static IReadOnlyList<ReferenceEntry> LoadReference()
    {
        using JsonDocument document = JsonDocument.Parse(File.ReadAllText(SharedData.Path("reference", "bert-tiny-random.transformersjs.json")));
        return [.. document.RootElement.EnumerateArray().Select(e => new ReferenceEntry(
            e.GetProperty("text").GetString()!,
            [.. e.GetProperty("input_ids").EnumerateArray().Select(x => x.GetInt32())],
            [.. e.GetProperty("mean_normalized").EnumerateArray().Select(x => x.GetSingle())],
            [.. e.GetProperty("cls").EnumerateArray().Select(x => x.GetSingle())]))];
    }
}

internal sealed record ReferenceEntry(string Text, int[] InputIds, float[] MeanNormalized, float[] Cls);

internal sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "embeddings-onnx-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A file still open on a slow machine; the temp folder is cleaned by the OS.
        }
    }
}
