using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace Embeddings.Onnx;

/// <summary>
/// Turns text into the token ids a BERT-family model expects: Hugging Face's BertNormalizer
/// (<see cref="BertTextNormalizer"/>) and BertPreTokenizer, then Microsoft.ML.Tokenizers' WordPiece
/// <see cref="BertTokenizer"/>, configured the way the Hugging Face tokenizer of the model folder is.
/// </summary>
internal sealed partial class TextTokenizer
{
    private readonly BertTokenizer _tokenizer;
    private readonly BertTextNormalizer _normalizer;

    private TextTokenizer(BertTokenizer tokenizer, BertTextNormalizer normalizer, string[] tokens, bool lowerCase, bool stripAccents, bool chineseChars, string unknownToken)
    {
        _tokenizer = tokenizer;
        _normalizer = normalizer;
        VocabularySize = tokens.Length;
        Tokens = tokens;
        LowerCase = lowerCase;
        StripAccents = stripAccents;
        TokenizeChineseChars = chineseChars;
        UnknownToken = unknownToken;
    }

    /// <summary>Gets the vocabulary by id.</summary>
    public IReadOnlyList<string> Tokens { get; }

    /// <summary>Gets whether text is lower-cased before WordPiece, as resolved from the model's tokenizer files.</summary>
    public bool LowerCase { get; }

    /// <summary>Gets whether accents (non-spacing marks) are stripped, as resolved from the model's tokenizer files.</summary>
    public bool StripAccents { get; }

    /// <summary>Gets whether CJK characters are split into tokens of their own.</summary>
    public bool TokenizeChineseChars { get; }

    /// <summary>Gets the unknown token.</summary>
    public string UnknownToken { get; }

    /// <summary>Gets the number of entries in the vocabulary (the largest id plus one).</summary>
    public int VocabularySize { get; }

    /// <summary>Gets the id of the separator token, which ends every encoded input.</summary>
    public int SeparatorId => _tokenizer.SeparatorTokenId;

    /// <summary>Gets the id of the classification token, which starts every encoded input.</summary>
    public int ClassificationId => _tokenizer.ClassificationTokenId;

    /// <summary>Gets the padding id.</summary>
    public int PaddingId => _tokenizer.PaddingTokenId;

    /// <summary>Creates the tokenizer from the bytes of a vocab.txt (one token a line), configured by <paramref name="folder"/>.</summary>
    public static TextTokenizer Create(ModelFolder folder, byte[] vocabularyText)
    {
        string[] tokens = Encoding.UTF8.GetString(vocabularyText).Split('\n');
        for (int i = 0; i < tokens.Length; i++)
        {
            tokens[i] = tokens[i].TrimEnd('\r');
        }

        // A trailing newline ends the last line; it does not start a new token.
        if (tokens.Length > 0 && tokens[^1].Length == 0)
        {
            tokens = tokens[..^1];
        }

        return Create(folder, tokens, new MemoryStream(vocabularyText, writable: false), folder.LowerCase, folder.StripAccents, folder.TokenizeChineseChars);
    }

    /// <summary>Creates the tokenizer from vocab.txt, or from the WordPiece vocabulary inside tokenizer.json.</summary>
    public static TextTokenizer Create(ModelFolder folder)
    {
        bool? lowerCase = folder.LowerCase;
        bool? stripAccents = folder.StripAccents;
        bool? chineseChars = folder.TokenizeChineseChars;
        Stream vocabulary;
        string[] tokens;
        if (folder.VocabFile is not null)
        {
            // WordPiece gives each line of vocab.txt the id of its line number.
            tokens = File.ReadAllLines(folder.VocabFile);
            vocabulary = File.OpenRead(folder.VocabFile);
            if (folder.TokenizerJsonFile is not null && (lowerCase is null || chineseChars is null))
            {
                ReadNormalizer(folder.TokenizerJsonFile, ref lowerCase, ref stripAccents, ref chineseChars);
            }
        }
        else
        {
            string file = folder.TokenizerJsonFile!;
            vocabulary = ReadWordPieceVocabulary(file, out tokens);
            ReadNormalizer(file, ref lowerCase, ref stripAccents, ref chineseChars);
        }

        return Create(folder, tokens, vocabulary, lowerCase, stripAccents, chineseChars);
    }

