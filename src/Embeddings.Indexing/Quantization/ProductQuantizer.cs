using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Embeddings;

/// <summary>
/// Product quantization: the vector is cut into <see cref="Subspaces"/> equal slices and each slice is replaced
/// by the index of its nearest centroid in that slice's codebook (2^<see cref="BitsPerCode"/> centroids, one byte),
/// so a vector takes <see cref="Subspaces"/> bytes. Queries are scored asymmetrically through per-query lookup
/// tables (ADC): the float query against the centroids each code names.
/// </summary>
/// <remarks>
/// Codebooks are trained with seeded k-means++ and Lloyd iterations on a sample
/// (<see cref="Train(ReadOnlySpan{float}, int, int, ProductQuantizerOptions?, CancellationToken)"/>): the same
/// data, options and seed give the same codebooks. Every <see cref="DistanceMetric"/> but Hamming decomposes
/// over the slices, so every one is scored from tables (cosine with a second table of centroid norms).
/// </remarks>
public sealed class ProductQuantizer : IVectorQuantizer
{
    private readonly float[] _codebooks;
    private readonly CentroidTable[] _tables;
    private readonly float[] _centroidNorms;

    /// <summary>Creates a quantizer from trained codebooks.</summary>
    /// <param name="dimensions">The vector length; a multiple of <paramref name="subspaces"/>.</param>
    /// <param name="subspaces">The number of slices m.</param>
    /// <param name="bitsPerCode">Bits per sub-code, 1 to 8.</param>
    /// <param name="codebooks">m × 2^bits × (dimensions / m) centroid values, subspace by subspace.</param>
    /// <exception cref="ArgumentException">The sizes do not fit together or a value is not finite.</exception>
    public ProductQuantizer(int dimensions, int subspaces, int bitsPerCode, ReadOnlySpan<float> codebooks)
    {
        CheckShape(dimensions, subspaces, bitsPerCode);
        Dimensions = dimensions;
        Subspaces = subspaces;
        BitsPerCode = bitsPerCode;
        Centroids = 1 << bitsPerCode;
        SubspaceDimensions = dimensions / subspaces;
        int expected = subspaces * Centroids * SubspaceDimensions;
        if (codebooks.Length != expected)
        {
            throw new ArgumentException($"The codebooks hold {codebooks.Length} values; {subspaces} subspaces × {Centroids} centroids × {SubspaceDimensions} dimensions need {expected}.", nameof(codebooks));
        }

        VectorMath.EnsureFinite(codebooks, nameof(codebooks));
        _codebooks = codebooks.ToArray();
        _tables = new CentroidTable[subspaces];
        _centroidNorms = new float[subspaces * Centroids];
        int block = Centroids * SubspaceDimensions;
        for (int j = 0; j < subspaces; j++)
        {
            _tables[j] = new CentroidTable(SubspaceDimensions, Centroids);
            _tables[j].Load(_codebooks.AsSpan(j * block, block));
            for (int c = 0; c < Centroids; c++)
            {
                ReadOnlySpan<float> centroid = _codebooks.AsSpan((j * block) + (c * SubspaceDimensions), SubspaceDimensions);
                _centroidNorms[(j * Centroids) + c] = System.Numerics.Tensors.TensorPrimitives.Dot(centroid, centroid);
            }
        }
    }

    /// <inheritdoc />
    public QuantizationKind Kind => QuantizationKind.Product;

    /// <inheritdoc />
    public int Dimensions { get; }

    /// <summary>Gets the number of subspaces m (the bytes per vector).</summary>
    public int Subspaces { get; }

    /// <summary>Gets the bits per sub-code.</summary>
    public int BitsPerCode { get; }

    /// <summary>Gets the number of centroids per subspace, 2^<see cref="BitsPerCode"/>.</summary>
    public int Centroids { get; }

    /// <summary>Gets the length of one slice, <see cref="Dimensions"/> / <see cref="Subspaces"/>.</summary>
    public int SubspaceDimensions { get; }

    /// <inheritdoc />
    public int BytesPerVector => Subspaces;

    /// <summary>Gets the codebooks: m × 2^bits × (dimensions / m) values, subspace by subspace.</summary>
    public ReadOnlySpan<float> Codebooks => _codebooks;

