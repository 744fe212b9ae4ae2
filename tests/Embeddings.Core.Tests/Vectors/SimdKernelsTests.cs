using System.Runtime.Intrinsics;
using Embeddings.Testing;
using Embeddings.Vectors.Internal;

namespace Embeddings.Core.Tests.Vectors;

/// <summary>
/// Every width-generic kernel at every width, against plain double loops. The width-explicit forms run on any
/// CPU (a width the CPU lacks is emulated by the JIT, slowly but exactly as specified), so no row depends on the
/// hardware; CI also runs this class with AVX-512 and then AVX2 switched off, which moves the entry points'
/// own width choice down to 256 and 128 bits.
/// </summary>
public sealed class SimdKernelsTests
{
    private static readonly int[] LengthsPastEveryWidth = [4, 5, 7, 8, 9, 15, 16, 17, 23, 31, 32, 33, 47, 48, 63, 64, 65, 100, 129, 384];

    public static TheoryData<int> Widths => new() { 128, 256, 512 };

    public static TheoryData<int> AnyLength => new() { 1, 2, 3, 4, 5, 7, 8, 12, 15, 16, 17, 31, 32, 33, 100, 384 };

    [Theory]
    [MemberData(nameof(Widths))]
    public void Metric_sums_match_the_scalar_reference_at_every_width(int width)
    {
        foreach (int length in LengthsPastEveryWidth.Where(n => n >= width / 32))
        {
            (float[] a, float[] b) = RandomPair(length, seed: length + width);
            Assert.Equal(ScalarReference.Dot(a, b), Sum<DotElements>(width, a, b), Tolerance(a, b));
            Assert.Equal(ScalarReference.EuclideanSquared(a, b), Sum<SquaredDifferenceElements>(width, a, b), Tolerance(a, b));
            Assert.Equal(ScalarReference.Manhattan(a, b), Sum<AbsoluteDifferenceElements>(width, a, b), Tolerance(a, b));
        }
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void Dot_and_squares_match_the_scalar_reference_at_every_width(int width)
    {
        foreach (int length in LengthsPastEveryWidth.Where(n => n >= width / 32))
        {
            (float[] a, float[] b) = RandomPair(length, seed: 100 + length + width);
            float dot, aa, bb;
            switch (width)
            {
                case 128:
                    SimdKernels.DotAndSquares<Lanes128, Vector128<float>>(ref a[0], ref b[0], length, out dot, out aa, out bb);
                    break;
                case 256:
                    SimdKernels.DotAndSquares<Lanes256, Vector256<float>>(ref a[0], ref b[0], length, out dot, out aa, out bb);
                    break;
                default:
                    SimdKernels.DotAndSquares<Lanes512, Vector512<float>>(ref a[0], ref b[0], length, out dot, out aa, out bb);
                    break;
            }

            Assert.Equal(ScalarReference.Dot(a, b), dot, Tolerance(a, b));
            Assert.Equal(ScalarReference.Dot(a, a), aa, Tolerance(a, a));
            Assert.Equal(ScalarReference.Dot(b, b), bb, Tolerance(b, b));
        }
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void Int8_kernels_match_the_scalar_reference_at_every_width(int width)
    {
        foreach (int length in LengthsPastEveryWidth.Where(n => n >= width / 32))
        {
            var random = new Random(200 + length + width);
            float[] weights = RandomVector(random, length);
            float[] negativeSteps = RandomVector(random, length).Select(x => x * 0.01f).ToArray();
            sbyte[] codes = Enumerable.Range(0, length).Select(_ => (sbyte)random.Next(-128, 128)).ToArray();
            double weighted = 0, residual = 0, scale = 1;
            for (int i = 0; i < length; i++)
            {
                weighted += (double)weights[i] * codes[i];
                double d = weights[i] + ((double)negativeSteps[i] * codes[i]);
                residual += d * d;
                scale += Math.Abs((double)weights[i] * codes[i]);
            }

            (float fastWeighted, float fastResidual) = width switch
            {
                128 => (SimdKernels.WeightedSum<Lanes128, Vector128<float>>(ref weights[0], ref codes[0], length),
                        SimdKernels.SquaredResidual<Lanes128, Vector128<float>>(ref weights[0], ref negativeSteps[0], ref codes[0], length)),
                256 => (SimdKernels.WeightedSum<Lanes256, Vector256<float>>(ref weights[0], ref codes[0], length),
                        SimdKernels.SquaredResidual<Lanes256, Vector256<float>>(ref weights[0], ref negativeSteps[0], ref codes[0], length)),
                _ => (SimdKernels.WeightedSum<Lanes512, Vector512<float>>(ref weights[0], ref codes[0], length),
                      SimdKernels.SquaredResidual<Lanes512, Vector512<float>>(ref weights[0], ref negativeSteps[0], ref codes[0], length)),
            };

            Assert.Equal(weighted, fastWeighted, 1e-5 * scale);
            Assert.Equal(residual, fastResidual, 1e-5 * (1 + residual));
        }
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void Add_squared_difference_updates_every_element_once_at_every_width(int width)
    {
        foreach (int length in LengthsPastEveryWidth.Where(n => n >= width / 32))
        {
            var random = new Random(300 + length + width);
            float[] x = RandomVector(random, length);
            float[] accumulator = RandomVector(random, length).Select(Math.Abs).ToArray();
            double[] expected = accumulator.Select((value, i) => value + (((double)x[i] - 0.25) * ((double)x[i] - 0.25))).ToArray();
            switch (width)
            {
                case 128:
                    SimdKernels.AddSquaredDifference<Lanes128, Vector128<float>>(ref x[0], 0.25f, ref accumulator[0], length);
                    break;
                case 256:
                    SimdKernels.AddSquaredDifference<Lanes256, Vector256<float>>(ref x[0], 0.25f, ref accumulator[0], length);
                    break;
                default:
                    SimdKernels.AddSquaredDifference<Lanes512, Vector512<float>>(ref x[0], 0.25f, ref accumulator[0], length);
                    break;
            }

            for (int i = 0; i < length; i++)
            {
                Assert.Equal(expected[i], accumulator[i], 1e-5);
            }
        }
    }

    [Theory]
    [MemberData(nameof(AnyLength))]
    public void Entry_points_match_the_scalar_reference_at_the_width_this_process_picks(int length)
    {
        (float[] a, float[] b) = RandomPair(length, seed: 400 + length);
        Assert.Equal(ScalarReference.Dot(a, b), SimdKernels.Sum<DotElements>(ref a[0], ref b[0], length), Tolerance(a, b));
        Assert.Equal(ScalarReference.EuclideanSquared(a, b), SimdKernels.Sum<SquaredDifferenceElements>(ref a[0], ref b[0], length), Tolerance(a, b));
        Assert.Equal(ScalarReference.Manhattan(a, b), SimdKernels.Sum<AbsoluteDifferenceElements>(ref a[0], ref b[0], length), Tolerance(a, b));
        SimdKernels.DotAndSquares(ref a[0], ref b[0], length, out float dot, out float aa, out float bb);
        Assert.Equal(ScalarReference.Dot(a, b), dot, Tolerance(a, b));
        Assert.Equal(ScalarReference.Dot(a, a), aa, Tolerance(a, a));
        Assert.Equal(ScalarReference.Dot(b, b), bb, Tolerance(b, b));
        sbyte[] codes = a.Select(x => (sbyte)(x * 100)).ToArray();
        Assert.Equal(b.Select((w, i) => (double)w * codes[i]).Sum(), SimdKernels.WeightedSum(ref b[0], ref codes[0], length), 1e-5 * (1 + b.Select((w, i) => Math.Abs((double)w * codes[i])).Sum()));
    }

    [Fact]
    public void Tail_masks_set_exactly_the_last_lanes()
    {
        for (int remaining = 1; remaining < 16; remaining++)
        {
            Assert.Equal(Expected(16, remaining), Bits(Lanes512.TailMask(remaining)));
            if (remaining < 8)
            {
                Assert.Equal(Expected(8, remaining), Bits(Lanes256.TailMask(remaining)));
            }

            if (remaining < 4)
            {
                Assert.Equal(Expected(4, remaining), Bits(Lanes128.TailMask(remaining)));
            }
        }

        static uint[] Expected(int count, int remaining) => Enumerable.Range(0, count).Select(lane => lane >= count - remaining ? uint.MaxValue : 0u).ToArray();

        static uint[] Bits<T>(T vector)
            where T : struct => System.Runtime.InteropServices.MemoryMarshal.Cast<T, uint>(new ReadOnlySpan<T>(in vector)).ToArray();
    }

    private static float Sum<TMetric>(int width, float[] a, float[] b)
        where TMetric : struct, IElementMetric => width switch
        {
            128 => SimdKernels.Sum<TMetric, Lanes128, Vector128<float>>(ref a[0], ref b[0], a.Length),
            256 => SimdKernels.Sum<TMetric, Lanes256, Vector256<float>>(ref a[0], ref b[0], a.Length),
            _ => SimdKernels.Sum<TMetric, Lanes512, Vector512<float>>(ref a[0], ref b[0], a.Length),
        };

    private static double Tolerance(float[] a, float[] b) => 1e-5 * (1 + a.Zip(b, (x, y) => Math.Abs((double)x * y) + Math.Abs((double)x - y)).Sum());

    private static (float[] A, float[] B) RandomPair(int length, int seed)
    {
        var random = new Random(seed);
        return (RandomVector(random, length), RandomVector(random, length));
    }

    private static float[] RandomVector(Random random, int length) =>
        Enumerable.Range(0, length).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
}
