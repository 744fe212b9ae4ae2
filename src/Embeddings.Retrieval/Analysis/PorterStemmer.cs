namespace Embeddings;

/// <summary>
/// The Porter stemming algorithm (Porter 1980, "An algorithm for suffix stripping") in the form of its author's
/// reference implementation, the one Lucene's <c>PorterStemFilter</c> and the published vocabulary/output pairs
/// follow: with its two departures from the paper (<c>-bli</c> → <c>-ble</c> instead of <c>-abli</c> → <c>-able</c>,
/// and the extra rule <c>-logi</c> → <c>-log</c>) and words of one or two letters left alone.
/// </summary>
/// <remarks>
/// Expects lower-case input; vowels are a, e, i, o, u and y after a consonant, every other character counts as a
/// consonant. The stem is never longer than the word.
/// </remarks>
public static class PorterStemmer
{
    /// <summary>Returns the stem of <paramref name="word"/>.</summary>
    /// <param name="word">A lower-case word.</param>
    /// <returns>The stem; <paramref name="word"/> itself when nothing is stripped.</returns>
    public static string Stem(string word)
    {
        ArgumentNullException.ThrowIfNull(word);
        if (word.Length <= 2)
        {
            return word;
        }

        Span<char> buffer = word.Length <= 256 ? stackalloc char[word.Length] : new char[word.Length];
        word.CopyTo(buffer);
        int length = Stem(buffer);
        return length == word.Length && buffer.SequenceEqual(word) ? word : new string(buffer[..length]);
    }

    /// <summary>Stems the word in <paramref name="word"/> in place.</summary>
    /// <param name="word">A lower-case word; rewritten with its stem at the start.</param>
    /// <returns>The stem's length, at most <paramref name="word"/>'s.</returns>
    public static int Stem(Span<char> word)
    {
        if (word.Length <= 2)
        {
            return word.Length;
        }

        var state = new State(word);
        state.Step1ab();
        state.Step1c();
        state.Step2();
        state.Step3();
        state.Step4();
        state.Step5();
        return state.End + 1;
    }

