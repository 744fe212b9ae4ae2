using Embeddings.Onnx;
using Embeddings.Static;

namespace Embeddings.Cli.Hosting;

/// <summary>Turns <c>--model</c> into an embedder: the packaged static default, a folder or file, or a catalog or Hugging Face model.</summary>
internal static class ModelResolver
{
    public const string StaticDefault = "static";

    public static async Task<IEmbedder> LoadAsync(string? model, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(model) || string.Equals(model, StaticDefault, StringComparison.OrdinalIgnoreCase))
        {
            // The distilled default ships inside Embeddings.Static: nothing to download, nothing beside the tool.
            return StaticEmbedder.Load(StaticDefaultModel.GetPath());
        }

        if (Directory.Exists(model))
        {
            return File.Exists(Path.Combine(model, "model.onnx")) || File.Exists(Path.Combine(model, "onnx", "model.onnx"))
                ? await OnnxEmbedder.LoadAsync(Path.GetFullPath(model), options: null, cancellationToken).ConfigureAwait(false)
                : StaticEmbedder.Load(Path.GetFullPath(model));
        }

        if (File.Exists(model))
        {
            return StaticEmbedder.Load(Path.GetFullPath(model));
        }

        if (OnnxModelCatalog.Find(model) is OnnxModelInfo known)
        {
            return await OnnxEmbedder.LoadAsync(known.ModelId, options: null, cancellationToken).ConfigureAwait(false);
        }

        if (HuggingFaceDownloader.IsRepositoryId(model))
        {
            return await OnnxEmbedder.LoadAsync(model, options: null, cancellationToken).ConfigureAwait(false);
        }

        throw new CliUsageException(
            $"--model '{model}' is not 'static', an existing folder or file, a catalog model or a Hugging Face id (owner/name); 'embeddings models list' shows the catalog.");
    }
}
