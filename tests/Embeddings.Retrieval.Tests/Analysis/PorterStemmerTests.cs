using Embeddings.Static;
using Embeddings.Testing;

namespace Embeddings.Retrieval.Tests.Analysis;

public sealed class PorterStemmerTests
{
    // An excerpt of Martin Porter's published test vocabulary and its output (voc.txt / output.txt, the first
    // entries of the "a" words), plus the examples of the 1980 paper run through the whole algorithm.
    public static TheoryData<string, string> Published => new()
    {
        { "abandoned", "abandon" }, { "abase", "abas" }, { "abate", "abat" }, { "abated", "abat" }, { "abatement", "abat" },
        { "abatements", "abat" }, { "abbess", "abbess" }, { "abbey", "abbei" }, { "abbeys", "abbei" }, { "abbominable", "abbomin" },
        { "abbots", "abbot" }, { "abbreviated", "abbrevi" }, { "abed", "ab" }, { "abergavenny", "abergavenni" }, { "abetting", "abet" },
        { "abhorred", "abhor" }, { "abhorring", "abhor" }, { "abide", "abid" }, { "abilities", "abil" }, { "ability", "abil" },
        { "abjectly", "abjectli" }, { "able", "abl" }, { "abler", "abler" }, { "abode", "abod" }, { "abodements", "abod" },
        { "abominably", "abomin" }, { "abominations", "abomin" }, { "abortive", "abort" }, { "abortives", "abort" }, { "above", "abov" },
        { "abridgment", "abridg" }, { "abrogate", "abrog" }, { "abruption", "abrupt" }, { "abruptly", "abruptli" }, { "absence", "absenc" },
        { "absey", "absei" }, { "absolute", "absolut" }, { "absolutely", "absolut" }, { "absolver", "absolv" }, { "abstemious", "abstemi" },
        { "abstinence", "abstin" }, { "absyrtus", "absyrtu" }, { "abundance", "abund" }, { "abundantly", "abundantli" }, { "abus", "abu" },
        { "abuser", "abus" }, { "abusing", "abus" }, { "abutting", "abut" }, { "aby", "abi" }, { "acceptable", "accept" },
        { "acceptance", "accept" }, { "accessary", "accessari" }, { "accessible", "access" }, { "accidence", "accid" }, { "accidental", "accident" },
        { "accidentally", "accident" }, { "acclamations", "acclam" }, { "accommodation", "accommod" }, { "accompanied", "accompani" },
        { "accompanying", "accompani" }, { "accomplishment", "accomplish" }, { "accordant", "accord" }, { "accordeth", "accordeth" },
        { "accordingly", "accordingli" }, { "accountant", "account" }, { "accoutrements", "accoutr" }, { "accrue", "accru" },
        { "accumulation", "accumul" }, { "accursed", "accurs" }, { "accusation", "accus" }, { "accusative", "accus" },
        { "accuseth", "accuseth" }, { "achilles", "achil" }, { "acquisition", "acquisit" }, { "acquittance", "acquitt" },
        { "activity", "activ" }, { "acute", "acut" },
        { "caresses", "caress" }, { "ponies", "poni" }, { "ties", "ti" }, { "cats", "cat" }, { "feed", "feed" }, { "agreed", "agre" },
        { "plastered", "plaster" }, { "bled", "bled" }, { "motoring", "motor" }, { "sing", "sing" }, { "conflated", "conflat" },
        { "troubled", "troubl" }, { "sized", "size" }, { "hopping", "hop" }, { "tanned", "tan" }, { "falling", "fall" },
        { "hissing", "hiss" }, { "fizzed", "fizz" }, { "failing", "fail" }, { "filing", "file" }, { "happy", "happi" }, { "sky", "sky" },
        { "relational", "relat" }, { "conditional", "condit" }, { "rational", "ration" }, { "digitizer", "digit" },
        { "vietnamization", "vietnam" }, { "predication", "predic" }, { "operator", "oper" }, { "feudalism", "feudal" },
        { "decisiveness", "decis" }, { "hopefulness", "hope" }, { "callousness", "callous" }, { "triplicate", "triplic" },
        { "formative", "form" }, { "formalize", "formal" }, { "electrical", "electr" }, { "goodness", "good" }, { "revival", "reviv" },
        { "allowance", "allow" }, { "inference", "infer" }, { "airliner", "airlin" }, { "adjustable", "adjust" }, { "defensible", "defens" },
        { "irritant", "irrit" }, { "replacement", "replac" }, { "adjustment", "adjust" }, { "dependent", "depend" }, { "adoption", "adopt" },
        { "communism", "commun" }, { "activate", "activ" }, { "effective", "effect" }, { "bowdlerize", "bowdler" }, { "probate", "probat" },
        { "rate", "rate" }, { "cease", "ceas" }, { "controlling", "control" }, { "roll", "roll" },
        { "a", "a" }, { "is", "is" }, { "as", "as" }, { "ion", "ion" }, { "eed", "eed" }, { "ies", "i" },
    };

