namespace Embeddings.VectorData.Internal;

/// <summary>What a saved collection was built with; checked when it is opened again.</summary>
internal sealed class CollectionManifest
{
    public const int CurrentFormat = 1;

    public int Format { get; set; } = CurrentFormat;

    public string Name { get; set; } = string.Empty;

    public bool HasIndex { get; set; }

    public int Dimensions { get; set; }

    public string? DistanceFunction { get; set; }

    public string? IndexKind { get; set; }

    public string? Fingerprint { get; set; }

    public long Count { get; set; }
}
