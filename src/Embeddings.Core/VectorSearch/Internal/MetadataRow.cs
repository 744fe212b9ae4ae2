using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace Embeddings.Indexing.Internal;

/// <summary>
/// An index's immutable copy of one record's metadata: a shared <see cref="MetadataSchema"/> and one array of cells.
/// Filters run once per row of a scan, and a row is two objects here against a dictionary's four or more (the
/// dictionary, its buckets, its entries and each boxed number), so scans touch less memory and follow fewer pointers.
/// </summary>
internal sealed class MetadataRow : IReadOnlyDictionary<string, object?>
{
    private readonly MetadataSchema _schema;
    private readonly MetadataCell[] _cells;

    private MetadataRow(MetadataSchema schema, MetadataCell[] cells)
    {
        _schema = schema;
        _cells = cells;
    }

    /// <inheritdoc />
    public int Count => _cells.Length;

    /// <inheritdoc />
    public IEnumerable<string> Keys => _schema.Names;

    /// <inheritdoc />
    public IEnumerable<object?> Values => _cells.Select(c => c.Value);

    internal MetadataSchema Schema => _schema;

    /// <inheritdoc />
    public object? this[string key] =>
        TryGetValue(key, out object? value) ? value : throw new KeyNotFoundException($"The metadata has no field '{key}'.");

    /// <summary>
    /// Builds a row from normalized values. <paramref name="shared"/> is the schema of the previous row built by the
    /// caller: it is reused when the names are the same, so rows of uniform records share one names array.
    /// </summary>
    /// <exception cref="ArgumentException">A name appears twice, or a value is not normalized.</exception>
    public static MetadataRow Create(ReadOnlySpan<string> names, ReadOnlySpan<object?> values, ref MetadataSchema? shared)
    {
        if (shared is null || !shared.HasNames(names))
        {
            var schema = new MetadataSchema(names.ToArray());
            for (int i = 1; i < names.Length; i++)
            {
                // Dictionaries cannot hold a name twice, but a file or a custom IReadOnlyDictionary could.
                if (schema.IndexOf(names[i]) != i)
                {
                    throw new ArgumentException($"The metadata field '{names[i]}' appears more than once.", nameof(names));
                }
            }

            shared = schema;
        }

        var cells = new MetadataCell[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            cells[i] = new MetadataCell(values[i]);
        }

        return new MetadataRow(shared, cells);
    }

    /// <summary>Finds a field's cell.</summary>
    public bool TryGetCell(string field, out MetadataCell cell)
    {
        int position = _schema.IndexOf(field);
        if (position < 0)
        {
            cell = default;
            return false;
        }

        cell = _cells[position];
        return true;
    }

    /// <inheritdoc />
    public bool ContainsKey(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return _schema.IndexOf(key) >= 0;
    }

    /// <inheritdoc />
    public bool TryGetValue(string key, [MaybeNullWhen(false)] out object? value)
    {
        ArgumentNullException.ThrowIfNull(key);
        bool found = TryGetCell(key, out MetadataCell cell);
        value = cell.Value;
        return found;
    }

    /// <inheritdoc />
    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        string[] names = _schema.Names;
        for (int i = 0; i < names.Length; i++)
        {
            yield return new KeyValuePair<string, object?>(names[i], _cells[i].Value);
        }
    }

    /// <inheritdoc />
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
