using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Embeddings.Text;

namespace Embeddings.Core.Tests.Text;

public sealed class WordSpansTests
{
    private static readonly Regex Words = new(@"\w+", RegexOptions.CultureInvariant);
    private static readonly Regex WordsAndPunctuation = new(@"\w+|[^\w\s]", RegexOptions.CultureInvariant);

    // Characters of every class the scan tells apart: ASCII, accented and non-Latin letters, combining marks,
    // digits of other scripts, connector punctuation, Unicode spaces and separators, symbols, and astral
    // characters (a surrogate pair is two non-word code units to the regex).
    private const string Alphabet = "aZ09_ \t\n\r\u00a0\u2003\u2028\u0085.,;!?'\"-—()[]éÜßΩж日本\u0301\u0663\u203f€²½😀𝐀\u200b";

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Tokens_equal_the_regex_matches_on_random_text(bool punctuation)
    {
        Regex reference = punctuation ? WordsAndPunctuation : Words;
        var random = new Random(20261206);
        StringInfo letters = new(Alphabet);
        for (int trial = 0; trial < 2000; trial++)
        {
            var text = new StringBuilder();
            int length = random.Next(0, 40);
            for (int i = 0; i < length; i++)
            {
                text.Append(letters.SubstringByTextElements(random.Next(letters.LengthInTextElements), 1));
            }

            string s = text.ToString();
            var expected = reference.Matches(s).Select(m => (m.Index, m.Length)).ToArray();
            var actual = new List<(int, int)>();
            foreach ((int start, int count) in WordSpans.Enumerate(s, punctuation))
            {
                actual.Add((start, count));
            }

            Assert.True(expected.SequenceEqual(actual), $"'{s}': expected {string.Join(" ", expected)}, got {string.Join(" ", actual)}");
            Assert.Equal(expected.Length, WordSpans.Count(s, punctuation));
        }
    }

    [Fact]
    public void Empty_and_blank_text_have_no_tokens()
    {
        Assert.Equal(0, WordSpans.Count(string.Empty, punctuation: true));
        Assert.Equal(0, WordSpans.Count(" \t\n\u00a0", punctuation: true));
        Assert.Equal(0, WordSpans.Count("... !!", punctuation: false));
        Assert.Equal(5, WordSpans.Count("... !!", punctuation: true));
    }
}
