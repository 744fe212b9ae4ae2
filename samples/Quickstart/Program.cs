using Embeddings;

// Placeholder until the static GloVe embedder lands in this same change set: shows the vector math.
float[] a = [0.1f, 0.2f, 0.3f];
float[] b = [0.1f, 0.25f, 0.28f];
Console.WriteLine($"cosine = {VectorMath.Cosine(a, b):F4}");
