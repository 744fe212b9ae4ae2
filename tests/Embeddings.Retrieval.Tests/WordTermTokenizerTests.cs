using System.Text.RegularExpressions;

namespace Embeddings.Retrieval.Tests;

public sealed class WordTermTokenizerTests
{
    [Fact]
    public void Splits_on_non_word_characters_and_lowercases()
    {
        List<string> terms = [];
        WordTermTokenizer.Instance.Tokenize("The p53-MDM2 loop, in 2,000 CELLS_x; Ünïcode!", terms);
        Assert.Equal(["the", "p53", "mdm2", "loop", "in", "2", "000", "cells_x", "ünïcode"], terms);
    }

    [Fact]
    public void Empty_and_punctuation_only_text_has_no_terms()
    {
        List<string> terms = ["kept"];
        WordTermTokenizer.Instance.Tokenize("", terms);
        WordTermTokenizer.Instance.Tokenize(" ,.;!? -- ", terms);
        Assert.Equal(["kept"], terms);
    }

    [Fact]
    public void Word_characters_match_the_regex_word_class_on_every_BMP_character()
    {
        var word = new Regex(@"^\w$", RegexOptions.CultureInvariant);
        for (int c = 0; c < 0x10000; c++)
        {
            if (c is >= 0xD800 and <= 0xDFFF)
            {
                continue;
            }

            char ch = (char)c;
            Assert.True(word.IsMatch(ch.ToString()) == WordTermTokenizer.IsWordChar(ch), $"U+{c:X4}");
        }
    }

    [Fact]
    public void Tokens_equal_lowercased_regex_matches_on_mixed_text()
    {
        string text = "Αλφα βήτα — naïve café; x² 3.14 (CD4+) T‑cells 𝐀𝐁 日本語テキスト _under_score";
        List<string> terms = [];
        WordTermTokenizer.Instance.Tokenize(text, terms);
        string[] expected = Regex.Matches(text, @"\w+").Select(m => m.Value.ToLowerInvariant()).ToArray();
        Assert.Equal(expected, terms);
    }
}
