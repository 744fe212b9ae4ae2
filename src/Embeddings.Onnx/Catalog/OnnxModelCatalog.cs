namespace Embeddings.Onnx;

/// <summary>
/// Known sentence-embedding models with ONNX exports on Hugging Face, with the facts from their model cards:
/// dimensions, pooling, sequence length, query/document prefixes and trained Matryoshka sizes. The folder's own
/// configuration files win over the catalog; the catalog fills what they leave out (prefixes most often).
/// </summary>
public static class OnnxModelCatalog
{
    private const string BgeQueryInstruction = "Represent this sentence for searching relevant passages: ";

    private static readonly EmbeddingPrompts E5Prompts = new("query: ", "passage: ");

    private static readonly OnnxModelInfo[] KnownModels =
    [
        new() { ModelId = "sentence-transformers/all-MiniLM-L6-v2", Dimensions = 384, Pooling = PoolingStrategy.Mean, Normalized = true, MaxTokens = 256 },
        new() { ModelId = "BAAI/bge-small-en-v1.5", Dimensions = 384, Pooling = PoolingStrategy.Cls, Normalized = true, MaxTokens = 512, Prompts = new(BgeQueryInstruction, string.Empty) },
        new() { ModelId = "BAAI/bge-base-en-v1.5", Dimensions = 768, Pooling = PoolingStrategy.Cls, Normalized = true, MaxTokens = 512, Prompts = new(BgeQueryInstruction, string.Empty) },
        new() { ModelId = "BAAI/bge-large-en-v1.5", Dimensions = 1024, Pooling = PoolingStrategy.Cls, Normalized = true, MaxTokens = 512, Prompts = new(BgeQueryInstruction, string.Empty) },
        new() { ModelId = "intfloat/e5-small-v2", Dimensions = 384, Pooling = PoolingStrategy.Mean, Normalized = true, MaxTokens = 512, Prompts = E5Prompts },
        new() { ModelId = "intfloat/e5-base-v2", Dimensions = 768, Pooling = PoolingStrategy.Mean, Normalized = true, MaxTokens = 512, Prompts = E5Prompts },
        new() { ModelId = "intfloat/e5-large-v2", Dimensions = 1024, Pooling = PoolingStrategy.Mean, Normalized = true, MaxTokens = 512, Prompts = E5Prompts },
        new()
        {
            ModelId = "intfloat/multilingual-e5-large", Dimensions = 1024, Pooling = PoolingStrategy.Mean, Normalized = true, MaxTokens = 512, Prompts = E5Prompts,
            Notes = "XLM-RoBERTa SentencePiece tokenizer (tokenizer.json of type Unigram), which this package does not load yet.",
        },
        new() { ModelId = "thenlper/gte-small", Dimensions = 384, Pooling = PoolingStrategy.Mean, Normalized = true, MaxTokens = 512 },
        new() { ModelId = "thenlper/gte-base", Dimensions = 768, Pooling = PoolingStrategy.Mean, Normalized = true, MaxTokens = 512 },
        new() { ModelId = "thenlper/gte-large", Dimensions = 1024, Pooling = PoolingStrategy.Mean, Normalized = true, MaxTokens = 512 },
        new()
        {
            ModelId = "nomic-ai/nomic-embed-text-v1.5", Dimensions = 768, Pooling = PoolingStrategy.Mean, Normalized = true, MaxTokens = 8192,
            Prompts = new("search_query: ", "search_document: "), MatryoshkaDimensions = [64, 128, 256, 512, 768],
            Notes = "The model card applies a layer norm before Matryoshka truncation; plain truncation plus re-normalization is close but not identical.",
        },
        new()
        {
            ModelId = "mixedbread-ai/mxbai-embed-large-v1", Dimensions = 1024, Pooling = PoolingStrategy.Cls, Normalized = false, MaxTokens = 512,
            Prompts = new(BgeQueryInstruction, string.Empty), MatryoshkaDimensions = [512, 1024],
            Notes = "Matryoshka- and binary-quantization-aware (AnglE loss); the model card demonstrates 512 dimensions.",
        },
        new() { ModelId = "Snowflake/snowflake-arctic-embed-xs", Dimensions = 384, Pooling = PoolingStrategy.Cls, Normalized = true, MaxTokens = 512, Prompts = new(BgeQueryInstruction, string.Empty) },
        new() { ModelId = "Snowflake/snowflake-arctic-embed-s", Dimensions = 384, Pooling = PoolingStrategy.Cls, Normalized = true, MaxTokens = 512, Prompts = new(BgeQueryInstruction, string.Empty) },
        new() { ModelId = "Snowflake/snowflake-arctic-embed-m", Dimensions = 768, Pooling = PoolingStrategy.Cls, Normalized = true, MaxTokens = 512, Prompts = new(BgeQueryInstruction, string.Empty) },
        new() { ModelId = "Snowflake/snowflake-arctic-embed-l", Dimensions = 1024, Pooling = PoolingStrategy.Cls, Normalized = true, MaxTokens = 512, Prompts = new(BgeQueryInstruction, string.Empty) },
        new()
        {
            ModelId = "Snowflake/snowflake-arctic-embed-m-v1.5", Dimensions = 768, Pooling = PoolingStrategy.Cls, Normalized = true, MaxTokens = 512,
            Prompts = new(BgeQueryInstruction, string.Empty), MatryoshkaDimensions = [256, 768],
        },
        new()
        {
            ModelId = "jinaai/jina-embeddings-v2-small-en", Dimensions = 512, Pooling = PoolingStrategy.Mean, Normalized = false, MaxTokens = 8192,
            Notes = "ALiBi positions: the ONNX export handles sequences up to 8192 tokens.",
        },
        new()
        {
            ModelId = "jinaai/jina-embeddings-v2-base-en", Dimensions = 768, Pooling = PoolingStrategy.Mean, Normalized = false, MaxTokens = 8192,
            Notes = "ALiBi positions: the ONNX export handles sequences up to 8192 tokens.",
        },
    ];

    /// <summary>Gets every model in the catalog.</summary>
    public static IReadOnlyList<OnnxModelInfo> All => KnownModels;

    /// <summary>Finds a model by repository id (<c>BAAI/bge-small-en-v1.5</c>) or by its name alone (<c>bge-small-en-v1.5</c>), ignoring case.</summary>
    /// <param name="model">The id or name; <see langword="null"/> finds nothing.</param>
    /// <returns>The entry, or <see langword="null"/> when the model is not in the catalog.</returns>
    public static OnnxModelInfo? Find(string? model)
    {
        if (string.IsNullOrWhiteSpace(model))
        {
            return null;
        }

        string wanted = model.Trim();
        return KnownModels.FirstOrDefault(m => string.Equals(m.ModelId, wanted, StringComparison.OrdinalIgnoreCase))
            ?? (wanted.Contains('/', StringComparison.Ordinal)
                ? null
                : KnownModels.FirstOrDefault(m => string.Equals(m.ModelId[(m.ModelId.IndexOf('/', StringComparison.Ordinal) + 1)..], wanted, StringComparison.OrdinalIgnoreCase)));
    }
}
