using System.Buffers;
using System.Runtime.InteropServices;
using Embeddings.Indexing.Internal;

namespace Embeddings;

/// <summary>
/// An in-memory Okapi BM25 index over text: an inverted index of postings arrays (document ids and term
/// frequencies per term), scored with Lucene's idf <c>log(1 + (N - n + 0.5) / (n + 0.5))</c>.
/// </summary>
/// <remarks>
/// <para>
/// The score of document d for query q is
/// <c>Σ_{t ∈ q} idf(t) · tf(t, d) · (k1 + 1) / (tf(t, d) + k1 · (1 - b + b · |d| / avgdl))</c>,
/// where N is the number of documents, n the number holding t, |d| the number of terms of d and avgdl the
/// mean over documents. A term repeated in the query counts once per occurrence. Lengths are exact by default;
/// <see cref="Bm25Options.LengthEncoding"/> can round them the way Lucene's one-byte norms do.
/// </para>
/// <para>
/// Thread safety: every member may be called concurrently with every other. Searches run in parallel with
/// each other and see each upsert or remove either entirely or not at all. Removed documents leave their
/// postings behind until enough have accumulated, and then the postings are compacted.
/// </para>
/// </remarks>
public sealed class Bm25Index
{
    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);
    private readonly Lock _normalizationLock = new();
    private readonly Dictionary<string, int> _termIds = new(StringComparer.Ordinal);
    private readonly List<PostingList> _postings = [];
    private readonly Dictionary<string, int> _documentsByKey = new(StringComparer.Ordinal);
    private readonly List<string?> _keys = [];
    private readonly List<int> _lengths = [];
    private readonly List<int[]> _documentTerms = [];
    private readonly List<IReadOnlyDictionary<string, object?>?> _metadata = [];

    // The field names of the last document added, shared by the next one when they are the same; a race only loses sharing.
    private MetadataSchema? _lastSchema;
    private readonly double _k1;
    private readonly double _b;
    private readonly ITermTokenizer _tokenizer;
    private readonly Bm25LengthEncoding _lengthEncoding;
    private long _totalLength;
    private int _removedSinceCompaction;
    private long _version;
    private long _normalizationVersion = -1;
    private double[] _lengthNormalization = [];

    /// <summary>Initializes an empty index.</summary>
    /// <param name="options">k1, b and the analyzer; <see langword="null"/> for the defaults (0.9, 0.4, <see cref="TextAnalyzer.English"/>).</param>
    /// <exception cref="ArgumentOutOfRangeException">k1 is negative or b lies outside [0, 1].</exception>
    public Bm25Index(Bm25Options? options = null)
    {
        options ??= new Bm25Options();
        options.Validate();
        _k1 = options.K1;
        _b = options.B;
        _tokenizer = options.Tokenizer;
        _lengthEncoding = options.LengthEncoding;
    }

    /// <summary>Gets k1, the term-frequency saturation.</summary>
    public double K1 => _k1;

    /// <summary>Gets b, the length normalization.</summary>
    public double B => _b;

    /// <summary>Gets the number of documents in the index.</summary>
    public int Count
    {
        get
        {
            _lock.EnterReadLock();
            try
            {
                return _documentsByKey.Count;
            }
            finally
            {
                _lock.ExitReadLock();
            }
        }
    }

    /// <summary>Gets the mean number of terms per document, or 0 when the index is empty.</summary>
    public double AverageDocumentLength
    {
        get
        {
            _lock.EnterReadLock();
            try
            {
                return _documentsByKey.Count == 0 ? 0 : (double)_totalLength / _documentsByKey.Count;
            }
            finally
            {
                _lock.ExitReadLock();
            }
        }
    }

    /// <summary>Gets the number of distinct terms ever indexed (terms of removed documents included).</summary>
    public int VocabularySize
    {
        get
        {
            _lock.EnterReadLock();
            try
            {
                return _termIds.Count;
            }
            finally
            {
                _lock.ExitReadLock();
            }
        }
    }

    /// <summary>
    /// Gets an estimate of the managed memory the index holds, in bytes: postings arrays, per-document arrays,
    /// the term dictionary and the keys (metadata objects not counted).
    /// </summary>
    public long EstimatedMemoryBytes
    {
        get
        {
            _lock.EnterReadLock();
            try
            {
                long bytes = 0;
                foreach (PostingList list in _postings)
                {
                    bytes += 48 + (4L * list.Documents.Length) + (4L * list.Frequencies.Length);
                }

                foreach (KeyValuePair<string, int> term in _termIds)
                {
                    bytes += 24 + 20 + (2L * term.Key.Length);
                }

                for (int i = 0; i < _keys.Count; i++)
                {
                    bytes += 8 + 4 + 8 + 8 + 24 + (4L * _documentTerms[i].Length);
                    if (_keys[i] is string key)
                    {
                        bytes += 20 + 24 + (2L * key.Length);
                    }
                }

                return bytes;
            }
            finally
            {
                _lock.ExitReadLock();
            }
        }
    }

    /// <summary>Returns whether a document with <paramref name="key"/> is in the index.</summary>
    /// <param name="key">The key.</param>
    /// <returns><see langword="true"/> when it is.</returns>
    public bool Contains(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        _lock.EnterReadLock();
        try
        {
            return _documentsByKey.ContainsKey(key);
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <summary>Returns the number of documents that hold <paramref name="term"/> (a term as the tokenizer emits it).</summary>
    /// <param name="term">The term, for example lowercased.</param>
    /// <returns>The document frequency; 0 for an unknown term.</returns>
    public int GetDocumentFrequency(string term)
    {
        ArgumentNullException.ThrowIfNull(term);
        _lock.EnterReadLock();
        try
        {
            return _termIds.TryGetValue(term, out int id) ? _postings[id].LiveCount : 0;
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <summary>Adds a document, replacing any document with the same key.</summary>
    /// <param name="key">The document's key; not null or empty.</param>
    /// <param name="text">The text to index; may be empty (such a document never matches).</param>
    /// <param name="metadata">
    /// Optional metadata, returned with results and filtered by <see cref="MetadataFilter"/>. The index keeps a copy
    /// with values normalized as the vector indexes keep them (integers as <see cref="long"/>, other numbers as
    /// <see cref="double"/>), so later changes to the caller's dictionary do not reach it.
    /// </param>
    /// <exception cref="ArgumentException">The key is null or empty, the text is null, or a metadata field has an empty name or a value that is not a string, number, bool or null.</exception>
    public void Upsert(string key, string text, IReadOnlyDictionary<string, object?>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(text);
        MetadataSchema? schema = _lastSchema;
        IReadOnlyDictionary<string, object?>? row = RecordValidation.NormalizeMetadata(metadata, key, ref schema);
        _lastSchema = schema;

        // Tokenizing is the expensive part and needs no lock.
        List<string> tokens = [];
        _tokenizer.Tokenize(text, tokens);
        Dictionary<string, int> frequencies = new(StringComparer.Ordinal);
        foreach (string token in tokens)
        {
            CollectionsMarshal.GetValueRefOrAddDefault(frequencies, token, out _)++;
        }

        _lock.EnterWriteLock();
        try
        {
            if (_documentsByKey.TryGetValue(key, out int existing))
            {
                RemoveLocked(existing);
            }

            int document = _keys.Count;
            int[] termIds = new int[frequencies.Count];
            int next = 0;
            foreach (KeyValuePair<string, int> pair in frequencies)
            {
                ref int termId = ref CollectionsMarshal.GetValueRefOrAddDefault(_termIds, pair.Key, out bool exists);
                if (!exists)
                {
                    termId = _postings.Count;
                    _postings.Add(new PostingList());
                }

                _postings[termId].Add(document, pair.Value);
                termIds[next++] = termId;
            }

            _keys.Add(key);
            _lengths.Add(tokens.Count);
            _documentTerms.Add(termIds);
            _metadata.Add(row);
            _documentsByKey[key] = document;
            _totalLength += tokens.Count;
            _version++;
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>Removes a document.</summary>
    /// <param name="key">The key.</param>
    /// <returns><see langword="true"/> when a document was removed, <see langword="false"/> when none had the key.</returns>
    public bool Remove(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        _lock.EnterWriteLock();
        try
        {
            if (!_documentsByKey.TryGetValue(key, out int document))
            {
                return false;
            }

            RemoveLocked(document);
            return true;
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>Returns the <paramref name="k"/> documents that score highest for <paramref name="query"/>, best first.</summary>
    /// <param name="query">The query text, tokenized like the documents.</param>
    /// <param name="k">How many results at most; positive.</param>
    /// <param name="filter">Only documents whose metadata it admits are returned; <see langword="null"/> for all.</param>
    /// <param name="cancellationToken">Cancels the search.</param>
    /// <returns>
    /// Up to <paramref name="k"/> results by descending BM25 score (ties by insertion order). Documents sharing
    /// no term with the query score 0 and are never returned, so fewer than <paramref name="k"/> may come back.
    /// </returns>
    public IReadOnlyList<VectorSearchResult> Search(string query, int k, MetadataFilter? filter = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        cancellationToken.ThrowIfCancellationRequested();

        List<string> tokens = [];
        _tokenizer.Tokenize(query, tokens);
        if (tokens.Count == 0)
        {
            return [];
        }

        _lock.EnterReadLock();
        try
        {
            int live = _documentsByKey.Count;
            if (live == 0)
            {
                return [];
            }

            double[] normalization = GetLengthNormalization();
            int slots = _keys.Count;
            double[] scores = ArrayPool<double>.Shared.Rent(slots);
            int[] touched = ArrayPool<int>.Shared.Rent(slots);
            try
            {
                Array.Clear(scores, 0, slots);
                int touchedCount = Accumulate(tokens, live, normalization, scores, touched, cancellationToken);
                return SelectTop(scores, touched.AsSpan(0, touchedCount), k, filter);
            }
            finally
            {
                ArrayPool<double>.Shared.Return(scores);
                ArrayPool<int>.Shared.Return(touched);
            }
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    private int Accumulate(List<string> tokens, int live, double[] normalization, double[] scores, int[] touched, CancellationToken cancellationToken)
    {
        // Group repeated query terms: scoring a term twice equals scoring it once with double weight.
        Dictionary<int, int> queryTerms = [];
        foreach (string token in tokens)
        {
            if (_termIds.TryGetValue(token, out int id))
            {
                CollectionsMarshal.GetValueRefOrAddDefault(queryTerms, id, out _)++;
            }
        }

        ReadOnlySpan<string?> keys = CollectionsMarshal.AsSpan(_keys);
        int touchedCount = 0;
        foreach (KeyValuePair<int, int> term in queryTerms)
        {
            cancellationToken.ThrowIfCancellationRequested();
            PostingList postings = _postings[term.Key];
            int n = postings.LiveCount;
            if (n == 0)
            {
                continue;
            }

            double idf = Math.Log(1 + ((live - n + 0.5) / (n + 0.5)));
            double weight = idf * term.Value * (_k1 + 1);
            ReadOnlySpan<int> documents = postings.Documents.AsSpan(0, postings.Count);
            ReadOnlySpan<int> frequencies = postings.Frequencies.AsSpan(0, postings.Count);
            for (int i = 0; i < documents.Length; i++)
            {
                int document = documents[i];
                if (keys[document] is null)
                {
                    continue;
                }

                double tf = frequencies[i];
                if (scores[document] == 0)
                {
                    touched[touchedCount++] = document;
                }

                scores[document] += weight * tf / (tf + normalization[document]);
            }
        }

        return touchedCount;
    }

    private VectorSearchResult[] SelectTop(double[] scores, ReadOnlySpan<int> candidates, int k, MetadataFilter? filter)
    {
        // Scores are selected as the floats they are reported in (as Lucene scores), with the library's tie rule:
        // among equal scores the earlier-added document first.
        int size = Math.Min(k, candidates.Length);
        var keptScores = new float[size];
        var kept = new int[size];
        var top = new TopKCollector(keptScores, kept);
        foreach (int document in candidates)
        {
            float score = (float)scores[document];
            if (!top.WouldKeep(score, document) || (filter is not null && !filter.Matches(_metadata[document])))
            {
                continue;
            }

            top.Add(score, document);
        }

        int found = top.SortDescending();
        var results = new VectorSearchResult[found];
        for (int i = 0; i < found; i++)
        {
            int document = kept[i];
            results[i] = new VectorSearchResult(_keys[document]!, keptScores[i], _metadata[document]);
        }

        return results;
    }

    private double[] GetLengthNormalization()
    {
        // Called under the read lock, so _version cannot move while the cache is rebuilt.
        lock (_normalizationLock)
        {
            if (_normalizationVersion != _version)
            {
                int live = _documentsByKey.Count;
                double average = live == 0 ? 0 : (double)_totalLength / live;
                double[] normalization = new double[_keys.Count];
                for (int i = 0; i < normalization.Length; i++)
                {
                    double relative = average > 0 ? DecodedLength(_lengths[i]) / average : 1;
                    normalization[i] = _k1 * (1 - _b + (_b * relative));
                }

                _lengthNormalization = normalization;
                _normalizationVersion = _version;
            }

            return _lengthNormalization;
        }
    }

    private double DecodedLength(int length) => _lengthEncoding switch
    {
        Bm25LengthEncoding.Lucene => LuceneNorms.Byte4ToInt(LuceneNorms.IntToByte4(length)),
        Bm25LengthEncoding.Lucene4 => LuceneNorms.DecodeByte315Length(LuceneNorms.EncodeByte315Length(length)),
        _ => length,
    };

    private void RemoveLocked(int document)
    {
        foreach (int termId in _documentTerms[document])
        {
            _postings[termId].LiveCount--;
        }

        _documentsByKey.Remove(_keys[document]!);
        _totalLength -= _lengths[document];
        _keys[document] = null;
        _documentTerms[document] = [];
        _metadata[document] = null;
        _version++;
        if (++_removedSinceCompaction > Math.Max(1024, _documentsByKey.Count))
        {
            Compact();
        }
    }

    private void Compact()
    {
        foreach (PostingList list in _postings)
        {
            list.RemoveWhere(_keys);
        }

        _removedSinceCompaction = 0;
    }

    private sealed class PostingList
    {
        public int[] Documents = new int[2];
        public int[] Frequencies = new int[2];
        public int Count;
        public int LiveCount;

        public void Add(int document, int frequency)
        {
            if (Count == Documents.Length)
            {
                Array.Resize(ref Documents, Count * 2);
                Array.Resize(ref Frequencies, Count * 2);
            }

            Documents[Count] = document;
            Frequencies[Count] = frequency;
            Count++;
            LiveCount++;
        }

        public void RemoveWhere(List<string?> keys)
        {
            int kept = 0;
            for (int i = 0; i < Count; i++)
            {
                if (keys[Documents[i]] is not null)
                {
                    Documents[kept] = Documents[i];
                    Frequencies[kept] = Frequencies[i];
                    kept++;
                }
            }

            Count = kept;
        }
    }
}
