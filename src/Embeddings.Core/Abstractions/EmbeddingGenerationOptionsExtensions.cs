using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Embeddings;

/// <summary>Carries the <see cref="EmbeddingInputKind"/> through Microsoft.Extensions.AI pipelines.</summary>
/// <remarks>
/// The kind is stored in <see cref="EmbeddingGenerationOptions.AdditionalProperties"/> under
/// <see cref="InputKindKey"/>, so it survives every middleware that clones or forwards options.
/// </remarks>
public static class EmbeddingGenerationOptionsExtensions
{
    /// <summary>The key under which the input kind is stored in <see cref="EmbeddingGenerationOptions.AdditionalProperties"/>.</summary>
    public const string InputKindKey = "embeddings.input_kind";

    /// <summary>Returns a copy of <paramref name="options"/> (or new options) with the input kind set.</summary>
    /// <param name="options">The options to copy, or <see langword="null"/>.</param>
    /// <param name="kind">The input kind.</param>
    /// <returns>New options; <paramref name="options"/> is not changed.</returns>
    public static EmbeddingGenerationOptions WithInputKind(this EmbeddingGenerationOptions? options, EmbeddingInputKind kind)
    {
        if (!Enum.IsDefined(kind))
        {
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown input kind.");
        }

        EmbeddingGenerationOptions copy = options?.Clone() ?? new EmbeddingGenerationOptions();
        copy.AdditionalProperties ??= [];
        copy.AdditionalProperties[InputKindKey] = kind.ToString();
        return copy;
    }

    /// <summary>Reads the input kind from <paramref name="options"/>.</summary>
    /// <param name="options">The options, or <see langword="null"/>.</param>
    /// <returns>The input kind; <see cref="EmbeddingInputKind.Unspecified"/> when none is set.</returns>
    /// <exception cref="ArgumentException">The stored value is not an input kind.</exception>
    public static EmbeddingInputKind GetInputKind(this EmbeddingGenerationOptions? options)
    {
        if (options?.AdditionalProperties is null || !options.AdditionalProperties.TryGetValue(InputKindKey, out object? value) || value is null)
        {
            return EmbeddingInputKind.Unspecified;
        }

        return value switch
        {
            EmbeddingInputKind kind when Enum.IsDefined(kind) => kind,
            string text when TryParse(text, out EmbeddingInputKind parsed) => parsed,

            // Options that went through JSON (a distributed cache, a remote hop) carry the kind as a JsonElement.
            JsonElement { ValueKind: JsonValueKind.String } element when TryParse(element.GetString(), out EmbeddingInputKind parsed) => parsed,
            _ => throw new ArgumentException($"AdditionalProperties['{InputKindKey}'] is '{value}', which is not an input kind (Unspecified, Query or Document).", nameof(options)),
        };
    }

    // Names only: a number such as "1" is not accepted, since a stray integer is more likely a bug than a kind.
    private static bool TryParse(string? text, out EmbeddingInputKind kind) =>
        Enum.TryParse(text, ignoreCase: true, out kind) && Enum.IsDefined(kind) && !char.IsAsciiDigit(text![0]);
}
