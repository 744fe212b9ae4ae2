namespace Embeddings.Static;

/// <summary>One tensor's entry in a safetensors header.</summary>
/// <param name="Name">The tensor name.</param>
/// <param name="DType">The element type as written (<c>F32</c>, <c>F16</c>, <c>BF16</c>, <c>F64</c>, <c>I32</c>, <c>I64</c>, ...).</param>
/// <param name="Shape">The dimensions.</param>
/// <param name="Offset">The byte offset of the data from the start of the file.</param>
/// <param name="Length">The data length in bytes.</param>
internal sealed record SafetensorsTensorInfo(string Name, string DType, IReadOnlyList<long> Shape, long Offset, long Length)
{
    /// <summary>Gets the number of elements (the product of <see cref="Shape"/>).</summary>
    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);
}
