using System.Linq.Expressions;
using Embeddings.VectorData.Internal;
using Embeddings.VectorData.Tests.Conformance;
using Microsoft.Extensions.VectorData;
using Microsoft.Extensions.VectorData.ProviderServices;

namespace Embeddings.VectorData.Tests.Internal;

/// <summary>
/// Translated filters are compiled once per shape and reused, and a reused plan still reads captured variables on
/// every call: each result is checked against LINQ to objects over the same records, on a real flat collection.
/// </summary>
public sealed class FilterCacheTests : IAsyncLifetime
{
    private static readonly FilterRecord[] Records =
    [
        new() { Key = "1", Int = 8, String = "foo", Bool = true, StringArray = ["x", "y"], NullableInt = 1, Vector = new float[] { 1, 2, 3 } },
        new() { Key = "2", Int = 9, String = "bar", Bool = false, StringArray = ["a"], NullableInt = null, Vector = new float[] { 1, 2, 4 } },
        new() { Key = "3", Int = 9, String = "foo", Bool = true, StringArray = ["x"], NullableInt = 3, Vector = new float[] { 1, 2, 5 } },
        new() { Key = "4", Int = 10, String = null, Bool = false, StringArray = ["z"], NullableInt = null, Vector = new float[] { 1, 2, 6 } },
        new() { Key = "5", Int = 11, String = "baz", Bool = true, StringArray = [], NullableInt = 5, Vector = new float[] { 1, 2, 7 } },
    ];

    private readonly EmbeddingsVectorStore _store = new();
    private VectorStoreCollection<string, FilterRecord> _collection = null!;

    private int _field;

    public async Task InitializeAsync()
    {
        var definition = new VectorStoreCollectionDefinition
        {
            Properties =
            [
                new VectorStoreKeyProperty(nameof(FilterRecord.Key), typeof(string)),
                new VectorStoreDataProperty(nameof(FilterRecord.Int), typeof(int)) { IsIndexed = true },
                new VectorStoreDataProperty(nameof(FilterRecord.String), typeof(string)) { IsIndexed = true },
                new VectorStoreDataProperty(nameof(FilterRecord.Bool), typeof(bool)) { IsIndexed = true },
                new VectorStoreDataProperty(nameof(FilterRecord.StringArray), typeof(string[])) { IsIndexed = true },
                new VectorStoreDataProperty(nameof(FilterRecord.NullableInt), typeof(int?)) { IsIndexed = true },
                new VectorStoreVectorProperty(nameof(FilterRecord.Vector), typeof(ReadOnlyMemory<float>), 3) { DistanceFunction = DistanceFunction.EuclideanDistance, IndexKind = EmbeddingsIndexKind.Flat },
            ],
        };
        _collection = _store.GetCollection<string, FilterRecord>("cache", definition);
        await _collection.EnsureCollectionExistsAsync();
        await _collection.UpsertAsync(Records);
    }

