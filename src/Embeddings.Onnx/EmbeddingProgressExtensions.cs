using Microsoft.Extensions.AI;

namespace Embeddings.Onnx;

/// <summary>
/// Carries an <see cref="IProgress{T}"/> for <see cref="EmbeddingProgress"/> through Microsoft.Extensions.AI pipelines,
/// so a long <c>GenerateAsync</c> call reports after every batch.
/// </summary>
/// <remarks>
/// The reporter is stored in <see cref="EmbeddingGenerationOptions.AdditionalProperties"/> under <see cref="ProgressKey"/>,
/// which middleware forwards unchanged. Providers that do not batch ignore it.
/// </remarks>
public static class EmbeddingProgressExtensions
{
    /// <summary>The key under which the reporter is stored in <see cref="EmbeddingGenerationOptions.AdditionalProperties"/>.</summary>
    public const string ProgressKey = "embeddings.progress";

    /// <summary>Returns a copy of <paramref name="options"/> (or new options) that reports progress to <paramref name="progress"/>.</summary>
    /// <param name="options">The options to copy, or <see langword="null"/>.</param>
    /// <param name="progress">Receives one report per batch; the last says <c>Completed == Total</c>.</param>
    /// <returns>New options; <paramref name="options"/> is not changed.</returns>
    public static EmbeddingGenerationOptions WithProgress(this EmbeddingGenerationOptions? options, IProgress<EmbeddingProgress> progress)
    {
        ArgumentNullException.ThrowIfNull(progress);
        EmbeddingGenerationOptions copy = options?.Clone() ?? new EmbeddingGenerationOptions();
        copy.AdditionalProperties ??= [];
        copy.AdditionalProperties[ProgressKey] = progress;
        return copy;
    }

    /// <summary>Reads the progress reporter from <paramref name="options"/>.</summary>
    /// <param name="options">The options, or <see langword="null"/>.</param>
    /// <returns>The reporter, or <see langword="null"/> when none is set.</returns>
    /// <exception cref="ArgumentException">The stored value is not an <see cref="IProgress{T}"/> of <see cref="EmbeddingProgress"/>.</exception>
    public static IProgress<EmbeddingProgress>? GetProgress(this EmbeddingGenerationOptions? options)
    {
        if (options?.AdditionalProperties is null || !options.AdditionalProperties.TryGetValue(ProgressKey, out object? value) || value is null)
        {
            return null;
        }

        return value as IProgress<EmbeddingProgress>
            ?? throw new ArgumentException($"AdditionalProperties['{ProgressKey}'] is a {value.GetType().Name}, not an IProgress<EmbeddingProgress>.", nameof(options));
    }
}
