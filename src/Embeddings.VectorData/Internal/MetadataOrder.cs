using System.Globalization;

namespace Embeddings.VectorData.Internal;

/// <summary>Orders records by metadata scalars for filtered reads: nulls first, numbers numerically, strings ordinally.</summary>
internal sealed class MetadataOrder(RecordOrder order) : IComparer<StoredRecord>
{
    public int Compare(StoredRecord? x, StoredRecord? y)
    {
        if (ReferenceEquals(x, y))
        {
            return 0;
        }

        if (x is null || y is null)
        {
            return x is null ? -1 : 1;
        }

        foreach ((string field, bool ascending) in order.Fields)
        {
            x.Metadata.TryGetValue(field, out object? a);
            y.Metadata.TryGetValue(field, out object? b);
            int c = CompareValues(a, b);
            if (c != 0)
            {
                return ascending ? c : -c;
            }
        }

        return string.CompareOrdinal(x.Key, y.Key);
    }

    private static int CompareValues(object? a, object? b) => (a, b) switch
    {
        (null, null) => 0,
        (null, _) => -1,
        (_, null) => 1,
        (string s, string t) => string.CompareOrdinal(s, t),
        (bool p, bool q) => p.CompareTo(q),
        (long or double, long or double) => Convert.ToDouble(a, CultureInfo.InvariantCulture).CompareTo(Convert.ToDouble(b, CultureInfo.InvariantCulture)),
        _ => string.CompareOrdinal(a.GetType().Name, b.GetType().Name),
    };
}
