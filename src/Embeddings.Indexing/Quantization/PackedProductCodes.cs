namespace Embeddings;

/// <summary>
/// Product-quantization codes laid out for fast exhaustive search: blocks of 64 codes, each block stored
/// sub-code by sub-code (the 64 first sub-codes, then the 64 second ones, and so on), so one SIMD register holds
/// the same slice of 64 codes. Memory stays one byte per sub-code, plus padding of the last block to 64 codes.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="Search(ReadOnlySpan{float}, DistanceMetric, int)"/> returns exactly what
/// <see cref="QuantizedSearch.Scan(QuantizedQueryScorer, ReadOnlySpan{byte}, int, int)"/> returns over the same
/// codes in their usual back-to-back layout: the same indices in the same order with bit-identical scores.
/// </para>
/// <para>
/// Where the CPU has AVX-512 VBMI (<see cref="IsHardwareAccelerated"/>) and the quantizer has 256 centroids per
/// subspace, a first pass scores 64 codes at a time from the query's lookup tables rounded to bytes (two
/// 128-entry byte permutes per slice), with a proven bound on the rounding error. Only codes whose bound could
/// still beat the current k-th best score are rescored with the float tables, so the result is exact. Cosine,
/// fewer centroids, or other CPUs score every code with the float tables.
/// </para>
/// </remarks>
public sealed class PackedProductCodes
{
    /// <summary>The number of codes per block: one 512-bit register of sub-codes.</summary>
    public const int BlockSize = ProductCodeBlocks.BlockSize;

    private readonly ProductCodeBlocks _blocks;

    /// <summary>Packs codes stored back to back (<paramref name="count"/> codes of <see cref="ProductQuantizer.Subspaces"/> bytes).</summary>
    /// <param name="quantizer">The quantizer that produced the codes.</param>
    /// <param name="codes">The codes, at least <c>count * quantizer.Subspaces</c> bytes.</param>
    /// <param name="count">How many codes to pack; zero or more.</param>
    /// <exception cref="ArgumentNullException"><paramref name="quantizer"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative.</exception>
    /// <exception cref="ArgumentException"><paramref name="codes"/> is too short, or a sub-code names a centroid the quantizer does not have.</exception>
    public PackedProductCodes(ProductQuantizer quantizer, ReadOnlySpan<byte> codes, int count)
    {
        ArgumentNullException.ThrowIfNull(quantizer);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        int m = quantizer.Subspaces;
        if ((long)count * m > codes.Length)
        {
            throw new ArgumentException($"{count} codes of {m} bytes need {(long)count * m} bytes; the buffer holds {codes.Length}.", nameof(codes));
        }

        if (quantizer.Centroids < 256)
        {
            int index = codes[..(count * m)].IndexOfAnyInRange((byte)quantizer.Centroids, byte.MaxValue);
            if (index >= 0)
            {
                throw new ArgumentException($"Code {index / m}, sub-code {index % m}, is {codes[index]}; the quantizer has {quantizer.Centroids} centroids per subspace.", nameof(codes));
            }
        }

        Quantizer = quantizer;
        Count = count;
        _blocks = new ProductCodeBlocks(m, count);
        for (int i = 0; i < count; i++)
        {
            _blocks.Set(i, codes.Slice(i * m, m));
        }
    }

    /// <summary>Gets a value indicating whether this CPU runs the byte-table first pass (AVX-512 VBMI and BMI2).</summary>
    public static bool IsHardwareAccelerated => ProductCodeBlocks.IsHardwareAccelerated;

    /// <summary>Gets the quantizer the codes belong to.</summary>
    public ProductQuantizer Quantizer { get; }

    /// <summary>Gets the number of codes.</summary>
    public int Count { get; }

    /// <summary>Gets the bytes the packed codes occupy: <see cref="ProductQuantizer.Subspaces"/> per code, the last block padded to <see cref="BlockSize"/> codes.</summary>
    public long SizeInBytes => _blocks.SizeInBytes;

    /// <summary>Copies code <paramref name="index"/> back into the usual layout.</summary>
    /// <param name="index">The code's position, 0 to <see cref="Count"/> - 1.</param>
    /// <param name="destination">Receives <see cref="ProductQuantizer.Subspaces"/> bytes.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is out of range.</exception>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is too short.</exception>
    public void CopyCodeTo(int index, Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        VectorQuantizer.CheckCode(Quantizer.Subspaces, destination);
        _blocks.CopyTo(index, destination);
    }

    /// <summary>Finds the <paramref name="k"/> codes that score best against a query, best first (equal scores: lower index first).</summary>
    /// <param name="query">The float query, <see cref="IVectorQuantizer.Dimensions"/> finite values.</param>
    /// <param name="metric">The metric; not Hamming.</param>
    /// <param name="k">How many results at most; positive.</param>
    /// <returns>Up to <paramref name="k"/> hits ordered by descending score.</returns>
    /// <exception cref="ArgumentException">The query has the wrong dimension or a non-finite value, or the metric is Hamming.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is not positive.</exception>
    public QuantizedSearchHit[] Search(ReadOnlySpan<float> query, DistanceMetric metric, int k)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        int size = Math.Min(k, Count);
        var scores = new float[size];
        var indices = new int[size];
        int found = Search(query, metric, scores, indices);
        return QuantizedSearch.ToHits(scores, indices, found);
    }

    /// <summary>Allocation-light search: keeps the <c>scores.Length</c> best codes, best first.</summary>
    /// <param name="query">The float query, <see cref="IVectorQuantizer.Dimensions"/> finite values.</param>
    /// <param name="metric">The metric; not Hamming.</param>
    /// <param name="scores">Receives the best scores, descending; its length is k.</param>
    /// <param name="indices">Receives the matching code positions; as long as <paramref name="scores"/>.</param>
    /// <returns>How many results were written: min(k, <see cref="Count"/>).</returns>
    /// <exception cref="ArgumentException">The query has the wrong dimension or a non-finite value, the metric is Hamming, or the buffers differ in length.</exception>
    public int Search(ReadOnlySpan<float> query, DistanceMetric metric, Span<float> scores, Span<int> indices) =>
        Search(query, metric, scores, indices, accelerate: true);

    /// <summary>The search with the first pass switchable, so tests cover both paths on any CPU.</summary>
    internal int Search(ReadOnlySpan<float> query, DistanceMetric metric, Span<float> scores, Span<int> indices, bool accelerate)
    {
        VectorMath.EnsureSameLength(scores.Length, indices.Length);
        VectorMath.EnsureFinite(query, nameof(query));
        var scorer = (ProductQuantizer.TableScorer)Quantizer.CreateScorer(query, metric);
#if NET9_0_OR_GREATER
        var top = new TopKCollector(scores, indices);
        if (scores.Length > 0)
        {
            _blocks.Scan(scorer, 0, Count, ref top, accelerate);
        }

        return top.SortDescending();
#else
        // .NET 8 cannot pass the span-holding collector as a generic argument; the index heap keeps the same tie rule.
        var heap = new Embeddings.Indexing.Internal.NeighborHeap(scores.Length);
        var sink = new Embeddings.Indexing.Internal.NeighborHeapSink(heap, scores.Length);
        if (scores.Length > 0)
        {
            _blocks.Scan(scorer, 0, Count, ref sink, accelerate);
        }

        var sorted = new Embeddings.Indexing.Internal.HeapEntry[heap.Count];
        int found = heap.DrainAscending(sorted);
        for (int i = 0; i < found; i++)
        {
            scores[i] = -sorted[i].Distance;
            indices[i] = sorted[i].Id;
        }

        return found;
#endif
    }
}
