using Microsoft.Extensions.VectorData;

namespace Embeddings.VectorData.Tests.Persistence;

/// <summary>
/// Every data value type a dynamic collection accepts (those with source-generated JSON) comes back with its type and
/// value, from memory, from a reopened folder and from a pgvector payload; typed records keep the types only
/// reflection-based JSON reads (enums, nested objects).
/// </summary>
public abstract class DataValueRoundTripTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "embeddings-vectordata-values", Guid.NewGuid().ToString("N"));

    public enum Colour
    {
        Red,
        Green,
    }

    public sealed class Address
    {
        public string Street { get; set; } = string.Empty;

        public int[] Floors { get; set; } = [];
    }

    public sealed class TypedRecord
    {
        [VectorStoreKey]
        public string Key { get; set; } = string.Empty;

        [VectorStoreData(IsIndexed = true)]
        public Colour Colour { get; set; }

        [VectorStoreData]
        public Address? Address { get; set; }

        [VectorStoreData]
        public Dictionary<string, double> Scores { get; set; } = [];

        [VectorStoreVector(2)]
        public ReadOnlyMemory<float> Vector { get; set; }
    }

    /// <summary>One value of each type the dynamic definition declares, keyed by property name.</summary>
    public static readonly IReadOnlyDictionary<string, (Type Type, object? Value)> Values = new Dictionary<string, (Type, object?)>
    {
        ["String"] = (typeof(string), "héllo \"world\"\n"),
        ["Bool"] = (typeof(bool), true),
        ["Char"] = (typeof(char), 'ß'),
        ["Byte"] = (typeof(byte), (byte)200),
        ["SByte"] = (typeof(sbyte), (sbyte)-100),
        ["Short"] = (typeof(short), (short)-30000),
        ["UShort"] = (typeof(ushort), (ushort)60000),
        ["Int"] = (typeof(int), int.MinValue),
        ["UInt"] = (typeof(uint), uint.MaxValue),
        ["Long"] = (typeof(long), long.MaxValue),
        ["ULong"] = (typeof(ulong), ulong.MaxValue),
        ["Float"] = (typeof(float), 0.1f),
        ["Double"] = (typeof(double), Math.PI),
        ["Decimal"] = (typeof(decimal), 12345678901234567890.123456789m),
        ["Guid"] = (typeof(Guid), new Guid("0f8fad5b-d9cb-469f-a165-70867728950e")),
        ["DateTime"] = (typeof(DateTime), new DateTime(2026, 12, 7, 1, 2, 3, 456, DateTimeKind.Utc).AddTicks(7)),
        ["DateTimeOffset"] = (typeof(DateTimeOffset), new DateTimeOffset(2026, 12, 7, 1, 2, 3, TimeSpan.FromHours(-5))),
        ["DateOnly"] = (typeof(DateOnly), new DateOnly(1999, 12, 31)),
        ["TimeOnly"] = (typeof(TimeOnly), new TimeOnly(23, 59, 58, 123)),
        ["TimeSpan"] = (typeof(TimeSpan), TimeSpan.FromTicks(-1234567890123)),
        ["NullableInt"] = (typeof(int?), 7),
        ["NullableGuidNull"] = (typeof(Guid?), null),
        ["StringArray"] = (typeof(string[]), new[] { "a", "b", string.Empty }),
        ["StringList"] = (typeof(List<string>), new List<string> { "x", "y" }),
        ["IntArray"] = (typeof(int[]), new[] { 1, -2, 3 }),
        ["NullableLongList"] = (typeof(List<long?>), new List<long?> { 1, null, 3 }),
        ["DoubleArray"] = (typeof(double[]), new[] { 0.5, -1e300 }),
        ["DateOnlyList"] = (typeof(List<DateOnly>), new List<DateOnly> { new(2000, 1, 1) }),
        ["Bytes"] = (typeof(byte[]), new byte[] { 0, 1, 254, 255 }),
    };

    protected virtual bool Reopens => true;

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }

        GC.SuppressFinalize(this);
    }

    protected abstract EmbeddingsVectorStore CreateStore(EmbeddingsVectorStoreOptions options);

    protected abstract string NewCollectionName(string prefix);

    private EmbeddingsVectorStore OpenStore() => CreateStore(new EmbeddingsVectorStoreOptions { Directory = _folder });

    private static VectorStoreCollectionDefinition DynamicDefinition() => new()
    {
        Properties =
        [
            new VectorStoreKeyProperty("Key", typeof(string)),
            .. Values.Select(pair => new VectorStoreDataProperty(pair.Key, pair.Value.Type)),
            new VectorStoreVectorProperty("Vector", typeof(ReadOnlyMemory<float>), 2),
        ],
    };

    [Fact]
    public async Task Every_dynamic_value_type_comes_back_with_its_type_and_value()
    {
        string name = NewCollectionName("values");
        var record = new Dictionary<string, object?> { ["Key"] = "r1", ["Vector"] = new ReadOnlyMemory<float>([1f, 0f]) };
        foreach ((string property, (Type _, object? value)) in Values)
        {
            record[property] = value;
        }

        using (EmbeddingsVectorStore store = OpenStore())
        {
            var collection = store.GetDynamicCollection(name, DynamicDefinition());
            await collection.EnsureCollectionExistsAsync();
            await collection.UpsertAsync(record);
            AssertValues(await collection.GetAsync("r1"));
        }

        if (Reopens)
        {
            using EmbeddingsVectorStore reopened = OpenStore();
            AssertValues(await reopened.GetDynamicCollection(name, DynamicDefinition()).GetAsync("r1"));
        }
    }

    [Fact]
    public async Task Typed_records_keep_enums_and_nested_objects()
    {
        string name = NewCollectionName("typed");
        var written = new TypedRecord
        {
            Key = "t1",
            Colour = Colour.Green,
            Address = new Address { Street = "Main", Floors = [1, 2] },
            Scores = new() { ["a"] = 0.25 },
            Vector = new float[] { 0f, 1f },
        };
        using (EmbeddingsVectorStore store = OpenStore())
        {
            var collection = store.GetCollection<string, TypedRecord>(name);
            await collection.EnsureCollectionExistsAsync();
            await collection.UpsertAsync(written);

            // The store holds a copy: later edits to the caller's object do not reach it.
            written.Address.Floors[0] = 99;
            AssertTyped(await collection.GetAsync("t1"));
            Assert.Equal(["t1"], await collection.GetAsync(r => r.Colour == Colour.Green, 10).Select(r => r.Key).ToListAsync());
        }

        if (Reopens)
        {
            using EmbeddingsVectorStore reopened = OpenStore();
            AssertTyped(await reopened.GetCollection<string, TypedRecord>(name).GetAsync("t1"));
        }

        static void AssertTyped(TypedRecord? read)
        {
            Assert.NotNull(read);
            Assert.Equal(Colour.Green, read.Colour);
            Assert.Equal("Main", read.Address!.Street);
            Assert.Equal([1, 2], read.Address.Floors);
            Assert.Equal(0.25, read.Scores["a"]);
        }
    }

    [Fact]
    public void A_dynamic_data_type_without_a_generated_contract_is_refused_naming_it()
    {
        using EmbeddingsVectorStore store = OpenStore();
        var definition = new VectorStoreCollectionDefinition
        {
            Properties =
            [
                new VectorStoreKeyProperty("Key", typeof(string)),
                new VectorStoreDataProperty("Address", typeof(Address)),
                new VectorStoreVectorProperty("Vector", typeof(ReadOnlyMemory<float>), 2),
            ],
        };

        var error = Assert.ThrowsAny<Exception>(() => store.GetDynamicCollection(NewCollectionName("refused"), definition));
        Assert.Contains("Address", error.Message, StringComparison.Ordinal);
        Assert.Contains("List<T>", error.Message, StringComparison.Ordinal);
    }

    private static void AssertValues(Dictionary<string, object?>? read)
    {
        Assert.NotNull(read);
        foreach ((string property, (Type type, object? expected)) in Values)
        {
            object? actual = read[property];
            if (expected is null)
            {
                Assert.Null(actual);
                continue;
            }

            Assert.NotNull(actual);
            Assert.True(type.IsInstanceOfType(actual), $"{property}: expected a {type.Name}, read a {actual.GetType().Name}");
            Assert.Equal(expected, actual);
        }
    }
}
