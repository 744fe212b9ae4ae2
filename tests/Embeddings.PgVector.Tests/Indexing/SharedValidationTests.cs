using Embeddings.PgVector.Tests.Server;

namespace Embeddings.PgVector.Tests.Indexing;

/// <summary>PgVector checks records with Core's rules, so a bad record is refused with the words an in-process index uses, and before any batch commits.</summary>
[Collection(PgServerCollection.Name)]
public sealed class SharedValidationTests(PgServerFixture server)
{
    private static readonly float[] Good = [1, 0, 0, 0];

    // Theory data reaches the runner as UTF-8, which would replace lone surrogates, so the batches are looked up by name.
    private static readonly Dictionary<string, VectorRecord[]> BadBatches = new()
    {
        ["null record"] = [new VectorRecord("a", Good), null!],
        ["empty key"] = [new VectorRecord("a", Good), new VectorRecord(string.Empty, Good)],
        ["lone surrogate in key"] = [new VectorRecord("a", Good), new VectorRecord("b\uD800", Good)],
        ["duplicate key"] = [new VectorRecord("a", Good), new VectorRecord("a", Good)],
        ["short vector"] = [new VectorRecord("a", Good), new VectorRecord("short", new float[3])],
        ["NaN in vector"] = [new VectorRecord("a", Good), new VectorRecord("nan", new[] { 1f, float.NaN, 0, 0 })],
        ["lone surrogate in metadata value"] = [new VectorRecord("a", Good), new VectorRecord("m", Good, new Dictionary<string, object?> { ["title"] = "x\uDC00" })],
        ["empty metadata field name"] = [new VectorRecord("a", Good), new VectorRecord("m", Good, new Dictionary<string, object?> { [string.Empty] = 1L })],
        ["unsupported metadata type"] = [new VectorRecord("a", Good), new VectorRecord("m", Good, new Dictionary<string, object?> { ["when"] = new object() })],
    };

    public static TheoryData<string> BadBatchNames => new(BadBatches.Keys);

    [Theory]
    [MemberData(nameof(BadBatchNames))]
    public async Task A_bad_record_is_refused_with_the_words_of_the_in_process_indexes(string name)
    {
        VectorRecord[] batch = BadBatches[name];
        using var pg = new PgVectorIndex(server.DataSource, server.NewOptions("shared", 4));
        using var flat = new FlatIndex(4);

        var inProcess = await Assert.ThrowsAsync<ArgumentException>(async () => await flat.UpsertAsync(batch));
        var pgError = await Assert.ThrowsAsync<ArgumentException>(async () => await pg.UpsertAsync(batch));
        var bulkError = await Assert.ThrowsAsync<ArgumentException>(async () => await pg.BulkUpsertAsync(batch));

        Assert.Equal(inProcess.Message, pgError.Message);
        Assert.Equal(inProcess.Message, bulkError.Message);
        Assert.Equal(0, await pg.CountAsync());
    }

    [Fact]
    public async Task A_bad_metadata_value_in_a_later_batch_is_refused_before_the_first_batch_commits()
    {
        var options = server.NewOptions("laterbatch", 4);
        options.BatchSize = 2;
        using var index = new PgVectorIndex(server.DataSource, options);
        VectorRecord[] records =
        [
            new("r0", Good),
            new("r1", Good),
            new("r2", Good, new Dictionary<string, object?> { ["when"] = new object() }),
        ];

        var error = await Assert.ThrowsAsync<ArgumentException>(async () => await index.UpsertAsync(records));

        Assert.Contains("r2", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, await index.CountAsync());
    }
}
