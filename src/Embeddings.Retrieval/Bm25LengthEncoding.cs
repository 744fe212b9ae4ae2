namespace Embeddings;

/// <summary>
/// How a <see cref="Bm25Index"/> holds document lengths for BM25's length normalization. Lucene stores each length
/// lossily in one byte; reproducing that makes scores match Lucene's exactly, at no gain in memory here.
/// </summary>
public enum Bm25LengthEncoding
{
    /// <summary>Exact term counts (4 bytes per document). The default.</summary>
    Exact = 0,

    /// <summary>
    /// Lucene 7 and later (and so Anserini and Pyserini): <c>SmallFloat.intToByte4</c>, exact up to 24 terms and then
    /// about 3 significant bits (lengths 64 to 71 all read as 64, for example).
    /// </summary>
    Lucene = 1,

    /// <summary>Lucene 4 to 6 (Lucene.Net 4.8): <c>SmallFloat.floatToByte315</c> of <c>1/√length</c>, read back as <c>1/f²</c>.</summary>
    Lucene4 = 2,
}
