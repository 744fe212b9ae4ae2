using Embeddings.Testing;
using Microsoft.Extensions.AI;

namespace Embeddings.Onnx.Tests;

public sealed class ModelIdTests
{
    [SharedFact("models/bert-tiny-random")]
    public void A_folder_in_the_download_cache_layout_is_named_by_its_repository_and_revision()
    {
        using var temp = new TempFolder();
        string folder = Path.Combine(temp.Path, "cache", "tiny-owner--bert-tiny-random", "main");
        TinyModel.CopyDirectory(TinyModel.Folder, folder);

        using OnnxEmbedder embedder = OnnxEmbedder.Load(folder);

        EmbeddingGeneratorMetadata metadata = Assert.IsType<EmbeddingGeneratorMetadata>(embedder.GetService(typeof(EmbeddingGeneratorMetadata)));
        Assert.Equal("tiny-owner/bert-tiny-random", metadata.DefaultModelId);
        Assert.Equal("onnx", metadata.ProviderName);
        Assert.Equal("tiny-owner/bert-tiny-random", embedder.Fingerprint.ModelId);
        Assert.Equal("main", embedder.Fingerprint.Revision);
    }

    [SharedFact("models/bert-tiny-random")]
    public void Any_other_folder_is_named_by_itself_and_an_explicit_model_id_wins()
    {
        using var temp = new TempFolder();
        string folder = Path.Combine(temp.Path, "my-model");
        TinyModel.CopyDirectory(TinyModel.Folder, folder);

        using (OnnxEmbedder plain = OnnxEmbedder.Load(folder))
        {
            Assert.Equal("my-model", plain.GetService<EmbeddingGeneratorMetadata>()?.DefaultModelId);
            Assert.Null(plain.Fingerprint.Revision);
        }

        using OnnxEmbedder named = OnnxEmbedder.Load(folder, new OnnxEmbedderOptions { ModelId = "acme/custom" });
        Assert.Equal("acme/custom", named.GetService<EmbeddingGeneratorMetadata>()?.DefaultModelId);
    }
}
