using System.Runtime.CompilerServices;

namespace Embeddings.Indexing.Internal;

/// <summary>A (distance, id) pair.</summary>
internal struct HeapEntry
{
    public float Distance;
    public int Id;

    public HeapEntry(float distance, int id)
    {
        Distance = distance;
        Id = id;
    }
}

/// <summary>
/// A binary max-heap on (distance, id) over a reusable array: as a bounded top-k it keeps the k closest (the
/// worst on top, evicted first); with negated distances it is the min-heap of candidates. Never shrinks, so a
/// pooled instance allocates nothing per query.
/// </summary>
/// <remarks>
/// Among equal distances the higher id counts as farther, so the bounded top-k keeps, and drains first, the
/// lower ids: the tie rule of <c>TopKCollector</c> (higher score first, then the earlier-inserted record),
/// whatever order the entries are offered in.
/// </remarks>
internal sealed class NeighborHeap
{
    private HeapEntry[] _items;

    public NeighborHeap(int capacity = 64)
    {
        _items = new HeapEntry[Math.Max(capacity, 4)];
    }

    public int Count { get; private set; }

    public float TopDistance
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _items[0].Distance;
    }

    public int TopId
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _items[0].Id;
    }

    public HeapEntry[] Items => _items;

    public void Clear() => Count = 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Push(float distance, int id)
    {
        if (Count == _items.Length)
        {
            Array.Resize(ref _items, _items.Length * 2);
        }

        HeapEntry[] items = _items;
        int i = Count++;
        while (i > 0)
        {
            int parent = (i - 1) >> 1;
            if (!Farther(distance, id, items[parent].Distance, items[parent].Id))
            {
                break;
            }

            items[i] = items[parent];
            i = parent;
        }

        items[i] = new HeapEntry(distance, id);
    }

    /// <summary>Keeps the <paramref name="bound"/> smallest distances: pushes, and evicts the largest when over.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void PushBounded(float distance, int id, int bound)
    {
        if (Count < bound)
        {
            Push(distance, id);
        }
        else if (Farther(_items[0].Distance, _items[0].Id, distance, id))
        {
            ReplaceTop(distance, id);
        }
    }

    public HeapEntry Pop()
    {
        HeapEntry top = _items[0];
        int last = --Count;
        if (last > 0)
        {
            SiftDown(_items[last], last);
        }

        return top;
    }

    public void ReplaceTop(float distance, int id) => SiftDown(new HeapEntry(distance, id), Count);

    /// <summary>Empties the heap into <paramref name="destination"/> in ascending distance; returns how many.</summary>
    public int DrainAscending(Span<HeapEntry> destination)
    {
        int n = Count;
        for (int i = n - 1; i >= 0; i--)
        {
            destination[i] = Pop();
        }

        return n;
    }

    // Distance first; the id is looked at only on an exact tie, which keeps the hot comparison a single float compare.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Farther(float distance, int id, float otherDistance, int otherId) =>
        distance > otherDistance || (distance == otherDistance && id > otherId);

    private void SiftDown(HeapEntry entry, int count)
    {
        HeapEntry[] items = _items;
        int i = 0;
        while (true)
        {
            int child = (2 * i) + 1;
            if (child >= count)
            {
                break;
            }

            if (child + 1 < count && Farther(items[child + 1].Distance, items[child + 1].Id, items[child].Distance, items[child].Id))
            {
                child++;
            }

            if (!Farther(items[child].Distance, items[child].Id, entry.Distance, entry.Id))
            {
                break;
            }

            items[i] = items[child];
            i = child;
        }

        items[i] = entry;
    }
}

/// <summary>Helpers on spans of heap entries.</summary>
internal static class HeapEntryExtensions
{
    public static bool ContainsId(this Span<HeapEntry> entries, int id)
    {
        foreach (HeapEntry entry in entries)
        {
            if (entry.Id == id)
            {
                return true;
            }
        }

        return false;
    }
}
