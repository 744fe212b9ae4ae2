namespace Embeddings.Onnx;

/// <summary>How far one embedding call has got, reported after each batch.</summary>
/// <param name="Completed">The number of inputs embedded so far.</param>
/// <param name="Total">The number of inputs in the call.</param>
public readonly record struct EmbeddingProgress(int Completed, int Total);
