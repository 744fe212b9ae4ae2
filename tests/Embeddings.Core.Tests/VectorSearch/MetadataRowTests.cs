using System.Collections;
using Embeddings.Indexing.Internal;

namespace Embeddings.Core.Tests.VectorSearch;

/// <summary>
/// The indexes' compact metadata rows: the dictionary view answers as the normalized dictionary did, and every
/// built-in filter admits on a row exactly what it admits on that dictionary (the dictionary path is the reference).
/// </summary>
public sealed class MetadataRowTests
{
    [Fact]
    public void TheDictionaryViewAnswersAsTheNormalizedDictionary()
    {
        var source = new Dictionary<string, object?> { ["title"] = "a", ["year"] = 2001, ["score"] = 0.5f, ["draft"] = false, ["note"] = null };

        IReadOnlyDictionary<string, object?> row = RecordValidation.NormalizeMetadata(source, "k")!;

        Assert.IsType<MetadataRow>(row);
        Assert.Equal(5, row.Count);
        Assert.Equal(["title", "year", "score", "draft", "note"], row.Keys);
        Assert.Equal(new object?[] { "a", 2001L, 0.5, false, null }, row.Values);
        Assert.Equal(2001L, row["year"]);
        Assert.True(row.TryGetValue("note", out object? note));
        Assert.Null(note);
        Assert.True(row.ContainsKey("draft"));
        Assert.False(row.ContainsKey("missing"));
        Assert.False(row.TryGetValue("missing", out _));
        Assert.Contains("'missing'", Assert.Throws<KeyNotFoundException>(() => row["missing"]).Message, StringComparison.Ordinal);
        Assert.Equal(
            [new("title", "a"), new("year", 2001L), new("score", 0.5), new("draft", false), new("note", null)],
            row.ToList());
    }

    [Fact]
    public void LookupFindsNamesByValueAndInWideRows()
    {
        // More fields than the linear scan handles, and a probe that is an equal string but another instance.
        var source = Enumerable.Range(0, 40).ToDictionary(i => "field" + i, i => (object?)(long)i);
        IReadOnlyDictionary<string, object?> row = RecordValidation.NormalizeMetadata(source, "k")!;
        for (int i = 0; i < 40; i++)
        {
            string probe = new(("field" + i).AsSpan());
            Assert.Equal((long)i, row[probe]);
            Assert.True(MetadataFilter.Equal(probe, i).Matches(row));
        }

        IReadOnlyDictionary<string, object?> narrow = RecordValidation.NormalizeMetadata(new Dictionary<string, object?> { ["ab"] = 1, ["ba"] = 2, ["abc"] = 3 }, "k")!;
        Assert.Equal(2L, narrow[new string("ba".AsSpan())]);
        Assert.Equal(3L, narrow["abc"]);
        Assert.False(narrow.ContainsKey("abd"));
    }

    [Fact]
    public void ConsecutiveRowsWithTheSameNamesShareOneSchema()
    {
        MetadataSchema? shared = null;
        MetadataRow first = RecordValidation.NormalizeMetadata(new Dictionary<string, object?> { ["a"] = 1, ["b"] = "x" }, "k1", ref shared)!;
        MetadataRow second = RecordValidation.NormalizeMetadata(new Dictionary<string, object?> { ["a"] = 2, ["b"] = "y" }, "k2", ref shared)!;
        MetadataRow reordered = RecordValidation.NormalizeMetadata(new Dictionary<string, object?> { ["b"] = "z", ["a"] = 3 }, "k3", ref shared)!;

        Assert.Same(first.Schema, second.Schema);
        Assert.NotSame(second.Schema, reordered.Schema);
        Assert.Same(reordered.Schema, shared);
        Assert.Equal(["b", "a"], reordered.Keys);
        Assert.Equal(3L, reordered["a"]);
    }

