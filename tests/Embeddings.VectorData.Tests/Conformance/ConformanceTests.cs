using System.Linq.Expressions;
using Microsoft.Extensions.VectorData;

#pragma warning disable CS0252 // Dynamic filters compare object with string, as MEVD's own dynamic filter tests do.

namespace Embeddings.VectorData.Tests.Conformance;

/// <summary>
/// MEVD's connector conformance scenarios (microsoft/semantic-kernel dotnet/test/VectorData/VectorData.ConformanceTests:
/// CRUD, batch, filters, search with Skip/Top and score conventions, dynamic mapping, vector-less reads, collection
/// management), ported to xunit and run on each backend by a derived class. Every filter is checked against LINQ to
/// objects over the same records, and every score against a scalar computation.
/// </summary>
public abstract class ConformanceTests : IAsyncLifetime
{
    protected const string SpecialCharactersText = ">with $om[ specia]\"chara<ters'and\\stuff";

    private readonly List<EmbeddingsVectorStore> _stores = [];

    /// <summary>Gets the index kind the backend's collections use.</summary>
    protected abstract string IndexKind { get; }

    /// <summary>Gets whether the backend keeps records without vectors (in-process only).</summary>
    protected virtual bool SupportsVectorlessCollections => true;

    protected EmbeddingsVectorStore Store { get; private set; } = null!;

    protected VectorStoreCollection<string, FilterRecord> Collection { get; private set; } = null!;

    protected VectorStoreCollection<object, Dictionary<string, object?>> DynamicCollection { get; private set; } = null!;

