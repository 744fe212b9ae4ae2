using System.Runtime.InteropServices;
using Embeddings.Indexing.Internal;

namespace Embeddings;

/// <summary>
/// The HNSW file format (inside the versioned, checksummed container of <see cref="IndexFileWriter"/>): the common
/// header, the graph parameters, then per slot its state and level, all vectors, all layer-0 lists, the upper lists
/// of nodes above level 0, and finally the key and metadata of each live slot. Every count and link is checked on
/// load, so a corrupt file fails with <see cref="InvalidDataException"/> naming the bad field.
/// </summary>
public sealed partial class HnswIndex
{
    /// <summary>Loads an index saved with <see cref="InMemoryVectorIndex.Save"/>.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The index.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not an HNSW index file, is truncated or corrupt, or has a newer format version.</exception>
    public static HnswIndex Load(string path)
    {
        using IndexFileReader reader = IndexFileReader.Open(path, IndexKind.Hnsw);
        (int dimensions, DistanceMetric metric, EmbedderFingerprint? fingerprint) = ReadCommonHeader(reader);
        int m = reader.ReadInt32();
        int efConstruction = reader.ReadInt32();
        int efSearch = reader.ReadInt32();
        int hasSeed = reader.ReadInt32();
        int seed = reader.ReadInt32();
        int filteredExact = reader.ReadInt32();
        int reuse = reader.ReadInt32();
        int allocated = reader.ReadInt32();
        long live = reader.ReadInt64();
        int entry = reader.ReadInt32();
        int maxLevel = reader.ReadInt32();
        reader.Require(m is >= 2 and <= 1024, $"M {m}");
        reader.Require(efConstruction > 0 && efSearch > 0 && filteredExact >= 0, "search parameters");
        reader.Require(allocated >= 0 && (long)Math.Max(allocated, 16) * Math.Max(dimensions, (2 * m) + 1) <= Array.MaxLength, $"slot count {allocated} of {dimensions} dimensions");

        // Each slot takes a state byte, a level byte, its vector and its layer-0 list; checked before the count sizes any array.
        long slotBytes = 2 + (dimensions * 4L) + (((2L * m) + 1) * 4);
        reader.Require(allocated * slotBytes <= reader.Remaining, $"slot count {allocated} ({allocated * slotBytes} bytes needed, {reader.Remaining} present)");
        reader.Require(live >= 0 && live <= allocated, $"live count {live}");
        reader.Require(entry >= -1 && entry < allocated && maxLevel >= -1 && maxLevel <= HnswGraph.MaxLevel && (entry == -1) == (maxLevel == -1), "entry point");

        var options = new HnswIndexOptions
        {
            M = m,
            EfConstruction = efConstruction,
            EfSearch = efSearch,
            Seed = hasSeed != 0 ? seed : null,
            FilteredExactSearchThreshold = filteredExact,
            ReuseRemovedSlots = reuse != 0,
            InitialCapacity = Math.Max(allocated, 16),
        };
        var index = new HnswIndex(dimensions, metric, options, fingerprint);
        try
        {
            index.ReadBody(reader, allocated, live, entry, maxLevel);
        }
        catch
        {
            index.Dispose();
            throw;
        }

        return index;
    }

    private protected override void SaveCore(string path)
    {
        _structure.EnterWriteLock();
        try
        {
            using IndexFileWriter writer = IndexFileWriter.Create(path, IndexKind.Hnsw);
            WriteCommonHeader(writer);
            writer.WriteInt32(_graph.M);
            writer.WriteInt32(_graph.EfConstruction);
            writer.WriteInt32(_efSearch);
            writer.WriteInt32(_seed.HasValue ? 1 : 0);
            writer.WriteInt32(_seed ?? 0);
            writer.WriteInt32(_filteredExactThreshold);
            writer.WriteInt32(_reuseRemovedSlots ? 1 : 0);
            // Inserts hold the structure lock shared, so under the exclusive lock no slot is mid-insert. Removes
            // take only the map lock, so the live set, keys and metadata are snapshotted under it in one step.
            var states = new byte[_allocated];
            var keys = new string?[_allocated];
            var metadata = new IReadOnlyDictionary<string, object?>?[_allocated];
            long live;
            lock (_mapLock)
            {
                live = _live;
                for (int i = 0; i < _allocated; i++)
                {
                    states[i] = (byte)(_graph.Stamps[i] & HnswGraph.StateMask);
                    if (states[i] == HnswGraph.StateLive)
                    {
                        keys[i] = _keys[i];
                        metadata[i] = _metadata[i];
                    }
                }
            }

            writer.WriteInt32(_allocated);
            writer.WriteInt64(live);
            (int entry, int maxLevel) = _graph.EntryPoint;
            int stride0 = _graph.MaxM0 + 1;
            writer.WriteInt32(entry);
            writer.WriteInt32(maxLevel);
            writer.WriteBytes(states);
            writer.WriteBytes(MemoryMarshal.AsBytes(_graph.Levels.AsSpan(0, _allocated)));
            writer.WriteSingles(_graph.Vectors.AsSpan(0, _allocated * _dims));
            writer.WriteInt32s(_graph.Layer0.AsSpan(0, _allocated * stride0));
            for (int i = 0; i < _allocated; i++)
            {
                if (_graph.Levels[i] > 0)
                {
                    writer.WriteInt32s(_graph.Upper[i]);
                }
            }

            for (int i = 0; i < _allocated; i++)
            {
                if (states[i] == HnswGraph.StateLive)
                {
                    writer.WriteString(keys[i]);
                    writer.WriteMetadata(metadata[i]);
                }
            }

            writer.Commit();
        }
        finally
        {
            _structure.ExitWriteLock();
        }
    }

