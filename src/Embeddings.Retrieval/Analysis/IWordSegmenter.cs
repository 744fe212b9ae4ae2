namespace Embeddings;

/// <summary>
/// The first step of a <see cref="TextAnalyzer"/>: finds the tokens of a text, left to right, as spans of it.
/// </summary>
/// <remarks>Implementations are thread-safe and keep no state between calls.</remarks>
public interface IWordSegmenter
{
    /// <summary>Finds the next token at or after <paramref name="position"/>.</summary>
    /// <param name="text">The whole text.</param>
    /// <param name="position">Where to look from; on return, where the next call should look from.</param>
    /// <param name="start">On success, the index of the token's first character.</param>
    /// <param name="length">On success, the token's length in characters; positive.</param>
    /// <returns><see langword="true"/> when a token was found, <see langword="false"/> at the end of the text.</returns>
    bool TryNext(ReadOnlySpan<char> text, ref int position, out int start, out int length);
}
