namespace Embeddings;

/// <summary>
/// The library's top-k selector: keeps the k best (score, index) pairs seen so far in a min-heap whose root
/// is the worst kept. The tie rule is the one every search in the library states: higher score first, and
/// among equal scores the lower index (the earlier-inserted record) first, whatever order the pairs are
/// offered in. Lucene's top-docs collector breaks ties the same way.
/// </summary>
/// <remarks>
/// The exact scans (quantized codes, PQ, two-stage rescoring, BM25) select with it. The graph and flat float
/// indexes keep <c>NeighborHeap</c>, a distance heap that doubles as HNSW's candidate queue, and apply the
/// same tie rule when they evict and when they drain.
/// </remarks>
internal ref struct TopKCollector : IScoreSink
{
    private readonly Span<float> _scores;
    private readonly Span<int> _indices;
    private int _count;

    public TopKCollector(Span<float> scores, Span<int> indices)
    {
        _scores = scores;
        _indices = indices;
        _count = 0;
    }

    public readonly int Count => _count;

    /// <summary>Gets the score a candidate must beat to enter once the collector is full.</summary>
    public readonly float Threshold => _count < _scores.Length ? float.NegativeInfinity : _scores[0];

    /// <summary>Returns whether <see cref="Add"/> would keep the pair: lets a caller skip costly checks (a metadata filter) for pairs that cannot enter.</summary>
    public readonly bool WouldKeep(float score, int index) =>
        _count < _scores.Length || Worse(_scores[0], _indices[0], score, index);

    public void Add(float score, int index)
    {
        if (_count < _scores.Length)
        {
            int i = _count++;
            while (i > 0)
            {
                int parent = (i - 1) >> 1;
                if (!Worse(score, index, _scores[parent], _indices[parent]))
                {
                    break;
                }

                _scores[i] = _scores[parent];
                _indices[i] = _indices[parent];
                i = parent;
            }

            _scores[i] = score;
            _indices[i] = index;
            return;
        }

        if (!Worse(_scores[0], _indices[0], score, index))
        {
            return;
        }

        SiftDown(score, index);
    }

    /// <summary>Sorts the kept pairs best first (ties by ascending index) and returns how many there are.</summary>
    public int SortDescending()
    {
        int n = _count;
        for (int end = n - 1; end > 0; end--)
        {
            float rootScore = _scores[0];
            int rootIndex = _indices[0];
            float lastScore = _scores[end];
            int lastIndex = _indices[end];
            _count = end;
            SiftDown(lastScore, lastIndex);
            _scores[end] = rootScore;
            _indices[end] = rootIndex;
        }

        _count = n;
        return n;
    }

    // "Worse" orders the heap: lower score, or equal score and higher index, is worse.
    private static bool Worse(float score, int index, float otherScore, int otherIndex) =>
        score < otherScore || (score == otherScore && index > otherIndex);

    private void SiftDown(float score, int index)
    {
        int i = 0;
        int n = _count;
        while (true)
        {
            int child = (2 * i) + 1;
            if (child >= n)
            {
                break;
            }

            if (child + 1 < n && Worse(_scores[child + 1], _indices[child + 1], _scores[child], _indices[child]))
            {
                child++;
            }

            if (!Worse(_scores[child], _indices[child], score, index))
            {
                break;
            }

            _scores[i] = _scores[child];
            _indices[i] = _indices[child];
            i = child;
        }

        _scores[i] = score;
        _indices[i] = index;
    }
}
