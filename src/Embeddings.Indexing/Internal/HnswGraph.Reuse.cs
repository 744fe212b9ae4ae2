namespace Embeddings.Indexing.Internal;

/// <summary>The update path: a deleted node's id takes a new vector without leaving stale links behind.</summary>
internal sealed partial class HnswGraph
{
    /// <summary>
    /// Puts a new vector into a deleted node's id. First the old node is unlinked the way FreshDiskANN deletes: every
    /// node that pointed to it (its neighbours and, nearly always, nodes in its two-hop neighbourhood) re-selects
    /// its list from its other neighbours plus the old node's neighbours, so no one loses a neighbour to a vector
    /// that moved. Then the lists are cleared and the node is linked like a new one at its old level.
    /// </summary>
    public void Reconnect(int id)
    {
        int level = _levels[id];
        SearchScratch scratch = SearchScratch.Rent(_capacity, _dims);
        int maxNeighbors = _maxM0 + 1;
        scratch.EnsureSelectionCapacity(Math.Max(Math.Max(_efConstruction, _maxM0), 2 * maxNeighbors) + 2);
        scratch.EnsureIdCapacity((maxNeighbors * maxNeighbors) + 2, maxNeighbors);
        for (int l = 0; l <= level; l++)
        {
            int limit = l == 0 ? _maxM0 : _m;
            int[] candidates = scratch.Ids;
            int[] hops = scratch.HopIds;
            int candidateCount = 0;
            int hopCount = 0;
            scratch.NewVisit();
            scratch.TryVisit(id);
            LockNode(id);
            try
            {
                Span<int> own = Links(id, l);
                int n = own.IsEmpty ? 0 : Math.Min(own[0], limit);
                for (int j = 0; j < n; j++)
                {
                    hops[hopCount++] = own[j + 1];
                }

                if (!own.IsEmpty)
                {
                    Volatile.Write(ref own[0], 0);
                }
            }
            finally
            {
                UnlockNode(id);
            }

            for (int h = 0; h < hopCount; h++)
            {
                int hop = hops[h];
                if (scratch.TryVisit(hop))
                {
                    candidates[candidateCount++] = hop;
                }

                Span<int> twoHop = Links(hop, l);
                int n = twoHop.IsEmpty ? 0 : Math.Min(Volatile.Read(ref twoHop[0]), limit);
                for (int j = 1; j <= n; j++)
                {
                    int candidate = twoHop[j];
                    if (scratch.TryVisit(candidate))
                    {
                        candidates[candidateCount++] = candidate;
                    }
                }
            }

            for (int c = 0; c < candidateCount; c++)
            {
                RepairList(candidates[c], l, limit, id, hops.AsSpan(0, hopCount), scratch);
            }
        }

        (int entry, int maxLevel) = EntryPoint;
        DescendAndConnect(ref VectorRef(id), id, level, entry, maxLevel, scratch);
    }

    /// <summary>
    /// Re-selects <paramref name="node"/>'s list on <paramref name="level"/> without <paramref name="removed"/>, from its
    /// other neighbours plus <paramref name="hops"/> (the removed node's neighbours); a no-op when it did not link to it.
    /// </summary>
    private void RepairList(int node, int level, int limit, int removed, ReadOnlySpan<int> hops, SearchScratch scratch)
    {
        Span<int> list = Links(node, level);
        if (list.IsEmpty || !list.Slice(1, Math.Min(Volatile.Read(ref list[0]), limit)).Contains(removed))
        {
            return;
        }

        HeapEntry[] pool = scratch.NeighborSorted;
        int count = 0;
        int n = Math.Min(Volatile.Read(ref list[0]), limit);
        for (int j = 1; j <= n; j++)
        {
            count = AddCandidate(pool, count, node, list[j], removed);
        }

        foreach (int hop in hops)
        {
            count = AddCandidate(pool, count, node, hop, removed);
        }

        InsertionSort(pool.AsSpan(0, count));
        int selected = SelectNeighbors(pool, count, limit, scratch.NeighborSelected);

        // The heuristic alone would thin the list; keep it as long as it was (less the removed link) by
        // adding back the closest pruned candidates, as hnswlib's keepPrunedConnections does.
        int target = Math.Min(n - 1, count);
        for (int i = 0; i < count && selected < target; i++)
        {
            if (!scratch.NeighborSelected.AsSpan(0, selected).ContainsId(pool[i].Id))
            {
                scratch.NeighborSelected[selected++] = pool[i];
            }
        }

        WriteLinks(node, level, scratch.NeighborSelected.AsSpan(0, selected));
    }

    private int AddCandidate(HeapEntry[] pool, int count, int node, int candidate, int excluded)
    {
        if (candidate == node || candidate == excluded || IsDeleted(candidate) || pool.AsSpan(0, count).ContainsId(candidate))
        {
            return count;
        }

        pool[count] = new HeapEntry(Distance(node, candidate), candidate);
        return count + 1;
    }

    private void WriteLinks(int id, int level, ReadOnlySpan<HeapEntry> neighbors)
    {
        LockNode(id);
        try
        {
            Span<int> list = Links(id, level);
            if (list.IsEmpty)
            {
                return;
            }

            int n = Math.Min(neighbors.Length, list.Length - 1);
            for (int j = 0; j < n; j++)
            {
                list[j + 1] = neighbors[j].Id;
            }

            Volatile.Write(ref list[0], n);
        }
        finally
        {
            UnlockNode(id);
        }
    }
}
