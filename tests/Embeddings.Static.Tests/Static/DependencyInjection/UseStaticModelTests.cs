using Embeddings.Testing;
using Embeddings.Static;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Embeddings.Static.Tests.Static.DependencyInjection;

/// <summary>Tests that read or set the process-wide model environment variable; xunit runs one class's tests one at a time.</summary>
public sealed class UseStaticModelTests
{
    [SharedFact("models/glove-6B-100d-top100k")]
    public async Task AddEmbeddings_with_UseStaticModel_resolves_an_embedder_over_the_given_file()
    {
        var services = new ServiceCollection();
        services.AddEmbeddings(e => e.UseStaticModel(GloVe.Path, o => o.Weighting = WordWeighting.Sif));
        using ServiceProvider provider = services.BuildServiceProvider();

        IEmbedder embedder = provider.GetRequiredService<IEmbedder>();
        Assert.Equal(100, embedder.Dimensions);
        Assert.StartsWith("sif-", embedder.Fingerprint.Pooling, StringComparison.Ordinal);
        var generator = provider.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();
        var result = await generator.GenerateAsync(["hello world"]);
        Assert.Equal(1f, VectorMath.Norm(result[0].Vector.Span), 5);
    }

    [SharedFact("models/glove-6B-100d-top100k")]
    public void Without_a_path_the_default_GloVe_model_is_found_beside_the_repository()
    {
        string? saved = Environment.GetEnvironmentVariable(StaticModelLocator.ModelEnvironmentVariable);
        try
        {
            Environment.SetEnvironmentVariable(StaticModelLocator.ModelEnvironmentVariable, null);
            Assert.Equal(Path.GetFullPath(GloVe.Path), Path.GetFullPath(StaticModelLocator.Resolve()));

            var services = new ServiceCollection();
            services.AddEmbeddings(e => e.UseStaticModel());
            using ServiceProvider provider = services.BuildServiceProvider();
            Assert.Equal("glove-6B-100d-top100k/vectors.bin", provider.GetRequiredService<IEmbedder>().Fingerprint.ModelId);
        }
        finally
        {
            Environment.SetEnvironmentVariable(StaticModelLocator.ModelEnvironmentVariable, saved);
        }
    }

    [SharedFact("models/glove-6B-100d-top100k")]
    public void The_environment_variable_overrides_the_default_and_a_missing_file_is_named()
    {
        string? saved = Environment.GetEnvironmentVariable(StaticModelLocator.ModelEnvironmentVariable);
        using var files = new TestFiles();
        string small = files.WriteText("small.vec", header: true);
        try
        {
            Environment.SetEnvironmentVariable(StaticModelLocator.ModelEnvironmentVariable, small);
            Assert.Equal(small, StaticModelLocator.Resolve());
            using (StaticEmbedder embedder = StaticEmbedder.Load())
            {
                Assert.Equal(3, embedder.Dimensions);
            }

            Assert.Equal(GloVe.Path, StaticModelLocator.Resolve(GloVe.Path));

            string missing = files.Path("nope.bin");
            Environment.SetEnvironmentVariable(StaticModelLocator.ModelEnvironmentVariable, missing);
            var services = new ServiceCollection();
            services.AddEmbeddings(e => e.UseStaticModel());
            using ServiceProvider provider = services.BuildServiceProvider();
            var e = Assert.Throws<FileNotFoundException>(() => provider.GetRequiredService<IEmbedder>());
            Assert.Contains(missing, e.Message, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable(StaticModelLocator.ModelEnvironmentVariable, saved);
        }
    }
}