    [Theory]
    [MemberData(nameof(Published))]
    public void Stems_like_the_published_output_and_like_Lucene(string word, string expected)
    {
        Assert.Equal(expected, PorterStemmer.Stem(word));
        Assert.Equal(expected, LuceneReference.PorterStem(word));
    }

    [Fact]
    public void Agrees_with_Lucene_on_every_stem_and_suffix_combination()
    {
        string[] stems = ["hop", "relat", "condit", "gener", "y", "sy", "ay", "oy", "tr", "feed", "agre", "bl", "iz", "fizz", "fil", "control", "rol",
            "electr", "formal", "sens", "analog", "vile", "ab", "a", "", "e", "ee", "ss", "s", "logi", "biolog", "happ", "mess", "meet", "mat", "mate",
            "cri", "tri", "abl", "ibl", "ement", "ou", "tion", "sion", "ion", "w", "x", "box", "snow", "tray", "day", "boy", "play", "enjoy"];
        string[] suffixes = ["", "s", "es", "ies", "sses", "ss", "ed", "eed", "ing", "ings", "y", "ly", "ily", "ational", "tional", "enci", "anci", "izer",
            "bli", "abli", "alli", "entli", "eli", "ousli", "ization", "ation", "ator", "alism", "iveness", "fulness", "ousness", "aliti", "iviti",
            "biliti", "logi", "icate", "ative", "alize", "iciti", "ical", "ful", "ness", "al", "ance", "ence", "er", "ic", "able", "ible", "ant",
            "ement", "ment", "ent", "ion", "sion", "tion", "ou", "ism", "ate", "iti", "ous", "ive", "ize", "e", "le", "ll", "ate", "ated", "ating",
            "ations", "izations", "fulness", "lessly", "ingly", "edly", "iness", "ies", "ye", "yed", "ying"];
        var mismatches = new List<string>();
        foreach (string stem in stems)
        {
            foreach (string suffix in suffixes)
            {
                string word = stem + suffix;
                if (word.Length == 0)
                {
                    continue;
                }

                string ours = PorterStemmer.Stem(word);
                string lucene = LuceneReference.PorterStem(word);
                if (ours != lucene)
                {
                    mismatches.Add($"{word}: ours {ours}, Lucene {lucene}");
                }
            }
        }

        Assert.True(mismatches.Count == 0, string.Join("; ", mismatches.Take(20)));
    }

    [SharedFact("models/glove-6B-100d-top100k")]
    public void Agrees_with_Lucene_on_the_100000_words_of_GloVe()
    {
        StaticEmbeddingModel glove = StaticEmbeddingModel.Load(SharedData.Path("models", "glove-6B-100d-top100k", "vectors.bin"));
        var mismatches = new List<string>();
        int compared = 0;
        foreach (string word in glove.Vocabulary)
        {
            compared++;
            string ours = PorterStemmer.Stem(word);
            string lucene = LuceneReference.PorterStem(word);
            if (ours != lucene)
            {
                mismatches.Add($"{word}: ours {ours}, Lucene {lucene}");
            }
        }

        Assert.Equal(100_000, compared);
        Assert.True(mismatches.Count == 0, $"{mismatches.Count} of {compared} differ: " + string.Join("; ", mismatches.Take(20)));
    }

    [Fact]
    public void Stems_in_place_and_never_lengthens()
    {
        Span<char> word = "generalizations".ToCharArray();
        int length = PorterStemmer.Stem(word);
        Assert.Equal("gener", new string(word[..length]));
        Assert.Same("sky", PorterStemmer.Stem("sky"));
        Assert.Throws<ArgumentNullException>(() => PorterStemmer.Stem((string)null!));
    }
}
