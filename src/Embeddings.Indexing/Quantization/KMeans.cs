using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Embeddings.Vectors.Internal;

namespace Embeddings;

/// <summary>
/// Seeded k-means (k-means++ initialisation, then Lloyd iterations) on small-dimensional points, the building
/// block of product quantization. Distances use ‖x‖² - 2x·c + ‖c‖² with the centroids transposed so that one
/// SIMD register holds 8 or 16 centroids' partial sums.
/// </summary>
internal static class KMeans
{
    /// <summary>Clusters <paramref name="points"/> (n × dim, back to back) into <paramref name="k"/> centroids (k × dim).</summary>
    public static float[] Train(ReadOnlySpan<float> points, int dim, int k, int iterations, Random random, CancellationToken cancellationToken)
    {
        int n = points.Length / dim;
        var centroids = new float[k * dim];
        InitializePlusPlus(points, n, dim, k, centroids, random, cancellationToken);

        var table = new CentroidTable(dim, k);
        var assignment = new int[n];
        var sums = new double[k * dim];
        var counts = new int[k];
        for (int iteration = 0; iteration < iterations; iteration++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            table.Load(centroids);
            for (int i = 0; i < n; i++)
            {
                assignment[i] = table.Nearest(points.Slice(i * dim, dim), out _);
            }

            Array.Clear(sums);
            Array.Clear(counts);
            for (int i = 0; i < n; i++)
            {
                int c = assignment[i];
                counts[c]++;
                ReadOnlySpan<float> x = points.Slice(i * dim, dim);
                Span<double> s = sums.AsSpan(c * dim, dim);
                for (int t = 0; t < dim; t++)
                {
                    s[t] += x[t];
                }
            }

            for (int c = 0; c < k; c++)
            {
                if (counts[c] == 0)
                {
                    continue;
                }

                Span<float> centroid = centroids.AsSpan(c * dim, dim);
                double inverse = 1.0 / counts[c];
                for (int t = 0; t < dim; t++)
                {
                    centroid[t] = (float)(sums[(c * dim) + t] * inverse);
                }
            }

            SplitLargestIntoEmpty(centroids, counts, dim);
        }

        return centroids;
    }

    /// <summary>k-means++: each next centroid is a point drawn with probability proportional to its squared distance to the nearest centroid so far.</summary>
    private static void InitializePlusPlus(ReadOnlySpan<float> points, int n, int dim, int k, float[] centroids, Random random, CancellationToken cancellationToken)
    {
        // Points transposed (dim × n) so that the distance update runs over many points per SIMD register.
        var columns = new float[dim * n];
        for (int i = 0; i < n; i++)
        {
            for (int t = 0; t < dim; t++)
            {
                columns[(t * n) + i] = points[(i * dim) + t];
            }
        }

        var nearest = new float[n];
        var scratch = new float[n];
        int first = random.Next(n);
        points.Slice(first * dim, dim).CopyTo(centroids);
        SquaredDistances(columns, n, dim, centroids.AsSpan(0, dim), nearest);

        const int BlockSize = 1024;
        int blocks = (n + BlockSize - 1) / BlockSize;
        var blockSums = new double[blocks];
        for (int c = 1; c < k; c++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            double total = 0;
            for (int b = 0; b < blocks; b++)
            {
                int start = b * BlockSize;
                blockSums[b] = TensorPrimitives.Sum(nearest.AsSpan(start, Math.Min(BlockSize, n - start)));
                total += blockSums[b];
            }

            int chosen;
            if (total <= 0)
            {
                // Every point coincides with a centroid already: any point will do.
                chosen = random.Next(n);
            }
            else
            {
                double target = random.NextDouble() * total;
                int block = 0;
                while (block < blocks - 1 && target >= blockSums[block])
                {
                    target -= blockSums[block];
                    block++;
                }

                int end = Math.Min(n, (block + 1) * BlockSize);
                chosen = end - 1;
                for (int i = block * BlockSize; i < end; i++)
                {
                    target -= nearest[i];
                    if (target < 0)
                    {
                        chosen = i;
                        break;
                    }
                }
            }

            Span<float> centroid = centroids.AsSpan(c * dim, dim);
            points.Slice(chosen * dim, dim).CopyTo(centroid);
            SquaredDistances(columns, n, dim, centroid, scratch);
            TensorPrimitives.Min(nearest, scratch, nearest);
        }
    }

    /// <summary>Writes ‖x_i - c‖² for every point (points transposed: dim × n).</summary>
    private static void SquaredDistances(float[] columns, int n, int dim, ReadOnlySpan<float> centroid, Span<float> destination)
    {
        Span<float> result = destination[..n];
        ReadOnlySpan<float> column0 = columns.AsSpan(0, n);
        TensorPrimitives.Subtract(column0, centroid[0], result);
        TensorPrimitives.Multiply(result, result, result);
        for (int t = 1; t < dim; t++)
        {
            AddSquaredDifference(columns.AsSpan(t * n, n), centroid[t], result);
        }
    }

    private static void AddSquaredDifference(ReadOnlySpan<float> column, float value, Span<float> accumulator) =>
        SimdKernels.AddSquaredDifference(ref MemoryMarshal.GetReference(column), value, ref MemoryMarshal.GetReference(accumulator), column.Length);

    /// <summary>Gives each empty cluster half of the largest one (its centroid nudged apart), as FAISS does.</summary>
    private static void SplitLargestIntoEmpty(float[] centroids, int[] counts, int dim)
    {
        const float Epsilon = 1f / 1024;
        for (int empty = 0; empty < counts.Length; empty++)
        {
            if (counts[empty] != 0)
            {
                continue;
            }

            int largest = 0;
            for (int c = 1; c < counts.Length; c++)
            {
                if (counts[c] > counts[largest])
                {
                    largest = c;
                }
            }

            if (counts[largest] < 2)
            {
                return;
            }

            Span<float> source = centroids.AsSpan(largest * dim, dim);
            Span<float> target = centroids.AsSpan(empty * dim, dim);
            for (int t = 0; t < dim; t++)
            {
                float value = source[t];
                target[t] = value * (1f + Epsilon) + (t % 2 == 0 ? Epsilon : -Epsilon);
                source[t] = value * (1f - Epsilon) - (t % 2 == 0 ? Epsilon : -Epsilon);
            }

            counts[empty] = counts[largest] / 2;
            counts[largest] -= counts[empty];
        }
    }
}
