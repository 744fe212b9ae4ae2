using Embeddings.Static;

namespace Embeddings.Static.Tests.Static.DefaultModel;

/// <summary>Tests that set the process-wide cache environment variable; xunit runs one class's tests one at a time.</summary>
public sealed class StaticDefaultModelTests
{
    [Fact]
    public void The_default_model_is_written_once_to_the_cache_folder_and_found_there_again()
    {
        string? saved = Environment.GetEnvironmentVariable(StaticDefaultModel.CacheEnvironmentVariable);
        string cache = Directory.CreateTempSubdirectory("static-default-").FullName;
        try
        {
            Environment.SetEnvironmentVariable(StaticDefaultModel.CacheEnvironmentVariable, cache);
            string first = StaticDefaultModel.GetPath();
            Assert.StartsWith(cache, first, StringComparison.Ordinal);
            Assert.Equal(StaticDefaultModel.Name, Path.GetFileName(first));
            Assert.Equal(["config.json", "model.safetensors", "modules.json", "tokenizer.json"], Directory.GetFiles(first).Select(Path.GetFileName).Order(StringComparer.Ordinal));

            // A damaged copy (a file cut short) is replaced, not loaded.
            string model = Path.Combine(first, "model.safetensors");
            long length = new FileInfo(model).Length;
            File.WriteAllBytes(model, new byte[10]);
            Assert.Equal(first, StaticDefaultModel.GetPath());
            Assert.Equal(length, new FileInfo(model).Length);

            StaticEmbeddingModel loaded = StaticEmbeddingModel.Load(first);
            Assert.Equal(StaticModelKind.Subword, loaded.Kind);
            Assert.Equal(254, loaded.Dimensions);
            Assert.NotNull(loaded.TokenWeights);

            // No temporary folders are left beside it.
            Assert.Equal([StaticDefaultModel.Name], Directory.GetFileSystemEntries(Path.GetDirectoryName(first)!).Select(Path.GetFileName));
        }
        finally
        {
            Environment.SetEnvironmentVariable(StaticDefaultModel.CacheEnvironmentVariable, saved);
            Directory.Delete(cache, recursive: true);
        }
    }
}
