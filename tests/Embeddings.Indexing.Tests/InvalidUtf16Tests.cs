using System.Text;
using Embeddings.Indexing.Internal;

namespace Embeddings.Core.Tests.Indexing;

/// <summary>Keys and metadata strings with lone UTF-16 surrogates cannot round-trip through UTF-8, so they are refused at the door.</summary>
public sealed class InvalidUtf16Tests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("utf16-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    // Theory data travels through UTF-8 in the test runner, which would turn lone surrogates into U+FFFD; pass positions.
    private static readonly string[] Bad = ["a\uD800", "\uDC00b", "x\uDBFF\uDBFFy", "\uDFFF\uD800"];

    public static TheoryData<int> BadTexts => new() { 0, 1, 2, 3 };

    private static InMemoryVectorIndex[] Indexes() =>
        [new FlatIndex(4, DistanceMetric.DotProduct), new HnswIndex(4, DistanceMetric.DotProduct, new HnswIndexOptions { Seed = 1 })];

    [Theory]
    [MemberData(nameof(BadTexts))]
    public void A_key_with_a_lone_surrogate_is_refused_naming_the_key(int which)
    {
        string bad = Bad[which];
        foreach (InMemoryVectorIndex index in Indexes())
        {
            using (index)
            {
                var add = Assert.Throws<ArgumentException>(() => index.Add(bad, [1, 0, 0, 0]));
                Assert.Contains("surrogate", add.Message, StringComparison.Ordinal);
                Assert.Contains(Utf16Text.Escape(bad), add.Message, StringComparison.Ordinal);

                var upsert = Assert.Throws<ArgumentException>(() => index.Upsert([new VectorRecord("fine", new float[] { 1, 0, 0, 0 }), new VectorRecord(bad, new float[] { 0, 1, 0, 0 })]));
                Assert.Contains("Record 1", upsert.Message, StringComparison.Ordinal);
                Assert.Contains("surrogate", upsert.Message, StringComparison.Ordinal);
                Assert.Equal(0, index.Count);
            }
        }
    }

    [Theory]
    [MemberData(nameof(BadTexts))]
    public void Metadata_with_a_lone_surrogate_is_refused_naming_the_record_and_field(int which)
    {
        string bad = Bad[which];
        foreach (InMemoryVectorIndex index in Indexes())
        {
            using (index)
            {
                var value = Assert.Throws<ArgumentException>(() => index.Add("doc-7", [1, 0, 0, 0], new Dictionary<string, object?> { ["title"] = bad }));
                Assert.Contains("doc-7", value.Message, StringComparison.Ordinal);
                Assert.Contains("title", value.Message, StringComparison.Ordinal);
                Assert.Contains("surrogate", value.Message, StringComparison.Ordinal);

                var name = Assert.Throws<ArgumentException>(() => index.Add("doc-8", [1, 0, 0, 0], new Dictionary<string, object?> { [bad] = 1 }));
                Assert.Contains("doc-8", name.Message, StringComparison.Ordinal);
                Assert.Contains("surrogate", name.Message, StringComparison.Ordinal);
                Assert.Equal(0, index.Count);
            }
        }
    }

    [Fact]
    public void Valid_surrogate_pairs_and_other_text_round_trip_through_a_saved_file()
    {
        string[] keys = ["emoji-😀", "cjk-漢字", "combining-e\u0301", "nul-\0-inside", "max-\U0010FFFF"];
        foreach (InMemoryVectorIndex index in Indexes())
        {
            using (index)
            {
                for (int i = 0; i < keys.Length; i++)
                {
                    index.Add(keys[i], [1, i, 0, 0], new Dictionary<string, object?> { ["v😀"] = keys[i] });
                }

                string path = Path.Combine(_directory, index.GetType().Name);
                index.Save(path);
                using InMemoryVectorIndex loaded = index is FlatIndex ? FlatIndex.Load(path) : HnswIndex.Load(path);
                IReadOnlyList<VectorSearchResult> all = loaded.Search(new float[] { 1, 0, 0, 0 }, 10);
                Assert.Equal(keys.Order(StringComparer.Ordinal), all.Select(r => r.Key).Order(StringComparer.Ordinal));
                Assert.All(all, r => Assert.Equal(r.Key, r.Metadata!["v😀"]));
            }
        }
    }

    [Fact]
    public void The_file_writer_refuses_invalid_text_and_the_reader_refuses_invalid_utf8()
    {
        using var stream = new MemoryStream();
        using (IndexFileWriter writer = IndexFileWriter.Create(stream, IndexKind.Flat))
        {
            Assert.Throws<ArgumentException>(() => writer.WriteString("bad\uD800"));
            writer.WriteInt32(3);
            writer.WriteBytes([0x61, 0xFF, 0x62]); // 0xFF never occurs in UTF-8
            writer.Commit();
        }

        stream.Position = 0;
        using IndexFileReader reader = IndexFileReader.Open(stream, "test", IndexKind.Flat);
        var error = Assert.Throws<InvalidDataException>(() => reader.ReadString());
        Assert.Contains("UTF-8", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Utf16Text_finds_the_first_lone_surrogate_like_a_strict_encoder()
    {
        (string Text, int Expected)[] cases = [("plain", -1), ("😀", -1), ("", -1), ("a\uD800", 1), ("\uDC00", 0), ("😀\uD83D", 2), ("\uD83D\uD83D\uDE00", 0), ("ok\uDE00\uD83D", 2)];
        foreach ((string text, int expected) in cases)
        {
            Assert.Equal(expected, Utf16Text.IndexOfLoneSurrogate(text));
            bool strictOk = true;
            try
            {
                new UTF8Encoding(false, true).GetByteCount(text);
            }
            catch (EncoderFallbackException)
            {
                strictOk = false;
            }

            Assert.Equal(strictOk, expected < 0);
        }
    }
}