    protected IReadOnlyList<FilterRecord> TestData { get; } =
    [
        new() { Key = "1", Int = 8, Int2 = 80, Long = 800, Double = 0.5, String = "foo", Bool = true, StringArray = ["x", "y"], StringList = ["x", "y"], Guid = new Guid("00000000-0000-0000-0000-000000000001"), When = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero), NullableInt = 1, Vector = new float[] { 1, 2, 3 } },
        new() { Key = "2", Int = 9, Int2 = 90, Long = 900, Double = 1.5, String = "bar", Bool = false, StringArray = ["a", "b"], StringList = ["a", "b"], Guid = new Guid("00000000-0000-0000-0000-000000000002"), When = new DateTimeOffset(2024, 2, 1, 0, 0, 0, TimeSpan.Zero), NullableInt = null, Vector = new float[] { 1, 2, 4 } },
        new() { Key = "3", Int = 9, Int2 = 9, Long = -5, Double = 2.5, String = "foo", Bool = true, StringArray = ["x"], StringList = ["x"], Guid = new Guid("00000000-0000-0000-0000-000000000003"), When = new DateTimeOffset(2024, 3, 1, 0, 0, 0, TimeSpan.Zero), NullableInt = 3, Vector = new float[] { 1, 2, 5 } },
        new() { Key = "4", Int = 10, Int2 = 100, Long = long.MaxValue / 2, Double = -1, String = null, Bool = false, StringArray = ["x", "y", "z"], StringList = ["x", "y", "z"], Guid = new Guid("00000000-0000-0000-0000-000000000004"), When = new DateTimeOffset(2024, 4, 1, 0, 0, 0, TimeSpan.Zero), NullableInt = null, Vector = new float[] { 1, 2, 6 } },
        new() { Key = "5", Int = 11, Int2 = 101, Long = 0, Double = 100, String = SpecialCharactersText, Bool = true, StringArray = [], StringList = [], Guid = new Guid("00000000-0000-0000-0000-000000000005"), When = new DateTimeOffset(2024, 5, 1, 0, 0, 0, TimeSpan.Zero), NullableInt = 5, Vector = new float[] { 1, 2, 7 } },
    ];

    public async Task InitializeAsync()
    {
        Store = NewStore();
        string name = NewCollectionName("conf");
        Collection = Store.GetCollection<string, FilterRecord>(name, Definition(DistanceFunction.CosineSimilarity));
        DynamicCollection = Store.GetDynamicCollection(name, Definition(DistanceFunction.CosineSimilarity));
        await Collection.EnsureCollectionExistsAsync();
        await Collection.UpsertAsync(TestData);
    }

    public virtual Task DisposeAsync()
    {
        foreach (EmbeddingsVectorStore store in _stores)
        {
            store.Dispose();
        }

        return Task.CompletedTask;
    }

    /// <summary>Creates a store for this backend; stores of one test see the same data (a shared folder or database).</summary>
    /// <param name="options">The settings the scenario needs; the backend adds its own.</param>
    /// <returns>The store.</returns>
    protected abstract EmbeddingsVectorStore CreateStore(EmbeddingsVectorStoreOptions options);

    /// <summary>Returns a collection name no other test uses.</summary>
    protected abstract string NewCollectionName(string prefix);

    protected EmbeddingsVectorStore NewStore(Microsoft.Extensions.AI.IEmbeddingGenerator? generator = null)
    {
        EmbeddingsVectorStore store = CreateStore(new EmbeddingsVectorStoreOptions { EmbeddingGenerator = generator, HnswSeed = 42 });
        _stores.Add(store);
        return store;
    }

    protected VectorStoreCollectionDefinition Definition(string distanceFunction, int dimensions = 3, bool withVector = true)
    {
        var properties = new List<VectorStoreProperty>
        {
            new VectorStoreKeyProperty(nameof(FilterRecord.Key), typeof(string)),
            new VectorStoreDataProperty(nameof(FilterRecord.Int), typeof(int)) { IsIndexed = true },
            new VectorStoreDataProperty(nameof(FilterRecord.Int2), typeof(int)) { IsIndexed = true },
            new VectorStoreDataProperty(nameof(FilterRecord.Long), typeof(long)) { IsIndexed = true },
            new VectorStoreDataProperty(nameof(FilterRecord.Double), typeof(double)) { IsIndexed = true },
            new VectorStoreDataProperty(nameof(FilterRecord.String), typeof(string)) { IsIndexed = true },
            new VectorStoreDataProperty(nameof(FilterRecord.Bool), typeof(bool)) { IsIndexed = true },
            new VectorStoreDataProperty(nameof(FilterRecord.StringArray), typeof(string[])) { IsIndexed = true },
            new VectorStoreDataProperty(nameof(FilterRecord.StringList), typeof(List<string>)) { IsIndexed = true },
            new VectorStoreDataProperty(nameof(FilterRecord.Guid), typeof(Guid)) { IsIndexed = true },
            new VectorStoreDataProperty(nameof(FilterRecord.When), typeof(DateTimeOffset)),
            new VectorStoreDataProperty(nameof(FilterRecord.NullableInt), typeof(int?)) { IsIndexed = true },
        };
        if (withVector)
        {
            properties.Add(new VectorStoreVectorProperty(nameof(FilterRecord.Vector), typeof(ReadOnlyMemory<float>), dimensions) { DistanceFunction = distanceFunction, IndexKind = IndexKind });
        }

        return new VectorStoreCollectionDefinition { Properties = properties };
    }

    private static void AssertSameRecord(FilterRecord expected, FilterRecord? actual, bool withVector)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected.Key, actual.Key);
        Assert.Equal(expected.Int, actual.Int);
        Assert.Equal(expected.Int2, actual.Int2);
        Assert.Equal(expected.Long, actual.Long);
        Assert.Equal(expected.Double, actual.Double);
        Assert.Equal(expected.String, actual.String);
        Assert.Equal(expected.Bool, actual.Bool);
        Assert.Equal(expected.StringArray, actual.StringArray);
        Assert.Equal(expected.StringList, actual.StringList);
        Assert.Equal(expected.Guid, actual.Guid);
        Assert.Equal(expected.When, actual.When);
        Assert.Equal(expected.NullableInt, actual.NullableInt);
        if (withVector)
        {
            Assert.Equal(expected.Vector.ToArray(), actual.Vector.ToArray());
        }
        else
        {
            Assert.True(actual.Vector.IsEmpty, "A read without IncludeVectors returned a vector.");
        }
    }

    #region CRUD

    [Fact]
    public async Task Get_returns_the_record_as_upserted()
    {
        foreach (FilterRecord expected in TestData)
        {
            AssertSameRecord(expected, await Collection.GetAsync(expected.Key), withVector: false);
            AssertSameRecord(expected, await Collection.GetAsync(expected.Key, new RecordRetrievalOptions { IncludeVectors = true }), withVector: true);
        }
    }

    [Fact]
    public async Task Get_of_a_missing_key_returns_null() => Assert.Null(await Collection.GetAsync("nope"));

    [Fact]
    public async Task Upsert_replaces_the_record_with_the_same_key()
    {
        var changed = new FilterRecord { Key = "2", Int = 42, String = "changed", StringArray = ["q"], Vector = new float[] { 7, 7, 7 } };
        await Collection.UpsertAsync(changed);

        AssertSameRecord(changed, await Collection.GetAsync("2", new RecordRetrievalOptions { IncludeVectors = true }), withVector: true);
        Assert.Equal(["2"], await KeysAsync(Collection.GetAsync(r => r.Int == 42, 10)));
        Assert.Empty(await KeysAsync(Collection.GetAsync(r => r.String == "bar", 10)));
        var top = await Collection.SearchAsync(new ReadOnlyMemory<float>([7, 7, 7]), 1).ToListAsync();
        Assert.Equal("2", top[0].Record.Key);
    }

    [Fact]
    public async Task Upsert_copies_the_record_so_later_changes_to_it_do_not_leak_in()
    {
        float[] vector = [3, 2, 1];
        var record = new FilterRecord { Key = "copy", StringArray = ["before"], Vector = vector };
        await Collection.UpsertAsync(record);
        record.StringArray[0] = "after";
        vector[0] = 100;

        FilterRecord? read = await Collection.GetAsync("copy", new RecordRetrievalOptions { IncludeVectors = true });
        Assert.Equal(["before"], read!.StringArray);
        Assert.Equal([3f, 2, 1], read.Vector.ToArray());
    }

    [Fact]
    public async Task Delete_removes_the_record_from_reads_and_searches()
    {
        await Collection.DeleteAsync("1");
        await Collection.DeleteAsync("missing"); // ignored

        Assert.Null(await Collection.GetAsync("1"));
        var hits = await Collection.SearchAsync(new ReadOnlyMemory<float>([1, 2, 3]), 10).ToListAsync();
        Assert.DoesNotContain(hits, h => h.Record.Key == "1");
        Assert.Equal(TestData.Count - 1, hits.Count);
    }

    [Fact]
    public async Task Bad_records_are_refused_with_the_problem_named()
    {
        var wrongDimensions = await Assert.ThrowsAsync<ArgumentException>(() => Collection.UpsertAsync(new FilterRecord { Key = "bad", Vector = new float[] { 1, 2 } }));
        Assert.Contains("2", wrongDimensions.Message, StringComparison.Ordinal);
        var nan = await Assert.ThrowsAnyAsync<ArgumentException>(() => Collection.UpsertAsync(new FilterRecord { Key = "nan", Vector = new float[] { 1, float.NaN, 3 } }));
        Assert.Contains("NaN", nan.Message, StringComparison.OrdinalIgnoreCase);
        var emptyKey = await Assert.ThrowsAsync<ArgumentException>(() => Collection.UpsertAsync(new FilterRecord { Key = string.Empty, Vector = new float[] { 1, 2, 3 } }));
        Assert.Contains("empty", emptyKey.Message, StringComparison.OrdinalIgnoreCase);
        await Assert.ThrowsAsync<ArgumentNullException>(() => Collection.UpsertAsync((FilterRecord)null!));
        Assert.Null(await Collection.GetAsync("bad"));
    }

    #endregion

    #region Batch

    [Fact]
    public async Task Batch_get_returns_the_existing_records_only()
    {
        List<FilterRecord> found = await Collection.GetAsync(["1", "missing", "3", "5"]).ToListAsync();
        Assert.Equal(["1", "3", "5"], found.Select(r => r.Key).Order(StringComparer.Ordinal));
        Assert.Empty(await Collection.GetAsync(Array.Empty<string>()).ToListAsync());
    }

    [Fact]
    public async Task Batch_upsert_and_delete()
    {
        FilterRecord[] batch = Enumerable.Range(100, 50).Select(i => new FilterRecord { Key = "b" + i, Int = i, Vector = new float[] { i, 1, 0 } }).ToArray();
        await Collection.UpsertAsync(batch);
        Assert.Equal(50, (await Collection.GetAsync(batch.Select(b => b.Key)).ToListAsync()).Count);

        await Collection.DeleteAsync(batch.Take(30).Select(b => b.Key));
        List<FilterRecord> left = await Collection.GetAsync(batch.Select(b => b.Key)).ToListAsync();
        Assert.Equal(batch.Skip(30).Select(b => b.Key).Order(StringComparer.Ordinal), left.Select(r => r.Key).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Batch_with_a_repeated_key_keeps_the_last_record()
    {
        await Collection.UpsertAsync([new FilterRecord { Key = "dup", Int = 1, Vector = new float[] { 1, 0, 0 } }, new FilterRecord { Key = "dup", Int = 2, Vector = new float[] { 0, 1, 0 } }]);
        Assert.Equal(2, (await Collection.GetAsync("dup"))!.Int);
    }

    #endregion

    #region Filters (MEVD FilterTests; expected results from LINQ to objects)

    [Fact] public Task Equal_with_int() => TestFilterAsync(r => r.Int == 8, r => (int)r["Int"]! == 8);

    [Fact] public Task Equal_with_string() => TestFilterAsync(r => r.String == "foo", r => r["String"] == "foo");

    [Fact] public Task Equal_with_string_sql_injection_in_value() => TestFilterAsync(r => r.String == "foo; DROP TABLE x;", r => r["String"] == "foo; DROP TABLE x;", expectZeroResults: true);

    [Fact]
    public async Task Equal_with_unknown_property_name_is_refused()
    {
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await DynamicCollection.GetAsync(r => r["String = \"not\"; DROP TABLE FilterTests;"] == "", 10).ToListAsync());
    }

    [Fact] public Task Equal_with_string_containing_special_characters() => TestFilterAsync(r => r.String == SpecialCharactersText, r => r["String"] == SpecialCharactersText);

    [Fact] public Task Equal_with_string_is_not_Contains() => TestFilterAsync(r => r.String == "fo", r => r["String"] == "fo", expectZeroResults: true);

    [Fact] public Task Equal_reversed() => TestFilterAsync(r => 8 == r.Int, r => 8 == (int)r["Int"]!);

    [Fact] public Task Equal_with_null_reference_type() => TestFilterAsync(r => r.String == null, r => r["String"] == null);

    [Fact]
    public Task Equal_with_null_captured()
    {
        string? s = null;
        return TestFilterAsync(r => r.String == s, r => r["String"] == s);
    }

    [Fact]
    public Task Equal_int_property_with_nonnull_nullable_int()
    {
        int? i = 8;
        return TestFilterAsync(r => r.Int == i, r => (int)r["Int"]! == i);
    }

    [Fact]
    public Task Equal_int_property_with_null_nullable_int()
    {
        int? i = null;
        return TestFilterAsync(r => r.Int == i, r => (int)r["Int"]! == i, expectZeroResults: true);
    }

    [Fact]
    public async Task Equal_int_property_with_null_nullable_int_Value()
    {
        int? i = null;
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await Collection.GetAsync(r => r.Int == i!.Value, 10).ToListAsync());
    }

    [Fact] public Task Equal_with_nullable_property_and_null() => TestFilterAsync(r => r.NullableInt == null, r => r["NullableInt"] == null);

    [Fact] public Task Equal_with_long() => TestFilterAsync(r => r.Long == long.MaxValue / 2, r => (long)r["Long"]! == long.MaxValue / 2);

    [Fact] public Task Equal_with_double() => TestFilterAsync(r => r.Double == 2.5, r => (double)r["Double"]! == 2.5);

    [Fact] public Task Equal_with_guid() => TestFilterAsync(r => r.Guid == new Guid("00000000-0000-0000-0000-000000000003"), r => (Guid)r["Guid"]! == new Guid("00000000-0000-0000-0000-000000000003"));

    [Fact] public Task NotEqual_with_int() => TestFilterAsync(r => r.Int != 8, r => (int)r["Int"]! != 8);

    [Fact] public Task NotEqual_with_string() => TestFilterAsync(r => r.String != "foo", r => r["String"] != "foo");

    [Fact] public Task NotEqual_with_null_reference_type() => TestFilterAsync(r => r.String != null, r => r["String"] != null);

    [Fact] public Task Bool() => TestFilterAsync(r => r.Bool, r => (bool)r["Bool"]!);

    [Fact] public Task Bool_And_Bool() => TestFilterAsync(r => r.Bool && r.Bool, r => (bool)r["Bool"]! && (bool)r["Bool"]!);

    [Fact] public Task Bool_Or_Not_Bool() => TestFilterAsync(r => r.Bool || !r.Bool, r => (bool)r["Bool"]! || !(bool)r["Bool"]!, expectAllResults: true);

    [Fact] public Task GreaterThan_with_int() => TestFilterAsync(r => r.Int > 9, r => (int)r["Int"]! > 9);

    [Fact] public Task GreaterThanOrEqual_with_int() => TestFilterAsync(r => r.Int >= 9, r => (int)r["Int"]! >= 9);

    [Fact] public Task LessThan_with_int() => TestFilterAsync(r => r.Int < 10, r => (int)r["Int"]! < 10);

    [Fact] public Task LessThanOrEqual_with_int() => TestFilterAsync(r => r.Int <= 10, r => (int)r["Int"]! <= 10);

    [Fact] public Task Comparison_reversed() => TestFilterAsync(r => 10 > r.Int, r => 10 > (int)r["Int"]!);

    [Fact] public Task GreaterThan_with_double() => TestFilterAsync(r => r.Double > 0.5, r => (double)r["Double"]! > 0.5);

    [Fact] public Task LessThan_with_long() => TestFilterAsync(r => r.Long < 800, r => (long)r["Long"]! < 800);

    [Fact] public Task And() => TestFilterAsync(r => r.Int == 8 && r.String == "foo", r => (int)r["Int"]! == 8 && r["String"] == "foo");

    [Fact] public Task Or() => TestFilterAsync(r => r.Int == 8 || r.String == "foo", r => (int)r["Int"]! == 8 || r["String"] == "foo");

    [Fact] public Task And_within_And() => TestFilterAsync(r => (r.Int == 8 && r.String == "foo") && r.Int2 == 80, r => ((int)r["Int"]! == 8 && r["String"] == "foo") && (int)r["Int2"]! == 80);

    [Fact] public Task And_within_Or() => TestFilterAsync(r => (r.Int == 8 && r.String == "foo") || r.Int2 == 100, r => ((int)r["Int"]! == 8 && r["String"] == "foo") || (int)r["Int2"]! == 100);

    [Fact] public Task Or_within_And() => TestFilterAsync(r => (r.Int == 8 || r.Int == 9) && r.String == "foo", r => ((int)r["Int"]! == 8 || (int)r["Int"]! == 9) && r["String"] == "foo");

    [Fact] public Task Not_over_Equal() => TestFilterAsync(r => !(r.Int == 8), r => !((int)r["Int"]! == 8));

    [Fact] public Task Not_over_NotEqual() => TestFilterAsync(r => !(r.Int != 8), r => !((int)r["Int"]! != 8));

    [Fact] public Task Not_over_And() => TestFilterAsync(r => !(r.Int == 8 && r.String == "foo"), r => !((int)r["Int"]! == 8 && r["String"] == "foo"));

    [Fact] public Task Not_over_Or() => TestFilterAsync(r => !(r.Int == 8 || r.String == "foo"), r => !((int)r["Int"]! == 8 || r["String"] == "foo"));

    [Fact] public Task Not_over_bool() => TestFilterAsync(r => !r.Bool, r => !(bool)r["Bool"]!);

    [Fact] public Task Not_over_bool_And_Comparison() => TestFilterAsync(r => !r.Bool && r.Int != int.MaxValue, r => !(bool)r["Bool"]! && (int)r["Int"]! != int.MaxValue);

    [Fact] public Task Contains_over_field_string_array() => TestFilterAsync(r => r.StringArray.Contains("x"), r => ((string[])r["StringArray"]!).Contains("x"));

    [Fact] public Task Contains_over_field_string_List() => TestFilterAsync(r => r.StringList.Contains("x"), r => ((List<string>)r["StringList"]!).Contains("x"));

    [Fact] public Task Contains_over_inline_int_array() => TestFilterAsync(r => new[] { 8, 10 }.Contains(r.Int), r => new[] { 8, 10 }.Contains((int)r["Int"]!));

    [Fact] public Task Contains_over_inline_string_array() => TestFilterAsync(r => new[] { "foo", "baz", "unknown" }.Contains(r.String), r => new[] { "foo", "baz", "unknown" }.Contains((string?)r["String"]));

    [Fact] public Task Contains_over_inline_string_array_with_weird_chars() => TestFilterAsync(r => new[] { "foo", "baz", "un  , ' \"" }.Contains(r.String), r => new[] { "foo", "baz", "un  , ' \"" }.Contains((string?)r["String"]));

    [Fact]
    public Task Contains_over_captured_string_array()
    {
        var array = new[] { "foo", "baz", "unknown" };
        return TestFilterAsync(r => array.Contains(r.String), r => array.Contains((string?)r["String"]));
    }

    [Fact]
    public Task Contains_over_captured_list()
    {
        List<int> list = [9, 11];
        return TestFilterAsync(r => list.Contains(r.Int), r => list.Contains((int)r["Int"]!));
    }