    /// <summary>Trains codebooks on vectors stored back to back.</summary>
    /// <param name="vectors">The training vectors, <paramref name="dimensions"/> values each; at least 2^bits of them.</param>
    /// <param name="dimensions">The vector length; a multiple of <paramref name="subspaces"/>.</param>
    /// <param name="subspaces">The number of slices m: the bytes per vector.</param>
    /// <param name="options">Bits, iterations, seed and sample size; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Cancels training between iterations.</param>
    /// <returns>The trained quantizer.</returns>
    /// <exception cref="ArgumentException">The dimension is not divisible by m, there are fewer vectors than centroids, the length is not a whole number of vectors, or a value is not finite.</exception>
    public static ProductQuantizer Train(ReadOnlySpan<float> vectors, int dimensions, int subspaces, ProductQuantizerOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new ProductQuantizerOptions();
        CheckShape(dimensions, subspaces, options.BitsPerCode);
        ArgumentOutOfRangeException.ThrowIfNegative(options.Iterations);
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxVectorsPerCentroid);
        if (vectors.Length % dimensions != 0)
        {
            throw new ArgumentException($"{vectors.Length} values are not a whole number of {dimensions}-dimensional vectors.", nameof(vectors));
        }

        int count = vectors.Length / dimensions;
        int k = 1 << options.BitsPerCode;
        if (count < k)
        {
            throw new ArgumentException($"Training {k} centroids per subspace ({options.BitsPerCode} bits) needs at least {k} vectors; got {count}.", nameof(vectors));
        }

        VectorMath.EnsureFinite(vectors, nameof(vectors));
        var random = new Random(options.Seed);
        int[] sample = Sample(count, options.MaxVectorsPerCentroid == 0 ? count : (int)Math.Min(count, (long)options.MaxVectorsPerCentroid * k), random);
        int dsub = dimensions / subspaces;
        int n = sample.Length;
        var slice = new float[n * dsub];
        var codebooks = new float[subspaces * k * dsub];
        for (int j = 0; j < subspaces; j++)
        {
            for (int i = 0; i < n; i++)
            {
                vectors.Slice((sample[i] * dimensions) + (j * dsub), dsub).CopyTo(slice.AsSpan(i * dsub, dsub));
            }

            float[] centroids = KMeans.Train(slice, dsub, k, options.Iterations, random, cancellationToken);
            centroids.CopyTo(codebooks, j * k * dsub);
        }

