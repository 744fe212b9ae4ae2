using System.Text.Json;

namespace Embeddings.Onnx.Tests.Packaged;

/// <summary>
/// The packaged all-MiniLM-L6-v2 against transformers.js on the same model files. The reference
/// (Reference/all-MiniLM-L6-v2.transformersjs.json) was produced by benchmarks/onnx/reference.mjs with transformers.js:
/// 220 texts, among them SciFact abstracts beyond 256 tokens, accents, CJK, emoji, whitespace only and mixed case.
/// A truncated input ends with [SEP], as in Hugging Face's Python tokenizers and sentence-transformers: the script
/// tokenizes the whole text with transformers.js, keeps the first 255 ids and appends [SEP], because transformers.js'
/// own <c>truncation: true</c> cuts after [SEP] was added and drops it.
/// </summary>
public sealed class TransformersJsParityTests
{
    private static readonly Lazy<OnnxEmbedder> MiniLM = new(() => OnnxEmbedder.LoadAsync(PackagedModels.AllMiniLML6V2).GetAwaiter().GetResult());

    private static readonly Lazy<Reference> Expected = new(Load);

    [Fact]
    public void The_reference_covers_the_hard_cases()
    {
        Reference reference = Expected.Value;
        Assert.True(reference.Entries.Count >= 200, $"{reference.Entries.Count} texts");
        Assert.Equal(256, reference.MaxLength);
        Assert.True(reference.Entries.Count(e => e.FullLength > 256) >= 50, "too few texts beyond 256 tokens");
        Assert.Contains(reference.Entries, e => e.Text.Length > 0 && string.IsNullOrWhiteSpace(e.Text));
        Assert.Contains(reference.Entries, e => e.Text.Any(c => c is >= '\u4e00' and <= '\u9fff'));
        Assert.Contains(reference.Entries, e => e.Text.Any(char.IsSurrogate));
        Assert.Contains(reference.Entries, e => e.Text.Any(c => c is >= '\u00c0' and <= '\u017f'));
    }

    [Fact]
    public void Token_ids_equal_transformers_js_for_every_text()
    {
        OnnxEmbedder embedder = MiniLM.Value;
        var differences = new List<string>();
        foreach (ReferenceEntry entry in Expected.Value.Entries)
        {
            int[] ours = [.. embedder.Tokenize(entry.Text)];
            if (!entry.InputIds.SequenceEqual(ours))
            {
                int at = 0;
                while (at < ours.Length && at < entry.InputIds.Length && ours[at] == entry.InputIds[at])
                {
                    at++;
                }

                int from = Math.Max(0, at - 3);
                differences.Add(
                    $"{JsonSerializer.Serialize(entry.Text[..Math.Min(60, entry.Text.Length)])}...: first difference at id {at}: "
                    + $"transformers.js [{string.Join(' ', entry.InputIds.Skip(from).Take(8))}], ours [{string.Join(' ', ours.Skip(from).Take(8))}]");
            }
        }

        Assert.True(differences.Count == 0, $"{differences.Count} texts differ:\n{string.Join('\n', differences)}");
    }

    [Fact]
    public async Task Truncation_is_reported_where_transformers_js_cut_the_input()
    {
        IReadOnlyList<ReferenceEntry> entries = Expected.Value.Entries;
        var result = await MiniLM.Value.GenerateAsync(entries.Select(e => e.Text));
        for (int i = 0; i < entries.Count; i++)
        {
            bool truncated = result[i].AdditionalProperties?.ContainsKey(OnnxEmbedder.TruncatedPropertyKey) == true;
            Assert.True(truncated == entries[i].FullLength > 256, $"text {i}: truncated {truncated}, transformers.js needed {entries[i].FullLength} tokens");
            if (truncated)
            {
                Assert.Equal(entries[i].FullLength, result[i].AdditionalProperties![OnnxEmbedder.InputTokenCountPropertyKey]);
            }
        }
    }

    [Fact]
    public async Task Every_vector_has_cosine_at_least_0_9999_with_transformers_js()
    {
        IReadOnlyList<ReferenceEntry> entries = Expected.Value.Entries;

        // One call: our length-sorted batches mix the texts differently from transformers.js' one-by-one runs.
        var result = await MiniLM.Value.GenerateAsync(entries.Select(e => e.Text));
        double worst = 1;
        string worstText = string.Empty;
        for (int i = 0; i < entries.Count; i++)
        {
            double cosine = ScalarCosine(result[i].Vector.Span, entries[i].Embedding);
            if (cosine < worst)
            {
                worst = cosine;
                worstText = entries[i].Text;
            }
        }

        Assert.True(worst >= 0.9999, $"lowest cosine {worst} for {JsonSerializer.Serialize(worstText)}");
    }

    private static double ScalarCosine(ReadOnlySpan<float> a, float[] b)
    {
        Assert.Equal(b.Length, a.Length);
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < b.Length; i++)
        {
            dot += (double)a[i] * b[i];
            na += (double)a[i] * a[i];
            nb += (double)b[i] * b[i];
        }

        return dot / Math.Sqrt(na * nb);
    }

    private static Reference Load()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Packaged", "Reference", "all-MiniLM-L6-v2.transformersjs.json");
        using JsonDocument document = JsonDocument.Parse(File.ReadAllText(path));
        JsonElement root = document.RootElement;
        return new Reference(
            root.GetProperty("max_length").GetInt32(),
            [.. root.GetProperty("entries").EnumerateArray().Select(e => new ReferenceEntry(
                e.GetProperty("text").GetString()!,
                [.. e.GetProperty("input_ids").EnumerateArray().Select(x => x.GetInt32())],
                e.GetProperty("full_length").GetInt32(),
                [.. e.GetProperty("embedding").EnumerateArray().Select(x => x.GetSingle())]))]);
    }

    private sealed record Reference(int MaxLength, IReadOnlyList<ReferenceEntry> Entries);

    private sealed record ReferenceEntry(string Text, int[] InputIds, int FullLength, float[] Embedding);
}