    private static TextTokenizer Create(ModelFolder folder, string[] tokens, Stream vocabulary, bool? lowerCase, bool? stripAccents, bool? chineseChars)
    {
        using (vocabulary)
        {
            // Hugging Face's BertTokenizer: do_lower_case defaults to true, strip_accents=None follows lower-casing,
            // tokenize_chinese_chars defaults to true.
            bool lower = lowerCase ?? true;
            var specialTokens = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (string special in new[] { folder.UnknownToken, folder.ClassificationToken, folder.SeparatorToken, folder.PaddingToken, folder.MaskingToken })
            {
                int id = Array.IndexOf(tokens, special);
                if (id >= 0)
                {
                    specialTokens[special] = id;
                }
            }

            bool strip = stripAccents ?? lower;
            bool cjk = chineseChars ?? true;

            // Normalization is ours (BertTextNormalizer), so Microsoft.ML.Tokenizers' basic tokenization is off: it
            // would normalize a second time, differently. The flags below only describe the configuration.
            var options = new BertOptions
            {
                LowerCaseBeforeTokenization = lower,
                RemoveNonSpacingMarks = strip,
                IndividuallyTokenizeCjk = cjk,
                ApplyBasicTokenization = false,
                SplitOnSpecialTokens = true,
                UnknownToken = folder.UnknownToken,
                ClassificationToken = folder.ClassificationToken,
                SeparatorToken = folder.SeparatorToken,
                PaddingToken = folder.PaddingToken,
                MaskingToken = folder.MaskingToken,
                PreTokenizer = new RegexPreTokenizer(BertPreTokenizerPattern(), specialTokens),
            };

            BertTokenizer tokenizer;
            try
            {
                tokenizer = BertTokenizer.Create(vocabulary, options);
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or FormatException)
            {
                throw new InvalidDataException(
                    $"The tokenizer vocabulary '{folder.VocabFile ?? folder.TokenizerJsonFile}' could not be loaded: {ex.Message}", ex);
            }

            var normalizer = new BertTextNormalizer(lower, strip, cjk, specialTokens.Keys);
            return new TextTokenizer(tokenizer, normalizer, tokens, lower, strip, cjk, folder.UnknownToken);
        }
    }

    /// <summary>Encodes one input with [CLS] and [SEP], keeping at most <paramref name="maxTokens"/> ids.</summary>
    /// <param name="text">The input.</param>
    /// <param name="maxTokens">The most ids to return, special tokens included; at least 2.</param>
    /// <param name="fullLength">Receives the number of ids the whole input needs.</param>
    /// <returns>The ids, truncated like Hugging Face's <c>truncation=True</c>: the end of the text is dropped, [SEP] kept.</returns>
    public int[] Encode(string text, int maxTokens, out int fullLength)
    {
        ArgumentNullException.ThrowIfNull(text);
        string normalized = _normalizer.Normalize(text);
        IReadOnlyList<int> ids = _tokenizer.EncodeToIds(normalized, addSpecialTokens: true, considerPreTokenization: true, considerNormalization: false);
        fullLength = ids.Count;
        if (ids.Count <= maxTokens)
        {
            return [.. ids];
        }

        var truncated = new int[maxTokens];
        for (int i = 0; i < maxTokens - 1; i++)
        {
            truncated[i] = ids[i];
        }

        truncated[maxTokens - 1] = SeparatorId;
        return truncated;
    }

    /// <summary>
    /// Hugging Face's BertPreTokenizer: split at whitespace, and make every punctuation character (Unicode P*, and
    /// every ASCII symbol) a word of its own. Other symbols such as emoji stay inside words and become [UNK] there;
    /// Microsoft.ML.Tokenizers' default word-or-punctuation split drops them, which would change the token ids.
    /// </summary>
    [GeneratedRegex(@"[^\s\p{P}!-/:-@\[-`{-~]+|[\p{P}!-/:-@\[-`{-~]")]
    private static partial Regex BertPreTokenizerPattern();

    private static MemoryStream ReadWordPieceVocabulary(string file, out string[] tokens)
    {
        JsonObject model = ReadTokenizerJson(file)["model"] as JsonObject
            ?? throw new InvalidDataException($"'{file}' has no \"model\" object.");
        string type = model["type"]?.GetValue<string>() ?? "(none)";
        if (!string.Equals(type, "WordPiece", StringComparison.Ordinal) || model["vocab"] is not JsonObject vocab)
        {
            throw new NotSupportedException(
                $"'{file}' holds a {type} tokenizer; only WordPiece (BERT-family) tokenizers are supported. Models with a vocab.txt are read from that file.");
        }

        tokens = new string[vocab.Count];
        foreach ((string token, JsonNode? id) in vocab)
        {
            int index = id?.GetValue<int>() ?? -1;
            if ((uint)index >= (uint)tokens.Length || tokens[index] is not null)
            {
                throw new InvalidDataException($"'{file}': token '{token}' has id {index}, which is out of range or taken; ids must be 0..{tokens.Length - 1}.");
            }

            tokens[index] = token;
        }

        var stream = new MemoryStream();
        using (var writer = new StreamWriter(stream, new UTF8Encoding(false), leaveOpen: true) { NewLine = "\n" })
        {
            foreach (string token in tokens)
            {
                writer.WriteLine(token);
            }
        }

        stream.Position = 0;
        return stream;
    }

    private static void ReadNormalizer(string file, ref bool? lowerCase, ref bool? stripAccents, ref bool? chineseChars)
    {
        if (ReadTokenizerJson(file)["normalizer"] is not JsonObject normalizer
            || normalizer["type"]?.GetValue<string>() != "BertNormalizer")
        {
            return;
        }

        lowerCase ??= normalizer["lowercase"] is JsonValue l && l.TryGetValue(out bool lb) ? lb : null;
        stripAccents ??= normalizer["strip_accents"] is JsonValue s && s.TryGetValue(out bool sb) ? sb : null;
        chineseChars ??= normalizer["handle_chinese_chars"] is JsonValue c && c.TryGetValue(out bool cb) ? cb : null;
    }

    private static JsonObject ReadTokenizerJson(string file)
    {
        try
        {
            return JsonNode.Parse(File.ReadAllText(file)) as JsonObject
                ?? throw new InvalidDataException($"'{file}' is not a JSON object.");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"'{file}' is not valid JSON: {ex.Message}", ex);
        }
    }
}