    private void ReadBody(IndexFileReader reader, int allocated, long live, int entry, int maxLevel)
    {
        sbyte[] levels = _graph.Levels;
        float[] vectors = _graph.Vectors;
        int[] links0 = _graph.Layer0;
        int[] stamps = _graph.Stamps;
        int m = _graph.M;
        int stride0 = _graph.MaxM0 + 1;
        int strideUpper = m + 1;
        var states = new byte[allocated];
        reader.ReadBytes(states);
        reader.ReadBytes(MemoryMarshal.AsBytes(levels.AsSpan(0, allocated)));
        reader.ReadSingles(vectors.AsSpan(0, allocated * _dims));
        reader.Require(allocated == 0 || System.Numerics.Tensors.TensorPrimitives.IsFiniteAll<float>(vectors.AsSpan(0, allocated * _dims)), "a stored vector value (NaN or infinite)");
        reader.ReadInt32s(links0.AsSpan(0, allocated * stride0));
        for (int i = 0; i < allocated; i++)
        {
            int level = levels[i];
            reader.Require(level >= 0 && level <= Math.Max(maxLevel, 0), $"level {level} of node {i}");
            reader.Require(states[i] is HnswGraph.StateLive or HnswGraph.StateDeleted, $"state {states[i]} of node {i}");
            CheckLinks(reader, links0.AsSpan(i * stride0, stride0), _graph.MaxM0, allocated, i);
            if (level > 0)
            {
                reader.Require(level * strideUpper * 4L <= reader.Remaining, $"the upper layers of node {i}");
                var upper = new int[level * strideUpper];
                reader.ReadInt32s(upper);
                for (int l = 0; l < level; l++)
                {
                    CheckLinks(reader, upper.AsSpan(l * strideUpper, strideUpper), m, allocated, i);
                }

                _graph.Upper[i] = upper;
            }
        }

        if (entry >= 0)
        {
            reader.Require(levels[entry] == maxLevel, "entry point level");
        }

        long liveFound = 0;
        for (int i = 0; i < allocated; i++)
        {
            if (states[i] == HnswGraph.StateLive)
            {
                string key = reader.ReadString() ?? throw reader.Corrupt($"node {i} has no key");
                reader.Require(key.Length > 0 && _slots.TryAdd(key, i), $"key '{key}' of node {i} (empty or duplicate)");
                _keys[i] = key;
                _metadata[i] = reader.ReadMetadata();
                stamps[i] = HnswGraph.StateLive;
                liveFound++;
            }
            else
            {
                stamps[i] = HnswGraph.StateDeleted;
            }
        }

        reader.Require(liveFound == live, $"live count {live} (found {liveFound})");
        for (int i = allocated - 1; i >= 0; i--)
        {
            if (states[i] == HnswGraph.StateDeleted && i != entry)
            {
                _free.Push(i);
            }
        }

        reader.EnsureAtEnd();
        _allocated = allocated;
        _live = live;
        _graph.SetEntryPoint(entry, maxLevel);
    }

    private static void CheckLinks(IndexFileReader reader, ReadOnlySpan<int> list, int max, int allocated, int node)
    {
        int count = list[0];
        reader.Require(count >= 0 && count <= max, $"neighbour count {count} of node {node}");
        for (int j = 1; j <= count; j++)
        {
            reader.Require((uint)list[j] < (uint)allocated, $"neighbour {list[j]} of node {node}");
        }
    }
}
