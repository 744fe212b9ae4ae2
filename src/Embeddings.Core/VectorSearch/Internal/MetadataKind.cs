namespace Embeddings.Indexing.Internal;

/// <summary>The kind of a normalized metadata value.</summary>
internal enum MetadataKind : byte
{
    /// <summary>An explicit null.</summary>
    Null,

    /// <summary>A <see cref="string"/>.</summary>
    String,

    /// <summary>A <see cref="long"/>, in <see cref="MetadataCell.Bits"/>.</summary>
    Long,

    /// <summary>A <see cref="double"/>, its bits in <see cref="MetadataCell.Bits"/>.</summary>
    Double,

    /// <summary>A <see cref="bool"/>, 1 or 0 in <see cref="MetadataCell.Bits"/>.</summary>
    Bool,
}
