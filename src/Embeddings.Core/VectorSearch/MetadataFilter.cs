using System.Globalization;
using Embeddings.Indexing.Internal;

namespace Embeddings;

/// <summary>
/// A filter on record metadata that every backend can evaluate: in process, or translated to parameterised SQL.
/// Build one with <see cref="Equal"/>, <see cref="In"/>, <see cref="Range"/>, <see cref="And"/>, <see cref="Or"/> and <see cref="Not"/>.
/// </summary>
public abstract record MetadataFilter
{
    private protected MetadataFilter()
    {
    }

    /// <summary>Admits records whose <paramref name="field"/> equals <paramref name="value"/>.</summary>
    /// <param name="field">The metadata field.</param>
    /// <param name="value">The value: string, integer, floating point or bool.</param>
    /// <returns>The filter.</returns>
    public static MetadataFilter Equal(string field, object value) => new EqualFilter(CheckField(field), Normalize(value));

    /// <summary>Admits records whose <paramref name="field"/> equals one of <paramref name="values"/>.</summary>
    /// <param name="field">The metadata field.</param>
    /// <param name="values">The values; at least one.</param>
    /// <returns>The filter.</returns>
    public static MetadataFilter In(string field, params IEnumerable<object> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        object[] normalized = values.Select(Normalize).ToArray();
        if (normalized.Length == 0)
        {
            throw new ArgumentException("In needs at least one value.", nameof(values));
        }

        return new InFilter(CheckField(field), normalized);
    }

    /// <summary>Admits records whose numeric <paramref name="field"/> lies in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    /// <param name="field">The metadata field.</param>
    /// <param name="min">The inclusive lower bound, or <see langword="null"/> for none.</param>
    /// <param name="max">The inclusive upper bound, or <see langword="null"/> for none.</param>
    /// <returns>The filter.</returns>
    /// <exception cref="ArgumentException">Neither bound is given, a bound is NaN, or the lower bound exceeds the upper.</exception>
    /// <remarks>
    /// A NaN bound is refused rather than given a meaning: IEEE comparisons with NaN are false (nothing would match
    /// in memory) while PostgreSQL sorts NaN above every number (everything would match there).
    /// Infinite bounds are allowed and mean "unbounded".
    /// </remarks>
    public static MetadataFilter Range(string field, double? min, double? max)
    {
        CheckBound(min, nameof(min));
        CheckBound(max, nameof(max));
        if (min is null && max is null)
        {
            throw new ArgumentException("Range needs a lower bound, an upper bound or both.", nameof(min));
        }

        if (min is double lo && max is double hi && lo > hi)
        {
            throw new ArgumentException($"Range lower bound {lo} exceeds upper bound {hi}.", nameof(min));
        }

        return new RangeFilter(CheckField(field), min, max);
    }

    /// <summary>Admits records every one of <paramref name="filters"/> admits.</summary>
    /// <param name="filters">The filters; at least one.</param>
    /// <returns>The filter.</returns>
    public static MetadataFilter And(params IEnumerable<MetadataFilter> filters) => new AndFilter(CheckFilters(filters));

    /// <summary>Admits records any one of <paramref name="filters"/> admits.</summary>
    /// <param name="filters">The filters; at least one.</param>
    /// <returns>The filter.</returns>
    public static MetadataFilter Or(params IEnumerable<MetadataFilter> filters) => new OrFilter(CheckFilters(filters));

    /// <summary>Admits records <paramref name="filter"/> does not admit.</summary>
    /// <param name="filter">The filter.</param>
    /// <returns>The filter.</returns>
    public static MetadataFilter Not(MetadataFilter filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        return new NotFilter(filter);
    }

    /// <summary>Evaluates the filter against one record's metadata.</summary>
    /// <param name="metadata">The metadata, or <see langword="null"/> (a record without metadata has no fields).</param>
    /// <returns>Whether the record is admitted.</returns>
    public abstract bool Matches(IReadOnlyDictionary<string, object?>? metadata);

    /// <summary>
    /// Evaluates the filter against an index's compact row; the built-in filters read its cells without the
    /// dictionary view, a derived filter outside this assembly sees the row as a dictionary.
    /// </summary>
    internal virtual bool Matches(MetadataRow? row) => Matches((IReadOnlyDictionary<string, object?>?)row);

