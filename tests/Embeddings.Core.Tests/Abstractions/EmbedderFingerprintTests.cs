namespace Embeddings.Core.Tests.Abstractions;

public sealed class EmbedderFingerprintTests
{
    [Fact]
    public void The_canonical_text_form_is_stable_and_round_trips()
    {
        var fingerprint = new EmbedderFingerprint("BAAI/bge-small-en-v1.5", "main", "CLS", true, 384);
        Assert.Equal("model=BAAI/bge-small-en-v1.5;revision=main;pooling=cls;normalized=true;dimensions=384", fingerprint.ToString());
        Assert.Equal(fingerprint, EmbedderFingerprint.Parse(fingerprint.ToString()));

        var bare = new EmbedderFingerprint("m", null, "", false, 3);
        Assert.Equal("model=m;revision=;pooling=;normalized=false;dimensions=3", bare.ToString());
        EmbedderFingerprint parsed = EmbedderFingerprint.Parse(bare.ToString());
        Assert.Equal(bare, parsed);
        Assert.Null(parsed.Revision);
        Assert.Null(parsed.Pooling);
    }

    [Theory]
    [InlineData("model=m;revision=;pooling=;normalized=true", "dimensions")]
    [InlineData("model=m;revision=;pooling=;normalized=yes;dimensions=3", "normalized")]
    [InlineData("model=m;revision=;pooling=;normalized=true;dimensions=-3", "dimensions")]
    [InlineData("model=m;revision=;pooling=;normalized=true;dimensions=x", "dimensions")]
    [InlineData("model=m;=x;pooling=;normalized=true;dimensions=3", "no name")]
    [InlineData("hello", "no name")]
    public void Parse_rejects_what_is_not_a_fingerprint(string text, string because)
    {
        FormatException error = Assert.Throws<FormatException>(() => EmbedderFingerprint.Parse(text));
        Assert.Contains(because, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Fields_are_checked()
    {
        Assert.Throws<ArgumentException>(() => new EmbedderFingerprint(" ", null, null, true, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => new EmbedderFingerprint("m", null, null, true, 0));
        ArgumentException separator = Assert.Throws<ArgumentException>(() => new EmbedderFingerprint("m", "a;b", null, true, 3));
        Assert.Equal("revision", separator.ParamName);
    }

    [Fact]
    public void Fingerprints_differ_in_any_field_and_mismatches_name_both()
    {
        var baseline = new EmbedderFingerprint("m", "r", "mean", true, 384);
        Assert.Equal(baseline, new EmbedderFingerprint("m", "r", "MEAN", true, 384));
        Assert.NotEqual(baseline, new EmbedderFingerprint("m2", "r", "mean", true, 384));
        Assert.NotEqual(baseline, new EmbedderFingerprint("m", "r2", "mean", true, 384));
        Assert.NotEqual(baseline, new EmbedderFingerprint("m", "r", "cls", true, 384));
        Assert.NotEqual(baseline, new EmbedderFingerprint("m", "r", "mean", false, 384));
        Assert.NotEqual(baseline, baseline.WithDimensions(128, normalized: true));
        Assert.Equal(128, baseline.WithDimensions(128, normalized: true).Dimensions);

        baseline.EnsureCompatible(new EmbedderFingerprint("m", "r", "mean", true, 384), "index 'docs'");
        EmbedderFingerprint other = baseline.WithDimensions(256, normalized: true);
        EmbedderMismatchException error = Assert.Throws<EmbedderMismatchException>(() => baseline.EnsureCompatible(other, "index 'docs'"));
        Assert.Contains(baseline.ToString(), error.Message, StringComparison.Ordinal);
        Assert.Contains(other.ToString(), error.Message, StringComparison.Ordinal);
        Assert.Contains("index 'docs'", error.Message, StringComparison.Ordinal);
        Assert.Same(baseline, error.Expected);
        Assert.Same(other, error.Actual);
    }

    [Fact]
    public void The_descriptor_derives_its_fingerprint()
    {
        var descriptor = new EmbedderDescriptor { ModelId = "m", Revision = "r", Dimensions = 8, Pooling = "cls", Normalized = true };
        Assert.Equal(new EmbedderFingerprint("m", "r", "cls", true, 8), descriptor.Fingerprint);
        Assert.Equal(EmbeddingPrompts.None, descriptor.Prompts);
        Assert.Empty(descriptor.MatryoshkaDimensions);
    }
}
