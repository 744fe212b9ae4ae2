namespace Embeddings.Evaluation;

/// <summary>Two sentences and a gold similarity score (STS Benchmark: 0 to 5; SICK: 1 to 5).</summary>
/// <param name="Sentence1">The first sentence.</param>
/// <param name="Sentence2">The second sentence.</param>
/// <param name="Score">The gold score.</param>
public sealed record SentencePair(string Sentence1, string Sentence2, double Score);
