namespace Embeddings.Indexing.Internal;

/// <summary>The field names of metadata rows, in insertion order, shared by consecutive rows that have the same names.</summary>
internal sealed class MetadataSchema
{
    // Up to this many fields a linear scan (reference equality first) beats hashing the field name.
    private const int LinearLookupLimit = 12;

    private readonly Dictionary<string, int>? _positions;

    public MetadataSchema(string[] names)
    {
        Names = names;
        if (names.Length > LinearLookupLimit)
        {
            _positions = new Dictionary<string, int>(names.Length, StringComparer.Ordinal);
            for (int i = 0; i < names.Length; i++)
            {
                _positions.Add(names[i], i);
            }
        }
    }

    public string[] Names { get; }

    public int IndexOf(string field)
    {
        if (_positions is not null)
        {
            return _positions.TryGetValue(field, out int position) ? position : -1;
        }

        // Names usually share the filter's string instance (both come from the same property or literal), and
        // rarely share a length, so most probes end before comparing characters.
        string[] names = Names;
        for (int i = 0; i < names.Length; i++)
        {
            string name = names[i];
            if (ReferenceEquals(name, field) || (name.Length == field.Length && string.Equals(name, field, StringComparison.Ordinal)))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Whether these are exactly <paramref name="names"/>, in order.</summary>
    public bool HasNames(ReadOnlySpan<string> names)
    {
        string[] own = Names;
        if (own.Length != names.Length)
        {
            return false;
        }

        for (int i = 0; i < own.Length; i++)
        {
            if (!ReferenceEquals(own[i], names[i]) && !string.Equals(own[i], names[i], StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }
}