    // The paper's notation: the word is b[0..End]; a suffix test that succeeds leaves Stem at the index before
    // the suffix, and m() counts the vowel-consonant sequences of b[0..Stem].
    private ref struct State(Span<char> b)
    {
        private readonly Span<char> _b = b;
        public int End = b.Length - 1;
        private int _stem;

        public void Step1ab()
        {
            if (_b[End] == 's')
            {
                if (EndsWith("sses"))
                {
                    End -= 2;
                }
                else if (EndsWith("ies"))
                {
                    ReplaceSuffix("i");
                }
                else if (_b[End - 1] != 's')
                {
                    End--;
                }
            }

            if (EndsWith("eed"))
            {
                if (Measure() > 0)
                {
                    End--;
                }
            }
            else if ((EndsWith("ed") || EndsWith("ing")) && StemHasVowel())
            {
                End = _stem;
                if (EndsWith("at"))
                {
                    ReplaceSuffix("ate");
                }
                else if (EndsWith("bl"))
                {
                    ReplaceSuffix("ble");
                }
                else if (EndsWith("iz"))
                {
                    ReplaceSuffix("ize");
                }
                else if (IsDoubleConsonant(End))
                {
                    if (_b[End] is not ('l' or 's' or 'z'))
                    {
                        End--;
                    }
                }
                else if (Measure() == 1 && IsConsonantVowelConsonant(End))
                {
                    ReplaceSuffix("e");
                }
            }
        }

        public void Step1c()
        {
            if (EndsWith("y") && StemHasVowel())
            {
                _b[End] = 'i';
            }
        }

        public void Step2()
        {
            if (End == 0)
            {
                return;
            }

            _ = _b[End - 1] switch
            {
                'a' => Rule("ational", "ate") || Rule("tional", "tion"),
                'c' => Rule("enci", "ence") || Rule("anci", "ance"),
                'e' => Rule("izer", "ize"),
                'l' => Rule("bli", "ble") || Rule("alli", "al") || Rule("entli", "ent") || Rule("eli", "e") || Rule("ousli", "ous"),
                'o' => Rule("ization", "ize") || Rule("ation", "ate") || Rule("ator", "ate"),
                's' => Rule("alism", "al") || Rule("iveness", "ive") || Rule("fulness", "ful") || Rule("ousness", "ous"),
                't' => Rule("aliti", "al") || Rule("iviti", "ive") || Rule("biliti", "ble"),
                'g' => Rule("logi", "log"),
                _ => false,
            };
        }

        public void Step3()
        {
            _ = _b[End] switch
            {
                'e' => Rule("icate", "ic") || Rule("ative", "") || Rule("alize", "al"),
                'i' => Rule("iciti", "ic"),
                'l' => Rule("ical", "ic") || Rule("ful", ""),
                's' => Rule("ness", ""),
                _ => false,
            };
        }

        public void Step4()
        {
            if (End == 0)
            {
                return;
            }

            bool matched = _b[End - 1] switch
            {
                'a' => EndsWith("al"),
                'c' => EndsWith("ance") || EndsWith("ence"),
                'e' => EndsWith("er"),
                'i' => EndsWith("ic"),
                'l' => EndsWith("able") || EndsWith("ible"),
                'n' => EndsWith("ant") || EndsWith("ement") || EndsWith("ment") || EndsWith("ent"),
                'o' => (EndsWith("ion") && _stem >= 0 && _b[_stem] is 's' or 't') || EndsWith("ou"),
                's' => EndsWith("ism"),
                't' => EndsWith("ate") || EndsWith("iti"),
                'u' => EndsWith("ous"),
                'v' => EndsWith("ive"),
                'z' => EndsWith("ize"),
                _ => false,
            };
            if (matched && Measure() > 1)
            {
                End = _stem;
            }
        }

        public void Step5()
        {
            _stem = End;
            if (_b[End] == 'e')
            {
                int m = Measure();
                if (m > 1 || (m == 1 && !IsConsonantVowelConsonant(End - 1)))
                {
                    End--;
                }
            }

            if (_b[End] == 'l' && IsDoubleConsonant(End) && Measure() > 1)
            {
                End--;
            }
        }

        // A matched suffix ends the step whether or not the stem is long enough to take the replacement.
        private bool Rule(string suffix, string replacement)
        {
            if (!EndsWith(suffix))
            {
                return false;
            }

            if (Measure() > 0)
            {
                ReplaceSuffix(replacement);
            }

            return true;
        }

        private readonly bool IsConsonant(int i)
        {
            char c = _b[i];
            if (c is 'a' or 'e' or 'i' or 'o' or 'u')
            {
                return false;
            }

            if (c != 'y')
            {
                return true;
            }

            // y is a consonant at the start and after a vowel, a vowel after a consonant.
            return i == 0 || !IsConsonant(i - 1);
        }

        private readonly int Measure()
        {
            int n = 0;
            int i = 0;
            while (i <= _stem && IsConsonant(i))
            {
                i++;
            }

            while (i <= _stem)
            {
                while (i <= _stem && !IsConsonant(i))
                {
                    i++;
                }

                if (i > _stem)
                {
                    break;
                }

                n++;
                while (i <= _stem && IsConsonant(i))
                {
                    i++;
                }
            }

            return n;
        }

        private readonly bool StemHasVowel()
        {
            for (int i = 0; i <= _stem; i++)
            {
                if (!IsConsonant(i))
                {
                    return true;
                }
            }

            return false;
        }

        private readonly bool IsDoubleConsonant(int j) => j >= 1 && _b[j] == _b[j - 1] && IsConsonant(j);

        private readonly bool IsConsonantVowelConsonant(int i) =>
            i >= 2 && IsConsonant(i) && !IsConsonant(i - 1) && IsConsonant(i - 2) && _b[i] is not ('w' or 'x' or 'y');

        private bool EndsWith(string suffix)
        {
            int start = End - suffix.Length + 1;
            if (start < 0 || !_b.Slice(start, suffix.Length).SequenceEqual(suffix))
            {
                return false;
            }

            _stem = start - 1;
            return true;
        }

        private void ReplaceSuffix(string replacement)
        {
            replacement.CopyTo(_b[(_stem + 1)..]);
            End = _stem + replacement.Length;
        }
    }
}
