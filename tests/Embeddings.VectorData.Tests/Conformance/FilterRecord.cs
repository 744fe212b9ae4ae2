namespace Embeddings.VectorData.Tests.Conformance;

/// <summary>The record of the conformance scenarios (after MEVD's FilterTests record): one property of each kind a filter can reach.</summary>
public sealed class FilterRecord
{
    public string Key { get; set; } = string.Empty;

    public int Int { get; set; }

    public int Int2 { get; set; }

    public long Long { get; set; }

    public double Double { get; set; }

    public string? String { get; set; }

    public bool Bool { get; set; }

    public string[] StringArray { get; set; } = [];

    public List<string> StringList { get; set; } = [];

    public Guid Guid { get; set; }

    public DateTimeOffset When { get; set; }

    public int? NullableInt { get; set; }

    public ReadOnlyMemory<float> Vector { get; set; }
}
