namespace Embeddings;

/// <summary>Checks the inputs of an embedding call the same way for every provider.</summary>
internal static class EmbeddingInputs
{
    /// <summary>
    /// Materializes <paramref name="values"/> once and checks it: not null, not empty, no null element.
    /// </summary>
    /// <param name="values">The caller's inputs.</param>
    /// <returns>The inputs as a list, in order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="values"/> is null.</exception>
    /// <exception cref="ArgumentException">The list is empty, or an element is null (the message names its index).</exception>
    public static IReadOnlyList<string> Validate(IEnumerable<string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        IReadOnlyList<string> list = values as IReadOnlyList<string> ?? values.ToArray();
        if (list.Count == 0)
        {
            throw new ArgumentException("At least one input is required; the list is empty.", nameof(values));
        }

        for (int i = 0; i < list.Count; i++)
        {
            if (list[i] is null)
            {
                throw new ArgumentException($"Input {i} is null; every input must be a string (the empty string is allowed).", nameof(values));
            }
        }

        return list;
    }
}
