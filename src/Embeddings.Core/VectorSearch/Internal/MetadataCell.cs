namespace Embeddings.Indexing.Internal;

/// <summary>
/// One normalized metadata value: the boxed value the dictionary view returns, plus its kind and its bits unboxed, so
/// that a filter compares numbers without following the box.
/// </summary>
internal readonly struct MetadataCell
{
    public MetadataCell(object? value)
    {
        Value = value;
        (Kind, Bits) = value switch
        {
            null => (MetadataKind.Null, 0L),
            string => (MetadataKind.String, 0L),
            long l => (MetadataKind.Long, l),
            double d => (MetadataKind.Double, BitConverter.DoubleToInt64Bits(d)),
            bool b => (MetadataKind.Bool, b ? 1L : 0L),
            _ => throw new ArgumentException($"Metadata values must be normalized to string, long, double or bool; got {value.GetType().Name}.", nameof(value)),
        };
    }

    /// <summary>Gets the boxed value (string, long, double, bool or null).</summary>
    public object? Value { get; }

    /// <summary>Gets the value's kind.</summary>
    public MetadataKind Kind { get; }

    /// <summary>Gets the value's bits for numbers and booleans.</summary>
    public long Bits { get; }

    /// <summary>Gets the value as a double, for the numeric kinds.</summary>
    public double Number => Kind == MetadataKind.Long ? Bits : BitConverter.Int64BitsToDouble(Bits);
}
