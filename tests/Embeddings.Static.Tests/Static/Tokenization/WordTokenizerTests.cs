using Embeddings.Static;

namespace Embeddings.Static.Tests.Static.Tokenization;

public sealed class WordTokenizerTests
{
    [Fact]
    public void Words_are_lowercased_runs_of_word_characters_and_other_characters_stand_alone()
    {
        Assert.Equal(["hello", ",", "world", "!", "it", "'", "s", "3", ".", "5x", "naïve", "under_score"], WordTokenizer.Tokenize("Hello, World! It's 3.5x  naïve under_score"));
    }

    [Fact]
    public void Case_is_kept_when_asked_and_whitespace_only_text_has_no_tokens()
    {
        Assert.Equal(["Hello", "?"], WordTokenizer.Tokenize("Hello?", lowercase: false));
        Assert.Empty(WordTokenizer.Tokenize(" \t\n "));
        Assert.Empty(WordTokenizer.Tokenize(string.Empty));
    }
}
