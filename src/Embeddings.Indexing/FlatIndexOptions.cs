namespace Embeddings;

/// <summary>Settings of a <see cref="FlatIndex"/>.</summary>
public sealed class FlatIndexOptions
{
    /// <summary>Gets or sets how vectors are stored. Default: <see cref="VectorStorageKind.Float32"/>.</summary>
    public VectorStorageKind Storage { get; set; } = VectorStorageKind.Float32;

    /// <summary>
    /// Gets or sets the quantizer whose codes the index stores (for example a calibrated <see cref="ScalarInt8Quantizer"/>,
    /// a <see cref="BinaryQuantizer"/> or a trained <see cref="ProductQuantizer"/>); required when <see cref="Storage"/>
    /// is <see cref="VectorStorageKind.Quantized"/> and ignored otherwise. Scores are the quantizer's approximations.
    /// Default: <see langword="null"/>.
    /// </summary>
    public IVectorQuantizer? Quantizer { get; set; }

    /// <summary>Gets or sets how many threads one search may use; 1 scans on the calling thread. Default: 1.</summary>
    public int MaxDegreeOfParallelism { get; set; } = 1;

    /// <summary>Gets or sets the record count from which a search is split across threads (when <see cref="MaxDegreeOfParallelism"/> exceeds 1). Default: 50,000.</summary>
    public int ParallelThreshold { get; set; } = 50_000;

    /// <summary>Gets or sets how many records the index has room for before it grows. Default: 1024.</summary>
    public int InitialCapacity { get; set; } = 1024;

    internal void Validate()
    {
        if (!Enum.IsDefined(Storage))
        {
            throw new ArgumentOutOfRangeException(nameof(Storage), Storage, "Unknown storage kind.");
        }

        if (Storage == VectorStorageKind.Quantized && Quantizer is null)
        {
            throw new ArgumentException("Quantized storage needs FlatIndexOptions.Quantizer.", nameof(Quantizer));
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxDegreeOfParallelism, nameof(MaxDegreeOfParallelism));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ParallelThreshold, nameof(ParallelThreshold));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(InitialCapacity, nameof(InitialCapacity));
    }
}
