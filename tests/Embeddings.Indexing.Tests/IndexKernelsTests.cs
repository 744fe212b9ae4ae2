using Embeddings.Indexing.Internal;

namespace Embeddings.Core.Tests.Indexing;

public sealed class IndexKernelsTests
{
    public static TheoryData<int> Lengths => new() { 1, 3, 4, 7, 8, 15, 16, 17, 31, 32, 33, 48, 63, 64, 100, 129, 384 };

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Kernels_match_a_scalar_reference(int length)
    {
        var random = new Random(length);
        float[] a = Enumerable.Range(0, length).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
        float[] b = Enumerable.Range(0, length).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
        double dot = 0, l2 = 0, l1 = 0;
        for (int i = 0; i < length; i++)
        {
            dot += (double)a[i] * b[i];
            l2 += ((double)a[i] - b[i]) * ((double)a[i] - b[i]);
            l1 += Math.Abs((double)a[i] - b[i]);
        }

        float tolerance = 1e-5f * length;
        Assert.Equal(dot, IndexKernels.Dot(ref a[0], ref b[0], length), tolerance);
        Assert.Equal(l2, IndexKernels.SquaredL2(ref a[0], ref b[0], length), tolerance);
        Assert.Equal(l1, IndexKernels.L1(ref a[0], ref b[0], length), tolerance);
    }

    [Fact]
    public void Bounded_heap_keeps_the_k_smallest()
    {
        var random = new Random(3);
        var heap = new NeighborHeap(2);
        float[] values = Enumerable.Range(0, 500).Select(_ => (float)random.NextDouble()).ToArray();
        for (int i = 0; i < values.Length; i++)
        {
            heap.PushBounded(values[i], i, 17);
        }

        var drained = new HeapEntry[17];
        Assert.Equal(17, heap.DrainAscending(drained));
        int[] expected = values.Select((v, i) => (v, i)).OrderBy(x => x.v).Take(17).Select(x => x.i).ToArray();
        Assert.Equal(expected, drained.Select(e => e.Id).ToArray());
    }
}