        return new ProductQuantizer(dimensions, subspaces, options.BitsPerCode, codebooks);
    }

    /// <inheritdoc />
    public void Encode(ReadOnlySpan<float> vector, Span<byte> code)
    {
        VectorQuantizer.CheckVector(Dimensions, vector);
        VectorQuantizer.CheckCode(BytesPerVector, code);
        int dsub = SubspaceDimensions;
        for (int j = 0; j < Subspaces; j++)
        {
            code[j] = (byte)_tables[j].Nearest(vector.Slice(j * dsub, dsub), out _);
        }
    }

    /// <inheritdoc />
    public void Decode(ReadOnlySpan<byte> code, Span<float> vector)
    {
        VectorQuantizer.CheckCode(BytesPerVector, code);
        VectorQuantizer.CheckDestination(Dimensions, vector);
        int dsub = SubspaceDimensions;
        for (int j = 0; j < Subspaces; j++)
        {
            int c = code[j];
            if (c >= Centroids)
            {
                throw new ArgumentException($"Sub-code {j} is {c}; this quantizer has {Centroids} centroids per subspace.", nameof(code));
            }

            _codebooks.AsSpan(((j * Centroids) + c) * dsub, dsub).CopyTo(vector.Slice(j * dsub, dsub));
        }
    }

    /// <inheritdoc />
    /// <remarks>Builds m × 2^bits lookup tables (one per slice and centroid); scoring a code is then m table look-ups. Hamming is not supported.</remarks>
    public QuantizedQueryScorer CreateScorer(ReadOnlySpan<float> query, DistanceMetric metric)
    {
        VectorQuantizer.CheckVector(Dimensions, query);
        VectorQuantizer.CheckFloatMetric(metric);
        int k = Centroids;
        int dsub = SubspaceDimensions;
        var table = new float[Subspaces * k];
        for (int j = 0; j < Subspaces; j++)
        {
            ReadOnlySpan<float> q = query.Slice(j * dsub, dsub);
            ReadOnlySpan<float> book = _codebooks.AsSpan(j * k * dsub, k * dsub);
            Span<float> row = table.AsSpan(j * k, k);

            // Slices are a few values long: plain loops beat a vectorized call per centroid; one loop per metric keeps the switch out of them.
            switch (metric)
            {
                case DistanceMetric.DotProduct:
                case DistanceMetric.Cosine:
                    for (int c = 0; c < k; c++)
                    {
                        ReadOnlySpan<float> centroid = book.Slice(c * dsub, dsub);
                        float value = 0f;
                        for (int t = 0; t < centroid.Length; t++)
                        {
                            value += q[t] * centroid[t];
                        }

                        row[c] = value;
                    }

                    break;
                case DistanceMetric.Manhattan:
                    for (int c = 0; c < k; c++)
                    {
                        ReadOnlySpan<float> centroid = book.Slice(c * dsub, dsub);
                        float value = 0f;
                        for (int t = 0; t < centroid.Length; t++)
                        {
                            value += MathF.Abs(q[t] - centroid[t]);
                        }

                        row[c] = value;
                    }

                    break;
                default:
                    for (int c = 0; c < k; c++)
                    {
                        ReadOnlySpan<float> centroid = book.Slice(c * dsub, dsub);
                        float value = 0f;
                        for (int t = 0; t < centroid.Length; t++)
                        {
                            float difference = q[t] - centroid[t];
                            value += difference * difference;
                        }

                        row[c] = value;
                    }

                    break;
            }
        }

        float queryNorm = System.Numerics.Tensors.TensorPrimitives.Norm(query);
        return new TableScorer(table, metric == DistanceMetric.Cosine ? _centroidNorms : null, queryNorm, metric, Subspaces, k);
    }

    /// <inheritdoc />
    public void Save(Stream stream)
    {
        QuantizerFormat.Write(stream, Kind, Dimensions, writer =>
        {
            writer.Write(Subspaces);
            writer.Write(BitsPerCode);
            QuantizerFormat.WriteFloats(writer, _codebooks);
        });
    }

    internal static ProductQuantizer ReadBody(BinaryReader reader, int dimensions)
    {
        int subspaces = reader.ReadInt32();
        int bits = reader.ReadInt32();
        if (subspaces <= 0 || subspaces > dimensions || dimensions % subspaces != 0 || bits is < 1 or > 8)
        {
            throw QuantizerFormat.Corrupt($"{subspaces} subspaces of {bits}-bit codes do not fit {dimensions} dimensions");
        }

        // m subspaces × 2^bits centroids × (dimensions / m) values = dimensions × 2^bits, counted in long so a crafted header cannot overflow.
        float[] codebooks = QuantizerFormat.ReadFloats(reader, (long)dimensions << bits, $"the codebooks of {subspaces} subspaces × {1 << bits} centroids");
        try
        {
            return new ProductQuantizer(dimensions, subspaces, bits, codebooks);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"The quantizer data is corrupt: {e.Message}", e);
        }
    }

    private static void CheckShape(int dimensions, int subspaces, int bitsPerCode)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimensions);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(subspaces);
        ArgumentOutOfRangeException.ThrowIfLessThan(bitsPerCode, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bitsPerCode, 8);
        if (dimensions % subspaces != 0)
        {
            throw new ArgumentException($"The dimension {dimensions} is not divisible by the number of subspaces {subspaces}.", nameof(subspaces));
        }
    }

    /// <summary>A seeded partial Fisher-Yates shuffle: <paramref name="size"/> distinct indices, in ascending order for cache-friendly copying.</summary>
    private static int[] Sample(int count, int size, Random random)
    {
        var indices = new int[count];
        for (int i = 0; i < count; i++)
        {
            indices[i] = i;
        }

        if (size < count)
        {
            for (int i = 0; i < size; i++)
            {
                int j = random.Next(i, count);
                (indices[i], indices[j]) = (indices[j], indices[i]);
            }
        }

        int[] sample = indices[..size];
        Array.Sort(sample);
        return sample;
    }

    /// <summary>The per-query lookup tables; <see cref="PackedProductCodes"/> scans with them too, so both give bit-identical scores.</summary>
    internal sealed class TableScorer(float[] table, float[]? norms, float queryNorm, DistanceMetric metric, int subspaces, int k)
        : QuantizedQueryScorer(metric, subspaces)
    {
        private readonly int _m = subspaces;

        /// <summary>Gets the table: entry (j, c) at <c>j * Centroids + c</c> is slice j's term for centroid c.</summary>
        internal float[] Table => table;

        /// <summary>Gets the number of centroids per subspace.</summary>
        internal int Centroids => k;

        /// <summary>Scores one code of <see cref="QuantizedQueryScorer.BytesPerVector"/> bytes exactly as <see cref="ScoreManyCore"/> does.</summary>
        internal float ScoreCode(ReadOnlySpan<byte> code) =>
            Finish(Sum(ref MemoryMarshal.GetArrayDataReference(table), ref MemoryMarshal.GetReference(code)), code);

        public override float Score(ReadOnlySpan<byte> code)
        {
            VectorQuantizer.CheckCode(BytesPerVector, code);
            CheckSubCodes(code[.._m], k, _m);
            float sum = Sum(ref MemoryMarshal.GetArrayDataReference(table), ref MemoryMarshal.GetReference(code));
            return Finish(sum, code);
        }

        protected override void ScoreManyCore(ReadOnlySpan<byte> codes, Span<float> scores)
        {
            CheckSubCodes(codes[..(scores.Length * _m)], k, _m);
            ref float t = ref MemoryMarshal.GetArrayDataReference(table);
            ref byte c = ref MemoryMarshal.GetReference(codes);
            int m = _m;
            if (Metric is DistanceMetric.DotProduct or DistanceMetric.EuclideanSquared && k == 256)
            {
                float sign = Metric == DistanceMetric.DotProduct ? 1f : -1f;
                for (int i = 0; i < scores.Length; i++)
                {
                    scores[i] = sign * Lookup256(ref t, ref Unsafe.Add(ref c, i * m), m);
                }

                return;
            }

            for (int i = 0; i < scores.Length; i++)
            {
                scores[i] = Finish(Sum(ref t, ref Unsafe.Add(ref c, i * m)), codes.Slice(i * m, m));
            }
        }

        /// <summary>
        /// With fewer than 256 centroids a byte can name a centroid the table does not have, and the unchecked
        /// look-ups would read the next slice's row or past the table; such codes are refused.
        /// </summary>
        internal static void CheckSubCodes(ReadOnlySpan<byte> codes, int centroids, int subspaces = 0)
        {
            if (centroids >= 256)
            {
                return;
            }

            int at = codes.IndexOfAnyInRange((byte)centroids, byte.MaxValue);
            if (at >= 0)
            {
                string where = subspaces > 0 ? $"Code {at / subspaces}, sub-code {at % subspaces}," : $"Byte {at} of the codes";
                throw new ArgumentException($"{where} is {codes[at]}; the quantizer has {centroids} centroids per subspace.", "code");
            }
        }

        private float Finish(float sum, ReadOnlySpan<byte> code)
        {
            switch (Metric)
            {
                case DistanceMetric.DotProduct:
                    return sum;
                case DistanceMetric.EuclideanSquared:
                case DistanceMetric.Manhattan:
                    return -sum;
                case DistanceMetric.Euclidean:
                    return -MathF.Sqrt(MathF.Max(0f, sum));
                default:
                    float normSquared = 0f;
                    for (int j = 0; j < _m; j++)
                    {
                        normSquared += norms![(j * k) + code[j]];
                    }

                    return normSquared > 0f && queryNorm > 0f ? Math.Clamp(sum / (queryNorm * MathF.Sqrt(normSquared)), -1f, 1f) : 0f;
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private float Sum(ref float t, ref byte code) => k == 256 ? Lookup256(ref t, ref code, _m) : Lookup(ref t, ref code);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private float Lookup(ref float t, ref byte code)
        {
            float sum = 0f;
            for (int j = 0; j < _m; j++)
            {
                sum += Unsafe.Add(ref t, (j * k) + Unsafe.Add(ref code, j));
            }

            return sum;
        }

        /// <summary>Sums m table entries for 8-bit codes: one byte load and one add from memory per sub-code, the table offsets folded into the addressing.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static float Lookup256(ref float t, ref byte code, int m)
        {
            float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f;
            int j = 0;
            ref float row = ref t;
            ref byte c = ref code;
            for (; j <= m - 4; j += 4)
            {
                s0 += Unsafe.Add(ref row, (nuint)c);
                s1 += Unsafe.Add(ref Unsafe.Add(ref row, 256), (nuint)Unsafe.Add(ref c, 1));
                s2 += Unsafe.Add(ref Unsafe.Add(ref row, 512), (nuint)Unsafe.Add(ref c, 2));
                s3 += Unsafe.Add(ref Unsafe.Add(ref row, 768), (nuint)Unsafe.Add(ref c, 3));
                row = ref Unsafe.Add(ref row, 1024);
                c = ref Unsafe.Add(ref c, 4);
            }

            for (; j < m; j++)
            {
                s0 += Unsafe.Add(ref row, (nuint)c);
                row = ref Unsafe.Add(ref row, 256);
                c = ref Unsafe.Add(ref c, 1);
            }

            return (s0 + s1) + (s2 + s3);
        }
    }
}