    /// <summary>
    /// Normalizes a metadata value to the types every backend stores: <see cref="string"/>, <see cref="long"/>,
    /// <see cref="double"/> or <see cref="bool"/>.
    /// </summary>
    /// <param name="value">The value.</param>
    /// <returns>The normalized value.</returns>
    /// <exception cref="ArgumentException">The value has another type.</exception>
    public static object Normalize(object? value) => value switch
    {
        null => throw new ArgumentNullException(nameof(value), "Metadata filter values may not be null."),
        string or long or double or bool => value,
        int or short or sbyte or byte or ushort or uint => Convert.ToInt64(value, CultureInfo.InvariantCulture),
        float f => (double)f,
        decimal m => (double)m,
        _ => throw new ArgumentException($"Metadata values must be string, integer, floating point or bool; got {value.GetType().Name}.", nameof(value)),
    };

    private static double? CheckBound(double? bound, string paramName) =>
        bound is double b && double.IsNaN(b)
            ? throw new ArgumentException("A range bound may not be NaN; leave the bound null for no bound, or use an infinity.", paramName)
            : bound;

    private static string CheckField(string field)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(field);
        return field;
    }

    private static MetadataFilter[] CheckFilters(IEnumerable<MetadataFilter> filters)
    {
        ArgumentNullException.ThrowIfNull(filters);
        MetadataFilter[] array = filters.ToArray();
        if (array.Length == 0 || array.Any(f => f is null))
        {
            throw new ArgumentException("At least one filter is needed, and none may be null.", nameof(filters));
        }

        return array;
    }

    private static bool ValueEquals(object? stored, object expected)
    {
        if (stored is null)
        {
            return false;
        }

        object normalized;
        try
        {
            normalized = Normalize(stored);
        }
        catch (ArgumentException)
        {
            return false;
        }

        return (normalized, expected) switch
        {
            (long a, double b) => a == b,
            (double a, long b) => a == b,
            _ => normalized.Equals(expected),
        };
    }

    // ValueEquals on a row's cell: the same answers (a long equals a double of the same value, a double equals itself
    // even when NaN, as double.Equals does), without the box.
    private static bool CellEquals(MetadataCell cell, object expected) => cell.Kind switch
    {
        MetadataKind.String => expected is string text && (ReferenceEquals(cell.Value, text) || string.Equals((string)cell.Value!, text, StringComparison.Ordinal)),
        MetadataKind.Long => expected switch { long l => cell.Bits == l, double d => cell.Bits == d, _ => false },
        MetadataKind.Double => expected switch { double d => cell.Number.Equals(d), long l => cell.Number == l, _ => false },
        MetadataKind.Bool => expected is bool b && (cell.Bits != 0) == b,
        _ => false,
    };

    /// <summary>Equality on one field.</summary>
    /// <param name="Field">The field.</param>
    /// <param name="Value">The normalized value.</param>
    public sealed record EqualFilter(string Field, object Value) : MetadataFilter
    {
        /// <inheritdoc />
        public override bool Matches(IReadOnlyDictionary<string, object?>? metadata) =>
            metadata is MetadataRow row ? Matches(row) : metadata is not null && metadata.TryGetValue(Field, out object? stored) && ValueEquals(stored, Value);

        internal override bool Matches(MetadataRow? row) => row is not null && row.TryGetCell(Field, out MetadataCell cell) && CellEquals(cell, Value);
    }

    /// <summary>Membership on one field.</summary>
    /// <param name="Field">The field.</param>
    /// <param name="Values">The normalized values.</param>
    public sealed record InFilter(string Field, IReadOnlyList<object> Values) : MetadataFilter
    {
        /// <inheritdoc />
        public override bool Matches(IReadOnlyDictionary<string, object?>? metadata)
        {
            if (metadata is MetadataRow row)
            {
                return Matches(row);
            }

            if (metadata is null || !metadata.TryGetValue(Field, out object? stored))
            {
                return false;
            }

            // Index loops, not LINQ: filters run once per row of a scan, and an enumerator per row is garbage per row.
            IReadOnlyList<object> values = Values;
            for (int i = 0; i < values.Count; i++)
            {
                if (ValueEquals(stored, values[i]))
                {
                    return true;
                }
            }

            return false;
        }

        internal override bool Matches(MetadataRow? row)
        {
            if (row is null || !row.TryGetCell(Field, out MetadataCell cell))
            {
                return false;
            }

            IReadOnlyList<object> values = Values;
            for (int i = 0; i < values.Count; i++)
            {
                if (CellEquals(cell, values[i]))
                {
                    return true;
                }
            }

            return false;
        }
    }

    /// <summary>An inclusive numeric range on one field.</summary>
    /// <param name="Field">The field.</param>
    /// <param name="Min">The lower bound, or <see langword="null"/>.</param>
    /// <param name="Max">The upper bound, or <see langword="null"/>.</param>
    /// <exception cref="ArgumentException">A bound is NaN.</exception>
    public sealed record RangeFilter(string Field, double? Min, double? Max) : MetadataFilter
    {
        /// <summary>Gets the inclusive lower bound, or <see langword="null"/>; never NaN.</summary>
        public double? Min { get; init => field = CheckBound(value, nameof(Min)); } = CheckBound(Min, nameof(Min));

        /// <summary>Gets the inclusive upper bound, or <see langword="null"/>; never NaN.</summary>
        public double? Max { get; init => field = CheckBound(value, nameof(Max)); } = CheckBound(Max, nameof(Max));

        /// <inheritdoc />
        public override bool Matches(IReadOnlyDictionary<string, object?>? metadata)
        {
            if (metadata is MetadataRow row)
            {
                return Matches(row);
            }

            if (metadata is null || !metadata.TryGetValue(Field, out object? stored) || stored is null or string or bool)
            {
                return false;
            }

            double value;
            if (stored is long whole)
            {
                value = whole;
            }
            else if (stored is double real)
            {
                value = real;
            }
            else
            {
                try
                {
                    value = Convert.ToDouble(stored, CultureInfo.InvariantCulture);
                }
                catch (InvalidCastException)
                {
                    return false;
                }
            }

            return InRange(value);
        }

        internal override bool Matches(MetadataRow? row) =>
            row is not null && row.TryGetCell(Field, out MetadataCell cell) && cell.Kind is MetadataKind.Long or MetadataKind.Double && InRange(cell.Number);

        private bool InRange(double value) => (Min is not double lo || value >= lo) && (Max is not double hi || value <= hi);
    }

    /// <summary>Conjunction.</summary>
    /// <param name="Filters">The operands.</param>
    public sealed record AndFilter(IReadOnlyList<MetadataFilter> Filters) : MetadataFilter
    {
        /// <inheritdoc />
        public override bool Matches(IReadOnlyDictionary<string, object?>? metadata)
        {
            IReadOnlyList<MetadataFilter> filters = Filters;
            for (int i = 0; i < filters.Count; i++)
            {
                if (!filters[i].Matches(metadata))
                {
                    return false;
                }
            }

            return true;
        }

        internal override bool Matches(MetadataRow? row)
        {
            IReadOnlyList<MetadataFilter> filters = Filters;
            for (int i = 0; i < filters.Count; i++)
            {
                if (!filters[i].Matches(row))
                {
                    return false;
                }
            }

            return true;
        }
    }

    /// <summary>Disjunction.</summary>
    /// <param name="Filters">The operands.</param>
    public sealed record OrFilter(IReadOnlyList<MetadataFilter> Filters) : MetadataFilter
    {
        /// <inheritdoc />
        public override bool Matches(IReadOnlyDictionary<string, object?>? metadata)
        {
            IReadOnlyList<MetadataFilter> filters = Filters;
            for (int i = 0; i < filters.Count; i++)
            {
                if (filters[i].Matches(metadata))
                {
                    return true;
                }
            }

            return false;
        }

        internal override bool Matches(MetadataRow? row)
        {
            IReadOnlyList<MetadataFilter> filters = Filters;
            for (int i = 0; i < filters.Count; i++)
            {
                if (filters[i].Matches(row))
                {
                    return true;
                }
            }

            return false;
        }
    }

    /// <summary>Negation.</summary>
    /// <param name="Filter">The operand.</param>
    public sealed record NotFilter(MetadataFilter Filter) : MetadataFilter
    {
        /// <inheritdoc />
        public override bool Matches(IReadOnlyDictionary<string, object?>? metadata) => !Filter.Matches(metadata);

        internal override bool Matches(MetadataRow? row) => !Filter.Matches(row);
    }
}
