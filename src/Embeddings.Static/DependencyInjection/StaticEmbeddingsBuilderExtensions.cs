using Embeddings;
using Embeddings.Static;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Plugs the static (lookup-and-pool) embedder into <c>AddEmbeddings</c>.</summary>
public static class StaticEmbeddingsBuilderExtensions
{
    /// <summary>
    /// Uses a static word-vector or Model2Vec model as the pipeline's provider. The model is loaded once, when the
    /// pipeline is first resolved.
    /// </summary>
    /// <param name="builder">The builder <c>AddEmbeddings</c> returned.</param>
    /// <param name="model">
    /// The model file or Model2Vec folder. When <see langword="null"/> (the default): the options'
    /// <see cref="StaticEmbedderOptions.ModelPath"/>, else <see cref="EmbeddingsOptions.Model"/> from configuration,
    /// else <c>EMBEDDINGS_STATIC_MODEL</c>, else the embedded default distilled from all-MiniLM-L6-v2
    /// (see <see cref="StaticModelLocator.Resolve"/>).
    /// </param>
    /// <param name="configure">Changes the embedder options.</param>
    /// <returns>The builder.</returns>
    public static EmbeddingsBuilder UseStaticModel(this EmbeddingsBuilder builder, string? model = null, Action<StaticEmbedderOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.UseProvider(services =>
        {
            var options = new StaticEmbedderOptions { ModelPath = model };
            configure?.Invoke(options);
            if (string.IsNullOrWhiteSpace(options.ModelPath))
            {
                options.ModelPath = services.GetService<IOptionsMonitor<EmbeddingsOptions>>()?.Get(builder.OptionsName).Model;
            }

            return StaticEmbedder.Load(options);
        });
    }
}