    [Fact]
    public void ANameListedTwiceIsRefusedWithTheRecordAndTheName()
    {
        var twice = new ListedMetadata([new("tag", "a"), new("tag", "b")]);

        ArgumentException error = Assert.Throws<ArgumentException>(() => RecordValidation.NormalizeMetadata(twice, "doc-7"));

        Assert.Contains("doc-7", error.Message, StringComparison.Ordinal);
        Assert.Contains("'tag'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EmptyMetadataHasNoRow()
    {
        Assert.Null(RecordValidation.NormalizeMetadata(new Dictionary<string, object?>(), "k"));
        Assert.Null(RecordValidation.NormalizeMetadata(null, "k"));
    }

    [Fact]
    public void EveryFilterAdmitsOnARowWhatItAdmitsOnTheDictionary()
    {
        var random = new Random(20261207);
        string[] fields = ["a", "b", "c", "d"];
        object?[] pool = ["x", "y", "", 0L, 1L, -3L, 1.0, 0.5, double.NaN, double.PositiveInfinity, true, false, null];
        var rows = new List<(Dictionary<string, object?> Dictionary, IReadOnlyDictionary<string, object?>? Row)>();
        MetadataSchema? shared = null;
        for (int i = 0; i < 300; i++)
        {
            var dictionary = new Dictionary<string, object?>(StringComparer.Ordinal);
            foreach (string field in fields)
            {
                if (random.Next(4) != 0)
                {
                    dictionary[field] = pool[random.Next(pool.Length)];
                }
            }

            rows.Add((dictionary, RecordValidation.NormalizeMetadata(dictionary, "k" + i, ref shared)));
        }

        int admittedSomewhere = 0;
        for (int f = 0; f < 400; f++)
        {
            MetadataFilter filter = RandomFilter(random, fields, pool, depth: 0);
            foreach ((Dictionary<string, object?> dictionary, IReadOnlyDictionary<string, object?>? row) in rows)
            {
                bool expected = filter.Matches(dictionary.Count == 0 ? null : dictionary);
                Assert.True(expected == filter.Matches(row), $"{filter} on {{{string.Join(", ", dictionary.Select(p => $"{p.Key}: {p.Value ?? "null"}"))}}}: the dictionary says {expected}");
                admittedSomewhere += expected ? 1 : 0;
            }
        }

        // The generated filters must both admit and refuse, or the comparison above proves little.
        Assert.InRange(admittedSomewhere, 400 * 300 / 20, 400 * 300 * 19 / 20);
    }

    [Fact]
    public void EqualityFollowsTheNormalizedValues()
    {
        IReadOnlyDictionary<string, object?> row = RecordValidation.NormalizeMetadata(
            new Dictionary<string, object?> { ["n"] = 3, ["d"] = 3.0, ["nan"] = double.NaN, ["s"] = "3", ["b"] = true },
            "k")!;

        Assert.True(MetadataFilter.Equal("n", 3.0).Matches(row));
        Assert.True(MetadataFilter.Equal("d", 3L).Matches(row));
        Assert.True(MetadataFilter.Equal("nan", double.NaN).Matches(row));
        Assert.False(MetadataFilter.Equal("s", 3).Matches(row));
        Assert.False(MetadataFilter.Equal("n", "3").Matches(row));
        Assert.True(MetadataFilter.Equal("b", true).Matches(row));
        Assert.False(MetadataFilter.Equal("b", 1).Matches(row));
        Assert.False(MetadataFilter.Range("nan", double.NegativeInfinity, double.PositiveInfinity).Matches(row));
        Assert.True(MetadataFilter.Range("n", 3, 3).Matches(row));
        Assert.False(MetadataFilter.Range("s", 0, 10).Matches(row));

        // A filter record built directly with a value that Normalize would have widened matches nothing, as before.
        Assert.False(new MetadataFilter.EqualFilter("n", 3).Matches(row));
    }

    private static MetadataFilter RandomFilter(Random random, string[] fields, object?[] pool, int depth)
    {
        string field = fields[random.Next(fields.Length)];
        object Value()
        {
            object? value;
            do
            {
                value = pool[random.Next(pool.Length)];
            }
            while (value is null);
            return value;
        }

        int choice = random.Next(depth >= 2 ? 3 : 6);
        return choice switch
        {
            0 => MetadataFilter.Equal(field, Value()),
            1 => MetadataFilter.In(field, Value(), Value(), Value()),
            2 => random.Next(3) switch
            {
                0 => MetadataFilter.Range(field, random.Next(-2, 2), null),
                1 => MetadataFilter.Range(field, null, random.NextDouble()),
                _ => MetadataFilter.Range(field, -1, 1),
            },
            3 => MetadataFilter.And(RandomFilter(random, fields, pool, depth + 1), RandomFilter(random, fields, pool, depth + 1)),
            4 => MetadataFilter.Or(RandomFilter(random, fields, pool, depth + 1), RandomFilter(random, fields, pool, depth + 1)),
            _ => MetadataFilter.Not(RandomFilter(random, fields, pool, depth + 1)),
        };
    }

    /// <summary>Metadata that enumerates whatever pairs it is given, duplicates included, as a custom dictionary could.</summary>
    private sealed class ListedMetadata(IReadOnlyList<KeyValuePair<string, object?>> pairs) : IReadOnlyDictionary<string, object?>
    {
        public int Count => pairs.Count;

        public IEnumerable<string> Keys => pairs.Select(p => p.Key);

        public IEnumerable<object?> Values => pairs.Select(p => p.Value);

        public object? this[string key] => pairs.First(p => p.Key == key).Value;

        public bool ContainsKey(string key) => pairs.Any(p => p.Key == key);

        public bool TryGetValue(string key, out object? value)
        {
            value = pairs.FirstOrDefault(p => p.Key == key).Value;
            return ContainsKey(key);
        }

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => pairs.GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