    public Task DisposeAsync()
    {
        _store.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task A_captured_local_that_changes_between_calls_is_read_on_every_call()
    {
        foreach (int wanted in new[] { 8, 9, 10, 12, 9 })
        {
            int value = wanted;
            await AssertFilterAsync(r => r.Int == value);
            await AssertFilterAsync(r => r.Int >= value && r.Bool);
        }
    }

    [Fact]
    public async Task One_filter_object_reused_with_its_closure_changed_reads_the_new_value()
    {
        int value = 8;
        string? text = "foo";
        Expression<Func<FilterRecord, bool>> filter = r => r.Int > value || r.String == text;
        var options = new VectorSearchOptions<FilterRecord> { Filter = filter };
        foreach ((int v, string? t) in new[] { (8, (string?)"foo"), (9, "bar"), (10, null), (11, "none"), (7, "foo") })
        {
            value = v;
            text = t;
            await AssertFilterAsync(filter);
            string[] found = await _collection.SearchAsync(new ReadOnlyMemory<float>([1, 2, 3]), 10, options).Select(h => h.Record.Key).OrderBy(k => k, StringComparer.Ordinal).ToArrayAsync();
            Assert.Equal(Expected(filter), found);
        }
    }

    [Fact]
    public async Task A_captured_list_mutated_between_calls_is_enumerated_afresh()
    {
        var ints = new List<int> { 8 };
        var tags = new List<string> { "a" };
        for (int round = 0; round < 4; round++)
        {
            await AssertFilterAsync(r => ints.Contains(r.Int));
            await AssertFilterAsync(r => r.StringArray.Any(t => tags.Contains(t)));
            ints.Add(9 + round);
            tags.Add(round % 2 == 0 ? "x" : "z");
        }

        ints.Clear();
        await AssertFilterAsync(r => ints.Contains(r.Int));
    }

    [Fact]
    public async Task Members_of_this_and_null_or_non_null_captures_are_read_on_every_call()
    {
        foreach (int wanted in new[] { 9, 8, 11 })
        {
            _field = wanted;
            await AssertFilterAsync(r => r.Int == _field);
        }

        foreach (int? wanted in new int?[] { null, 3, null, 1 })
        {
            int? nullable = wanted;
            await AssertFilterAsync(r => r.NullableInt == nullable);
            await AssertFilterAsync(r => r.NullableInt != nullable);
        }

        foreach (bool flag in new[] { true, false, true })
        {
            bool captured = flag;
            await AssertFilterAsync(r => r.Bool == captured && !(r.Int < 9));
        }
    }

    [Fact]
    public void A_filter_written_once_is_compiled_once_however_often_its_captures_change()
    {
        CollectionModel model = new EmbeddingsModelBuilder(dynamic: false).Build(typeof(FilterRecord), typeof(string), Definition(), null);
        var cache = new FilterCache(model);
        for (int i = 0; i < 20; i++)
        {
            int value = i;
            MetadataFilter? cached = cache.Translate(Lambda(r => r.Int == value && r.String != "bar"));

            // The same filter translated from scratch admits the same records.
            MetadataFilter? fresh = FilterTranslator.Translate(Lambda(r => r.Int == value && r.String != "bar"), model);
            foreach (FilterRecord record in Records)
            {
                IReadOnlyDictionary<string, object?> metadata = new RecordCodec(model, ValueJson.GeneratedOrReflected).Capture(record, record.Key, null).Metadata;
                Assert.Equal(fresh!.Matches(metadata), cached!.Matches(metadata));
                Assert.Equal(record.Int == value && record.String != "bar", cached.Matches(metadata));
            }
        }

        Assert.Equal(1, cache.Count);

        // A different literal is a different shape, and so is a different operator.
        cache.Translate(Lambda(r => r.Int == 3 && r.String != "foo"));
        cache.Translate(Lambda(r => r.Int != 3));
        Assert.Equal(3, cache.Count);
    }

    [Fact]
    public async Task Shapes_are_the_same_on_every_thread_and_do_not_keep_captured_objects_alive()
    {
        // Shapes are walked by one reused walker per thread: a shape from another thread must equal this thread's,
        // and the walker must let go of the closure it walked.
        int value = 9;
        FilterShape here = FilterShape.Of(Lambda(r => r.Int == value && r.String != "bar"));
        FilterShape there = await Task.Run(() => FilterShape.Of(Lambda(r => r.Int == value && r.String != "bar")));
        Assert.Equal(here, there);
        Assert.Equal(here.GetHashCode(), there.GetHashCode());
        Assert.NotEqual(here, FilterShape.Of(Lambda(r => r.Int == value || r.String != "bar")));

        WeakReference captured = WalkOnce();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        Assert.False(captured.IsAlive);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static WeakReference WalkOnce()
    {
        var holder = new List<int> { 8 };
        Expression<Func<FilterRecord, bool>> filter = r => holder.Contains(r.Int);
        FilterShape shape = FilterShape.Of(filter);
        Assert.Single(shape.Slots);
        var reference = new WeakReference(holder);
        GC.KeepAlive(shape);
        return reference;
    }

    [Fact]
    public void The_cache_stops_growing_at_its_capacity_and_still_translates()
    {
        CollectionModel model = new EmbeddingsModelBuilder(dynamic: false).Build(typeof(FilterRecord), typeof(string), Definition(), null);
        var cache = new FilterCache(model);
        ParameterExpression r = Expression.Parameter(typeof(FilterRecord), "r");
        for (int i = 0; i < FilterCache.Capacity + 10; i++)
        {
            // A literal per call: a new shape each time, as an app that builds trees by hand might make.
            var filter = Expression.Lambda<Func<FilterRecord, bool>>(Expression.Equal(Expression.Property(r, nameof(FilterRecord.Int)), Expression.Constant(i)), r);
            MetadataFilter? translated = cache.Translate(filter);
            Assert.True(translated!.Matches(new Dictionary<string, object?> { ["Int"] = (long)i }));
            Assert.False(translated.Matches(new Dictionary<string, object?> { ["Int"] = (long)i + 1 }));
        }

        Assert.Equal(FilterCache.Capacity, cache.Count);
    }

    [Fact]
    public async Task An_untranslatable_filter_is_refused_on_every_call_not_just_the_first()
    {
        for (int i = 0; i < 2; i++)
        {
            string prefix = i == 0 ? "fo" : "ba";
            var refused = await Assert.ThrowsAsync<NotSupportedException>(async () => await _collection.GetAsync(r => r.String!.StartsWith(prefix), 10).ToListAsync());
            Assert.Contains("StartsWith", refused.Message, StringComparison.Ordinal);
        }
    }

    private static Expression<Func<FilterRecord, bool>> Lambda(Expression<Func<FilterRecord, bool>> filter) => filter;

    private static string[] Expected(Expression<Func<FilterRecord, bool>> filter)
    {
        Func<FilterRecord, bool> predicate = filter.Compile();
        return [.. Records.Where(predicate).Select(r => r.Key).Order(StringComparer.Ordinal)];
    }

    private static VectorStoreCollectionDefinition Definition() => new()
    {
        Properties =
        [
            new VectorStoreKeyProperty(nameof(FilterRecord.Key), typeof(string)),
            new VectorStoreDataProperty(nameof(FilterRecord.Int), typeof(int)) { IsIndexed = true },
            new VectorStoreDataProperty(nameof(FilterRecord.String), typeof(string)) { IsIndexed = true },
            new VectorStoreVectorProperty(nameof(FilterRecord.Vector), typeof(ReadOnlyMemory<float>), 3) { DistanceFunction = DistanceFunction.EuclideanDistance },
        ],
    };

    private async Task AssertFilterAsync(Expression<Func<FilterRecord, bool>> filter)
    {
        string[] got = await _collection.GetAsync(filter, 100).Select(r => r.Key).OrderBy(k => k, StringComparer.Ordinal).ToArrayAsync();
        Assert.Equal(Expected(filter), got);
    }
}
