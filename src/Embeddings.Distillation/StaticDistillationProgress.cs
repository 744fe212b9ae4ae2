namespace Embeddings.Distillation;

/// <summary>Progress of a distillation: the stage and how much of it is done.</summary>
/// <param name="Stage">The stage: <c>embed</c> (tokens through the teacher), <c>pca</c>, <c>weight</c> or <c>write</c>.</param>
/// <param name="Completed">The units of the stage done (tokens for <c>embed</c>).</param>
/// <param name="Total">The units of the stage in all.</param>
public readonly record struct StaticDistillationProgress(string Stage, int Completed, int Total);