#pragma warning disable RCS1196 // The explicit forms are what is tested.
    [Fact] public Task Contains_with_Enumerable_Contains() => TestFilterAsync(r => Enumerable.Contains(r.StringArray, "x"), r => Enumerable.Contains((string[])r["StringArray"]!, "x"));

    [Fact] public Task Contains_with_MemoryExtensions_Contains() => TestFilterAsync(r => MemoryExtensions.Contains(r.StringArray, "x"), r => ((string[])r["StringArray"]!).Contains("x"));
#pragma warning restore RCS1196

    [Fact] public Task Any_with_Contains_over_inline_string_array() => TestFilterAsync(r => r.StringArray.Any(s => new[] { "x", "z", "nonexistent" }.Contains(s)), r => ((string[])r["StringArray"]!).Any(s => new[] { "x", "z", "nonexistent" }.Contains(s)));

    [Fact]
    public Task Any_with_Contains_over_captured_string_list()
    {
        List<string> tags = ["a", "z"];
        return TestFilterAsync(r => r.StringList.Any(s => tags.Contains(s)), r => ((List<string>)r["StringList"]!).Any(s => tags.Contains(s)));
    }

    [Fact]
    public Task Captured_local_variable()
    {
        var i = 8;
        return TestFilterAsync(r => r.Int == i, r => (int)r["Int"]! == i);
    }

    private readonly int _memberField = 9;
    private static readonly int StaticMemberField = 10;
    private readonly Wrapper _wrapper = new();

    private sealed class Wrapper
    {
        public int Value { get; } = 11;
    }

    [Fact] public Task Member_field() => TestFilterAsync(r => r.Int == _memberField, r => (int)r["Int"]! == _memberField);

    [Fact] public Task Member_static_field() => TestFilterAsync(r => r.Int == StaticMemberField, r => (int)r["Int"]! == StaticMemberField);

    [Fact] public Task Member_nested_access() => TestFilterAsync(r => r.Int == _wrapper.Value, r => (int)r["Int"]! == _wrapper.Value);

    [Fact] public Task True() => TestFilterAsync(r => true, r => true, expectAllResults: true);

    [Fact] public Task Filter_on_the_key() => TestFilterAsync(r => r.Key == "3", r => (string?)r["Key"] == "3");

    [Fact]
    public async Task Untranslatable_filters_are_refused_naming_the_expression()
    {
        var startsWith = await Assert.ThrowsAsync<NotSupportedException>(async () => await Collection.GetAsync(r => r.String!.StartsWith("fo"), 10).ToListAsync());
        Assert.Contains("StartsWith", startsWith.Message, StringComparison.Ordinal);
        var stringOrder = await Assert.ThrowsAsync<NotSupportedException>(async () => await Collection.SearchAsync(new ReadOnlyMemory<float>([1, 2, 3]), 5, new() { Filter = r => r.Int + 1 == 9 }).ToListAsync());
        Assert.Contains("Int", stringOrder.Message, StringComparison.Ordinal);
        var dates = await Assert.ThrowsAsync<NotSupportedException>(async () => await Collection.GetAsync(r => r.When > DateTimeOffset.UnixEpoch, 10).ToListAsync());
        Assert.Contains("When", dates.Message, StringComparison.Ordinal);
    }

    private async Task TestFilterAsync(
        Expression<Func<FilterRecord, bool>> filter,
        Expression<Func<Dictionary<string, object?>, bool>> dynamicFilter,
        bool expectZeroResults = false,
        bool expectAllResults = false)
    {
        string[] expected = TestData.AsQueryable().Where(filter).Select(r => r.Key).Order(StringComparer.Ordinal).ToArray();
        Assert.True(expectZeroResults == (expected.Length == 0), "The reference result's emptiness differs from what the scenario expects.");
        Assert.True(expectAllResults == (expected.Length == TestData.Count), "The reference result's completeness differs from what the scenario expects.");

        Assert.Equal(expected, await KeysAsync(Collection.GetAsync(filter, 100)));
        Assert.Equal(expected, (await Collection.SearchAsync(new ReadOnlyMemory<float>([1, 2, 3]), 100, new() { Filter = filter }).ToListAsync()).Select(h => h.Record.Key).Order(StringComparer.Ordinal));

        Assert.Equal(expected, (await DynamicCollection.GetAsync(dynamicFilter, 100).ToListAsync()).Select(r => (string)r["Key"]!).Order(StringComparer.Ordinal));
        Assert.Equal(expected, (await DynamicCollection.SearchAsync(new ReadOnlyMemory<float>([1, 2, 3]), 100, new() { Filter = dynamicFilter }).ToListAsync()).Select(h => (string)h.Record["Key"]!).Order(StringComparer.Ordinal));
    }

    private static async Task<string[]> KeysAsync(IAsyncEnumerable<FilterRecord> records) =>
        (await records.ToListAsync()).Select(r => r.Key).Order(StringComparer.Ordinal).ToArray();

    #endregion

    #region Filtered reads: Skip, top, OrderBy

    [Fact]
    public async Task Filtered_get_honours_top_skip_and_order()
    {
        FilteredRecordRetrievalOptions<FilterRecord> byIntDescending = new() { OrderBy = o => o.Descending(r => r.Int).Ascending(r => r.Key) };
        string[] reference = TestData.OrderByDescending(r => r.Int).ThenBy(r => r.Key, StringComparer.Ordinal).Select(r => r.Key).ToArray();
        Assert.Equal(reference, (await Collection.GetAsync(r => true, 100, byIntDescending).ToListAsync()).Select(r => r.Key));

        byIntDescending.Skip = 1;
        Assert.Equal(reference.Skip(1).Take(2), (await Collection.GetAsync(r => true, 2, byIntDescending).ToListAsync()).Select(r => r.Key));

        var withVectors = await Collection.GetAsync(r => r.Int == 8, 10, new() { IncludeVectors = true }).ToListAsync();
        Assert.Equal([1f, 2, 3], withVectors.Single().Vector.ToArray());
    }

    #endregion

    #region Search

    public static TheoryData<string> DistanceFunctions =>
    [
        DistanceFunction.CosineSimilarity,
        DistanceFunction.CosineDistance,
        DistanceFunction.DotProductSimilarity,
        DistanceFunction.NegativeDotProductSimilarity,
        DistanceFunction.EuclideanDistance,
        DistanceFunction.EuclideanSquaredDistance,
        DistanceFunction.ManhattanDistance,
    ];

    [Theory]
    [MemberData(nameof(DistanceFunctions))]
    public async Task Search_scores_and_orders_by_the_distance_function(string distanceFunction)
    {
        var collection = Store.GetCollection<string, FilterRecord>(NewCollectionName("dist"), Definition(distanceFunction));
        await collection.EnsureCollectionExistsAsync();
        await collection.UpsertAsync(TestData);
        float[] query = [1, 1, 1];

        List<VectorSearchResult<FilterRecord>> hits = await collection.SearchAsync(new ReadOnlyMemory<float>(query), TestData.Count).ToListAsync();

        bool higherIsBetter = distanceFunction is DistanceFunction.CosineSimilarity or DistanceFunction.DotProductSimilarity;
        var reference = TestData.Select(r => (r.Key, Score: ReferenceScore(distanceFunction, query, r.Vector.Span))).ToArray();
        var expectedOrder = (higherIsBetter ? reference.OrderByDescending(r => r.Score) : reference.OrderBy(r => r.Score)).Select(r => r.Key).ToArray();
        Assert.Equal(expectedOrder, hits.Select(h => h.Record.Key));
        foreach (VectorSearchResult<FilterRecord> hit in hits)
        {
            double expected = reference.Single(r => r.Key == hit.Record.Key).Score;
            Assert.True(Math.Abs(expected - hit.Score!.Value) <= 1e-4 * Math.Max(1, Math.Abs(expected)), $"{distanceFunction}: record {hit.Record.Key} scored {hit.Score}, the scalar reference says {expected}.");
        }
    }

    [Fact]
    public async Task Search_with_skip_and_top_pages_through_the_ranking()
    {
        ReadOnlyMemory<float> query = new float[] { 1, 2, 7 };
        string[] all = (await Collection.SearchAsync(query, 5).ToListAsync()).Select(h => h.Record.Key).ToArray();
        Assert.Equal(["5", "4", "3", "2", "1"], all);

        string[] page = (await Collection.SearchAsync(query, 2, new() { Skip = 2 }).ToListAsync()).Select(h => h.Record.Key).ToArray();
        Assert.Equal(all.Skip(2).Take(2), page);
        Assert.Empty(await Collection.SearchAsync(query, 3, new() { Skip = 10 }).ToListAsync());
        Assert.Equal(2, (await Collection.SearchAsync(query, 2).ToListAsync()).Count);
    }

    [Fact]
    public async Task Search_with_filter_skip_and_include_vectors()
    {
        var hits = await Collection.SearchAsync(new ReadOnlyMemory<float>([1, 2, 7]), 1, new() { Filter = r => r.Bool, Skip = 1, IncludeVectors = true }).ToListAsync();
        VectorSearchResult<FilterRecord> hit = Assert.Single(hits);
        Assert.Equal("3", hit.Record.Key); // Bool records by closeness to [1,2,7]: 5, 3, 1
        Assert.Equal([1f, 2, 5], hit.Record.Vector.ToArray());

        var withoutVectors = await Collection.SearchAsync(new ReadOnlyMemory<float>([1, 2, 7]), 1).ToListAsync();
        Assert.True(withoutVectors[0].Record.Vector.IsEmpty);
    }

    [Fact]
    public async Task Search_score_threshold_follows_the_direction_of_the_score()
    {
        var similarity = await Collection.SearchAsync(new ReadOnlyMemory<float>([1, 2, 3]), 5).ToListAsync();
        double cut = similarity[2].Score!.Value;
        var kept = await Collection.SearchAsync(new ReadOnlyMemory<float>([1, 2, 3]), 5, new() { ScoreThreshold = cut }).ToListAsync();
        Assert.Equal(similarity.Take(3).Select(h => h.Record.Key), kept.Select(h => h.Record.Key));

        var euclid = Store.GetCollection<string, FilterRecord>(NewCollectionName("thr"), Definition(DistanceFunction.EuclideanDistance));
        await euclid.EnsureCollectionExistsAsync();
        await euclid.UpsertAsync(TestData);
        var near = await euclid.SearchAsync(new ReadOnlyMemory<float>([1, 2, 3]), 5, new() { ScoreThreshold = 2.5 }).ToListAsync();
        Assert.Equal(["1", "2", "3"], near.Select(h => h.Record.Key)); // distances 0, 1, 2
    }

    [Fact]
    public async Task Search_accepts_float_arrays_and_embeddings_and_refuses_other_inputs()
    {
        Assert.Equal("5", (await Collection.SearchAsync(new float[] { 1, 2, 7 }, 1).ToListAsync())[0].Record.Key);
        Assert.Equal("5", (await Collection.SearchAsync(new Microsoft.Extensions.AI.Embedding<float>(new float[] { 1, 2, 7 }), 1).ToListAsync())[0].Record.Key);
        var text = await Assert.ThrowsAsync<NotSupportedException>(async () => await Collection.SearchAsync("text without a generator", 1).ToListAsync());
        Assert.Contains("generator", text.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentException>(async () => await Collection.SearchAsync(new float[] { 1, 2 }, 1).ToListAsync());
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await Collection.SearchAsync(new float[] { 1, 2, 3 }, 0).ToListAsync());
    }

    protected static double ReferenceScore(string distanceFunction, ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double dot = 0, na = 0, nb = 0, l2 = 0, l1 = 0;
        for (int i = 0; i < a.Length; i++)
        {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
            l2 += (a[i] - b[i]) * (a[i] - b[i]);
            l1 += Math.Abs(a[i] - b[i]);
        }

        double cosine = dot / (Math.Sqrt(na) * Math.Sqrt(nb));
        return distanceFunction switch
        {
            DistanceFunction.CosineSimilarity => cosine,
            DistanceFunction.CosineDistance => 1 - cosine,
            DistanceFunction.DotProductSimilarity => dot,
            DistanceFunction.NegativeDotProductSimilarity => -dot,
            DistanceFunction.EuclideanDistance => Math.Sqrt(l2),
            DistanceFunction.EuclideanSquaredDistance => l2,
            DistanceFunction.ManhattanDistance => l1,
            _ => throw new ArgumentOutOfRangeException(nameof(distanceFunction)),
        };
    }

    #endregion

    #region Dynamic mapping

    [Fact]
    public async Task Dynamic_records_round_trip_and_share_the_collection_with_typed_views()
    {
        Dictionary<string, object?>? one = await DynamicCollection.GetAsync("1", new RecordRetrievalOptions { IncludeVectors = true });
        Assert.NotNull(one);
        Assert.Equal(8, one["Int"]);
        Assert.Equal("foo", one["String"]);
        Assert.Equal(new[] { "x", "y" }, (string[])one["StringArray"]!);
        Assert.Equal([1f, 2, 3], ((ReadOnlyMemory<float>)one["Vector"]!).ToArray());

        await DynamicCollection.UpsertAsync(new Dictionary<string, object?>
        {
            ["Key"] = "dyn",
            ["Int"] = 77,
            ["String"] = "dynamic",
            ["Bool"] = true,
            ["StringArray"] = new[] { "d" },
            ["StringList"] = new List<string> { "d" },
            ["Vector"] = new ReadOnlyMemory<float>([9, 9, 9]),
        });

        FilterRecord? typed = await Collection.GetAsync("dyn");
        Assert.Equal(77, typed!.Int);
        Assert.Equal("dynamic", typed.String);
        Assert.Null(typed.NullableInt);
        var hit = await DynamicCollection.SearchAsync(new ReadOnlyMemory<float>([9, 9, 9]), 1, new() { Filter = r => (int)r["Int"]! > 50 }).ToListAsync();
        Assert.Equal("dyn", hit.Single().Record["Key"]);

        await DynamicCollection.DeleteAsync("dyn");
        Assert.Null(await Collection.GetAsync("dyn"));
    }

    #endregion

    #region Vector-less reads and collections

    [Fact]
    public async Task Reads_without_vectors_leave_the_vector_unset()
    {
        FilterRecord? record = await Collection.GetAsync("3");
        Assert.True(record!.Vector.IsEmpty);
        Assert.All(await Collection.GetAsync(["1", "2"]).ToListAsync(), r => Assert.True(r.Vector.IsEmpty));
        Assert.All(await Collection.GetAsync(r => r.Int > 0, 10).ToListAsync(), r => Assert.True(r.Vector.IsEmpty));
    }

    [Fact]
    public async Task Collection_without_a_vector_property_stores_and_filters_records()
    {
        string name = NewCollectionName("novec");
        if (!SupportsVectorlessCollections)
        {
            var refused = Assert.Throws<NotSupportedException>(() => Store.GetCollection<string, FilterRecord>(name, Definition(DistanceFunction.CosineSimilarity, withVector: false)));
            Assert.Contains("no vector property", refused.Message, StringComparison.Ordinal);
            return;
        }

        var collection = Store.GetCollection<string, FilterRecord>(name, Definition(DistanceFunction.CosineSimilarity, withVector: false));
        await collection.EnsureCollectionExistsAsync();
        await collection.UpsertAsync(TestData);
        Assert.Equal("bar", (await collection.GetAsync("2"))!.String);
        Assert.Equal(["2", "3"], await KeysAsync(collection.GetAsync(r => r.Int == 9, 10)));
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await collection.SearchAsync(new float[] { 1, 2, 3 }, 1).ToListAsync());
    }

    #endregion

    #region Collection management

    [Fact]
    public async Task Collections_are_created_listed_and_deleted()
    {
        string name = NewCollectionName("mgmt");
        var collection = Store.GetCollection<string, FilterRecord>(name, Definition(DistanceFunction.CosineSimilarity));
        Assert.False(await collection.CollectionExistsAsync());
        Assert.False(await Store.CollectionExistsAsync(name));
        Assert.DoesNotContain(name, await Store.ListCollectionNamesAsync().ToListAsync());

        await collection.EnsureCollectionExistsAsync();
        await collection.EnsureCollectionExistsAsync(); // idempotent
        Assert.True(await collection.CollectionExistsAsync());
        Assert.True(await Store.CollectionExistsAsync(name));
        Assert.Contains(name, await Store.ListCollectionNamesAsync().ToListAsync());
        await collection.UpsertAsync(TestData[0]);

        await collection.EnsureCollectionDeletedAsync();
        Assert.False(await collection.CollectionExistsAsync());
        Assert.DoesNotContain(name, await Store.ListCollectionNamesAsync().ToListAsync());
        await collection.EnsureCollectionDeletedAsync(); // idempotent

        await collection.EnsureCollectionExistsAsync();
        Assert.Null(await collection.GetAsync(TestData[0].Key)); // recreated empty
        await Store.EnsureCollectionDeletedAsync(name);
        Assert.False(await Store.CollectionExistsAsync(name));
    }

    [Fact]
    public async Task Writes_to_a_collection_that_does_not_exist_fail()
    {
        var collection = Store.GetCollection<string, FilterRecord>(NewCollectionName("absent"), Definition(DistanceFunction.CosineSimilarity));
        await Assert.ThrowsAnyAsync<Exception>(() => collection.UpsertAsync(TestData[0]));
        Assert.False(await collection.CollectionExistsAsync());
    }

    [Fact]
    public void Metadata_names_the_store_and_collection()
    {
        var metadata = (VectorStoreCollectionMetadata?)Collection.GetService(typeof(VectorStoreCollectionMetadata));
        Assert.Equal(EmbeddingsVectorStore.SystemName, metadata!.VectorStoreSystemName);
        Assert.Equal(Collection.Name, metadata.CollectionName);
        Assert.Same(Store, Collection.GetService(typeof(EmbeddingsVectorStore)));
        Assert.NotNull(Collection.GetService(typeof(IVectorIndex)));
    }

    #endregion

    #region Key types (MEVD KeyTypeTests)

    public sealed class KeyedRecord<TKey>
    {
        [VectorStoreKey]
        public TKey Key { get; set; } = default!;

        [VectorStoreData(IsIndexed = true)]
        public string Text { get; set; } = string.Empty;

        [VectorStoreVector(3)]
        public ReadOnlyMemory<float> Vector { get; set; }
    }

    [Fact] public Task Key_string() => TestKeyAsync("a-key", "other");

    [Fact] public Task Key_guid() => TestKeyAsync(new Guid("12345678-1234-1234-1234-123456789abc"), Guid.NewGuid());

    [Fact] public Task Key_int() => TestKeyAsync(-7, int.MaxValue);

    [Fact] public Task Key_long() => TestKeyAsync(long.MinValue + 1, 1L << 40);

    private async Task TestKeyAsync<TKey>(TKey first, TKey second)
        where TKey : notnull
    {
        var collection = Store.GetCollection<TKey, KeyedRecord<TKey>>(NewCollectionName("key"));
        await collection.EnsureCollectionExistsAsync();
        await collection.UpsertAsync([new KeyedRecord<TKey> { Key = first, Text = "first", Vector = new float[] { 1, 0, 0 } }, new KeyedRecord<TKey> { Key = second, Text = "second", Vector = new float[] { 0, 1, 0 } }]);

        Assert.Equal("first", (await collection.GetAsync(first))!.Text);
        Assert.Equal(second, (await collection.SearchAsync(new float[] { 0, 1, 0 }, 1).ToListAsync())[0].Record.Key);
        Assert.Equal(first, (await collection.GetAsync(r => r.Text == "first", 5).ToListAsync()).Single().Key);
        await collection.DeleteAsync(first);
        Assert.Null(await collection.GetAsync(first));
    }

    [Fact]
    public void Unsupported_key_types_are_refused_naming_the_type()
    {
        var refused = Assert.Throws<NotSupportedException>(() => Store.GetCollection<DateTime, KeyedRecord<DateTime>>(NewCollectionName("badkey")));
        Assert.Contains("DateTime", refused.Message, StringComparison.Ordinal);
    }

    #endregion

    #region Embedding generation (MEVD EmbeddingGenerationTests) and the fingerprint lock

    public sealed class TextRecord
    {
        [VectorStoreKey]
        public string Key { get; set; } = string.Empty;

        [VectorStoreData(IsIndexed = true)]
        public string Category { get; set; } = string.Empty;

        [VectorStoreVector(16)]
        public string Text { get; set; } = string.Empty;
    }

    private static readonly EmbeddingPrompts Prompts = new("query: ", "passage: ");

    private static TextRecord[] TextData =>
    [
        new() { Key = "a", Category = "pets", Text = "The cat sleeps on the windowsill." },
        new() { Key = "b", Category = "pets", Text = "A dog chases the ball." },
        new() { Key = "c", Category = "money", Text = "Stock markets fell sharply." },
    ];

    [Fact]
    public async Task Text_is_embedded_as_documents_and_searched_as_queries()
    {
        using var embedder = Testing.DeterministicEmbedder.Create(16, prompts: Prompts);
        EmbeddingsVectorStore store = NewStore(embedder);
        var collection = store.GetCollection<string, TextRecord>(NewCollectionName("text"));
        await collection.EnsureCollectionExistsAsync();
        await collection.UpsertAsync(TextData);
        Assert.All(TextData, r => Assert.Contains("passage: " + r.Text, embedder.Received));

        List<VectorSearchResult<TextRecord>> hits = await collection.SearchAsync("sleeping pets", 3, new() { Filter = r => r.Category == "pets" }).ToListAsync();
        Assert.Contains("query: sleeping pets", embedder.Received);
        Assert.Equal(["a", "b"], hits.Select(h => h.Record.Key).Order(StringComparer.Ordinal));
        float[] query = Testing.DeterministicEmbedder.VectorFor("query: sleeping pets", 16, normalized: true);
        foreach (VectorSearchResult<TextRecord> hit in hits)
        {
            float[] document = Testing.DeterministicEmbedder.VectorFor("passage: " + hit.Record.Text, 16, normalized: true);
            Assert.Equal(ReferenceScore(DistanceFunction.CosineSimilarity, query, document), hit.Score!.Value, 4);
        }

        Assert.True(hits[0].Score >= hits[1].Score);
        Assert.Equal("The cat sleeps on the windowsill.", (await collection.GetAsync("a"))!.Text);
        await Assert.ThrowsAsync<NotSupportedException>(() => collection.GetAsync("a", new RecordRetrievalOptions { IncludeVectors = true }));
    }

    [Fact]
    public async Task A_collection_written_with_one_model_refuses_a_query_embedder_with_another()
    {
        using var original = Testing.DeterministicEmbedder.Create(16, modelId: "test/model-a", prompts: Prompts);
        using var other = Testing.DeterministicEmbedder.Create(16, modelId: "test/model-b", prompts: Prompts);
        string name = NewCollectionName("lock");
        var written = NewStore(original).GetCollection<string, TextRecord>(name);
        await written.EnsureCollectionExistsAsync();
        await written.UpsertAsync(TextData);

        // A second store over the same folder or database, configured with another model.
        var reopened = NewStore(other).GetCollection<string, TextRecord>(name);
        var refused = await Assert.ThrowsAsync<EmbedderMismatchException>(async () => await reopened.SearchAsync("cats", 1).ToListAsync());
        Assert.Contains("test/model-a", refused.Message, StringComparison.Ordinal);
        Assert.Contains("test/model-b", refused.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<EmbedderMismatchException>(() => reopened.UpsertAsync(new TextRecord { Key = "z", Text = "new" }));

        // The original model still reads and searches what it wrote, from a fresh store.
        var again = NewStore(original).GetCollection<string, TextRecord>(name);
        Assert.Equal(3, (await again.SearchAsync("cats", 5).ToListAsync()).Count);
    }

    [Fact]
    public async Task A_second_store_reads_what_the_first_wrote()
    {
        string name = Collection.Name;
        var reopened = NewStore().GetCollection<string, FilterRecord>(name, Definition(DistanceFunction.CosineSimilarity));
        Assert.True(await reopened.CollectionExistsAsync());
        AssertSameRecord(TestData[2], await reopened.GetAsync("3", new RecordRetrievalOptions { IncludeVectors = true }), withVector: true);
        Assert.Equal("5", (await reopened.SearchAsync(new float[] { 1, 2, 7 }, 1).ToListAsync())[0].Record.Key);
        Assert.Equal(["1", "3"], await KeysAsync(reopened.GetAsync(r => r.String == "foo", 10)));
    }

    [Fact]
    public async Task Reopening_with_other_dimensions_is_refused_naming_both()
    {
        var wrong = NewStore().GetCollection<string, FilterRecord>(Collection.Name, Definition(DistanceFunction.CosineSimilarity, dimensions: 5));
        var refused = await Assert.ThrowsAnyAsync<Exception>(async () => await wrong.GetAsync("1"));
        Assert.Contains("3", refused.Message, StringComparison.Ordinal);
        Assert.Contains("5", refused.Message, StringComparison.Ordinal);
    }

    #endregion
}
