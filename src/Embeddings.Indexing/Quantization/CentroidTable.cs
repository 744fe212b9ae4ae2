using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Embeddings;

/// <summary>
/// Nearest-centroid search for one codebook: centroids stored transposed and scaled by -2 (dim × k) beside
/// their squared norms, so that ‖c‖² - 2x·c for 8 or 16 centroids is one SIMD register of fused multiply-adds per dimension.
/// </summary>
internal sealed class CentroidTable
{
    private readonly int _dim;
    private readonly int _k;
    private readonly float[] _minusTwoTransposed;
    private readonly float[] _norms;

    public CentroidTable(int dim, int k)
    {
        _dim = dim;
        _k = k;
        _minusTwoTransposed = new float[dim * k];
        _norms = new float[k];
    }

    /// <summary>Loads centroids laid out k × dim.</summary>
    public void Load(ReadOnlySpan<float> centroids)
    {
        for (int c = 0; c < _k; c++)
        {
            ReadOnlySpan<float> centroid = centroids.Slice(c * _dim, _dim);
            float norm = 0f;
            for (int t = 0; t < _dim; t++)
            {
                _minusTwoTransposed[(t * _k) + c] = -2f * centroid[t];
                norm = MathF.FusedMultiplyAdd(centroid[t], centroid[t], norm);
            }

            _norms[c] = norm;
        }
    }

    /// <summary>Returns the index of the centroid nearest to <paramref name="x"/> (the lowest index among ties).</summary>
    /// <param name="x">The point, dim long.</param>
    /// <param name="partialDistance">‖c‖² - 2x·c of the winner: the squared distance minus ‖x‖².</param>
    public int Nearest(ReadOnlySpan<float> x, out float partialDistance)
    {
        ref float px = ref MemoryMarshal.GetReference(x);
        ref float pc = ref MemoryMarshal.GetArrayDataReference(_minusTwoTransposed);
        ref float pn = ref MemoryMarshal.GetArrayDataReference(_norms);
        if (Vector512.IsHardwareAccelerated && _k % 16 == 0)
        {
            return Nearest512(ref px, ref pc, ref pn, out partialDistance);
        }

        if (Vector256.IsHardwareAccelerated && _k % 8 == 0)
        {
            return Nearest256(ref px, ref pc, ref pn, out partialDistance);
        }

        return NearestScalar(ref px, ref pc, ref pn, out partialDistance);
    }

    internal int NearestScalar(ref float px, ref float pc, ref float pn, out float partialDistance)
    {
        int best = 0;
        float bestValue = float.PositiveInfinity;
        for (int c = 0; c < _k; c++)
        {
            float value = Unsafe.Add(ref pn, c);
            for (int t = 0; t < _dim; t++)
            {
                value = MathF.FusedMultiplyAdd(Unsafe.Add(ref px, t), Unsafe.Add(ref pc, (t * _k) + c), value);
            }

            if (value < bestValue)
            {
                bestValue = value;
                best = c;
            }
        }

        partialDistance = bestValue;
        return best;
    }

    private int Nearest512(ref float px, ref float pc, ref float pn, out float partialDistance)
    {
        Vector512<float> bestValues = Vector512.Create(float.PositiveInfinity);
        Vector512<int> bestIndices = Vector512<int>.Zero;
        Vector512<int> indices = Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
        Vector512<int> stride = Vector512.Create(16);
        int k = _k;
        int dim = _dim;
        for (int c = 0; c < k; c += 16)
        {
            Vector512<float> acc = Vector512.LoadUnsafe(ref pn, (nuint)c);
            for (int t = 0; t < dim; t++)
            {
                acc = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref px, t)), Vector512.LoadUnsafe(ref pc, (nuint)((t * k) + c)), acc);
            }

            Vector512<float> better = Vector512.LessThan(acc, bestValues);
            bestValues = Vector512.ConditionalSelect(better, acc, bestValues);
            bestIndices = Vector512.ConditionalSelect(better.AsInt32(), indices, bestIndices);
            indices += stride;
        }

        return Reduce(bestValues, bestIndices, out partialDistance);
    }

    private int Nearest256(ref float px, ref float pc, ref float pn, out float partialDistance)
    {
        Vector256<float> bestValues = Vector256.Create(float.PositiveInfinity);
        Vector256<int> bestIndices = Vector256<int>.Zero;
        Vector256<int> indices = Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7);
        Vector256<int> stride = Vector256.Create(8);
        int k = _k;
        int dim = _dim;
        for (int c = 0; c < k; c += 8)
        {
            Vector256<float> acc = Vector256.LoadUnsafe(ref pn, (nuint)c);
            for (int t = 0; t < dim; t++)
            {
                acc = Vector256.FusedMultiplyAdd(Vector256.Create(Unsafe.Add(ref px, t)), Vector256.LoadUnsafe(ref pc, (nuint)((t * k) + c)), acc);
            }

            Vector256<float> better = Vector256.LessThan(acc, bestValues);
            bestValues = Vector256.ConditionalSelect(better, acc, bestValues);
            bestIndices = Vector256.ConditionalSelect(better.AsInt32(), indices, bestIndices);
            indices += stride;
        }

        return Reduce(bestValues, bestIndices, out partialDistance);
    }

    private static int Reduce<TValues, TIndices>(TValues values, TIndices indices, out float partialDistance)
        where TValues : struct
        where TIndices : struct
    {
        ReadOnlySpan<float> v = MemoryMarshal.Cast<TValues, float>(new ReadOnlySpan<TValues>(in values));
        ReadOnlySpan<int> ix = MemoryMarshal.Cast<TIndices, int>(new ReadOnlySpan<TIndices>(in indices));
        int best = ix[0];
        float bestValue = v[0];
        for (int lane = 1; lane < v.Length; lane++)
        {
            if (v[lane] < bestValue || (v[lane] == bestValue && ix[lane] < best))
            {
                bestValue = v[lane];
                best = ix[lane];
            }
        }

        partialDistance = bestValue;
        return best;
    }
}
