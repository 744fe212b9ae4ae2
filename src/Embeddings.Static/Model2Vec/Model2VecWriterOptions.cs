namespace Embeddings.Static;

/// <summary>Options of <see cref="Model2VecWriter.Write"/>: storage type and the WordPiece tokenizer's normalization.</summary>
public sealed class Model2VecWriterOptions
{
    /// <summary>Gets or sets the element type of the <c>embeddings</c> tensor. Default: <see cref="Model2VecStorage.Float32"/>.</summary>
    public Model2VecStorage Storage { get; set; } = Model2VecStorage.Float32;

    /// <summary>Gets or sets a value indicating whether the tokenizer lower-cases text (BertNormalizer <c>lowercase</c>). Default: <see langword="true"/>.</summary>
    public bool LowerCase { get; set; } = true;

    /// <summary>
    /// Gets or sets whether the tokenizer strips accents (BertNormalizer <c>strip_accents</c>). Default:
    /// <see langword="null"/>: follow <see cref="LowerCase"/>, as Hugging Face's BERT normalizer does.
    /// </summary>
    public bool? StripAccents { get; set; }

    /// <summary>Gets or sets a value indicating whether CJK characters become tokens of their own (<c>handle_chinese_chars</c>). Default: <see langword="true"/>.</summary>
    public bool TokenizeChineseChars { get; set; } = true;

    /// <summary>Gets or sets the unknown token, which must be in the vocabulary. Default: <c>[UNK]</c>.</summary>
    public string UnknownToken { get; set; } = "[UNK]";

    /// <summary>
    /// Gets or sets extra entries for <c>config.json</c> (strings, numbers, booleans or <see langword="null"/>), written after
    /// the entries Model2Vec writes (<c>model_type</c>, <c>architectures</c>, <c>hidden_dim</c>, <c>seq_length</c>, <c>normalize</c>);
    /// an entry of the same name replaces one of those. Default: none.
    /// </summary>
    public IDictionary<string, object?> Config { get; } = new Dictionary<string, object?>(StringComparer.Ordinal);
}
