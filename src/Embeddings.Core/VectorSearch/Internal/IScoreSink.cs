namespace Embeddings;

/// <summary>Where a scan offers scored codes: a bounded top-k that says which score a newcomer must beat.</summary>
internal interface IScoreSink
{
    /// <summary>Gets the score a candidate must reach to be kept (and beat, unless its index is lower than the worst kept one's); negative infinity while not full.</summary>
    float Threshold { get; }

    /// <summary>Offers a scored code; offers come in ascending index order, so the first of equal scores stays.</summary>
    void Add(float score, int index);
}
