using Embeddings.Testing;
using Embeddings.Static;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Embeddings.Testing.Static;

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

    [Fact]
    public async Task Without_a_path_UseStaticModel_loads_the_distilled_default_that_ships_in_the_assembly()
    {
        string? saved = Environment.GetEnvironmentVariable(StaticModelLocator.ModelEnvironmentVariable);
        try
        {
            Environment.SetEnvironmentVariable(StaticModelLocator.ModelEnvironmentVariable, null);
            Assert.Equal(StaticDefaultModel.GetPath(), StaticModelLocator.Resolve());

            var services = new ServiceCollection();
            services.AddEmbeddings(e => e.UseStaticModel());
            using ServiceProvider provider = services.BuildServiceProvider();
            IEmbedder embedder = provider.GetRequiredService<IEmbedder>();

            // The fingerprint names teacher, dimensions and weighting.
            Assert.Equal("all-MiniLM-L6-v2-static-254d-sif0.0001-unit-drop2", embedder.Fingerprint.ModelId);
            Assert.Equal(254, embedder.Dimensions);
            Assert.Equal("weighted-mean", embedder.Fingerprint.Pooling);
            var generator = provider.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();
            var result = await generator.GenerateAsync(["A kitten is sleeping on the sofa.", "A small cat naps on a couch.", "The central bank raised interest rates."]);
            float related = VectorMath.Cosine(result[0].Vector.Span, result[1].Vector.Span);
            float unrelated = VectorMath.Cosine(result[0].Vector.Span, result[2].Vector.Span);
            Assert.True(related > unrelated + 0.2f, $"related {related}, unrelated {unrelated}");
        }
        finally
        {
            Environment.SetEnvironmentVariable(StaticModelLocator.ModelEnvironmentVariable, saved);
        }
    }

    [SharedFact("models/glove-6B-100d-top100k")]
    public void GloVe_stays_loadable_by_path_and_is_found_in_the_shared_folder()
    {
        Assert.Equal(Path.GetFullPath(GloVe.Path), Path.GetFullPath(StaticModelLocator.ResolveGloVe()));
        using StaticEmbedder embedder = StaticEmbedder.Load(StaticModelLocator.ResolveGloVe());
        Assert.Equal("glove-6B-100d-top100k/vectors.bin", embedder.Fingerprint.ModelId);
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
