using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Embeddings.Vectors.Internal;

namespace Embeddings;

/// <summary>
/// Nearest-centroid search for one codebook: centroids stored transposed and scaled by -2 (dim × k) beside
/// their squared norms, so that ‖c‖² - 2x·c for a register of centroids (4, 8 or 16) is one SIMD register of fused multiply-adds per dimension.
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
        if (Vector512.IsHardwareAccelerated && _k % Vector512<float>.Count == 0)
        {
            return Nearest<Lanes512, Vector512<float>>(x, out partialDistance);
        }

        if (Vector256.IsHardwareAccelerated && _k % Vector256<float>.Count == 0)
        {
            return Nearest<Lanes256, Vector256<float>>(x, out partialDistance);
        }

        if (Vector128.IsHardwareAccelerated && _k % Vector128<float>.Count == 0)
        {
            return Nearest<Lanes128, Vector128<float>>(x, out partialDistance);
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

    /// <summary>The search at one width; k a multiple of its count. Lane indices are kept as floats (exact below 2²⁴).</summary>
    internal int Nearest<TLanes, TVector>(ReadOnlySpan<float> x, out float partialDistance)
        where TLanes : struct, ISimdLanes<TVector>
        where TVector : struct
    {
        ref float px = ref MemoryMarshal.GetReference(x);
        ref float pc = ref MemoryMarshal.GetArrayDataReference(_minusTwoTransposed);
        ref float pn = ref MemoryMarshal.GetArrayDataReference(_norms);
        TVector bestValues = TLanes.Create(float.PositiveInfinity);
        TVector bestIndices = TLanes.Zero;
        TVector indices = TLanes.Indices;
        TVector stride = TLanes.Create(TLanes.Count);
        int k = _k;
        int dim = _dim;
        for (int c = 0; c < k; c += TLanes.Count)
        {
            TVector total = TLanes.Load(ref pn, (nuint)c);
            for (int t = 0; t < dim; t++)
            {
                total = TLanes.FusedMultiplyAdd(TLanes.Create(Unsafe.Add(ref px, t)), TLanes.Load(ref pc, (nuint)((t * k) + c)), total);
            }

            TVector better = TLanes.LessThan(total, bestValues);
            bestValues = TLanes.ConditionalSelect(better, total, bestValues);
            bestIndices = TLanes.ConditionalSelect(better, indices, bestIndices);
            indices = TLanes.Add(indices, stride);
        }

        return Reduce(bestValues, bestIndices, out partialDistance);
    }

    private static int Reduce<TVector>(TVector values, TVector indices, out float partialDistance)
        where TVector : struct
    {
        ReadOnlySpan<float> v = MemoryMarshal.Cast<TVector, float>(new ReadOnlySpan<TVector>(in values));
        ReadOnlySpan<float> ix = MemoryMarshal.Cast<TVector, float>(new ReadOnlySpan<TVector>(in indices));
        int best = (int)ix[0];
        float bestValue = v[0];
        for (int lane = 1; lane < v.Length; lane++)
        {
            if (v[lane] < bestValue || (v[lane] == bestValue && (int)ix[lane] < best))
            {
                bestValue = v[lane];
                best = (int)ix[lane];
            }
        }

        partialDistance = bestValue;
        return best;
    }
}
