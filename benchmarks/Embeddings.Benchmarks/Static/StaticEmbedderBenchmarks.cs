using BenchmarkDotNet.Attributes;
using Embeddings.Static;

namespace Embeddings.Benchmarks.Static;

/// <summary>Loading the GloVe default and embedding sentences with it.</summary>
[MemoryDiagnoser]
public class StaticEmbedderBenchmarks
{
    private StaticEmbedder _plain = null!;
    private StaticEmbedder _sif = null!;
    private float[] _destination = null!;
    private string _path = null!;

    /// <summary>Loads the model once for the embedding benchmarks.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _path = StaticModelLocator.ResolveGloVe();
        _plain = new StaticEmbedder(StaticEmbeddingModel.Load(_path));
        _sif = _plain.With(o => o.Weighting = WordWeighting.Sif);
        _destination = new float[_plain.Dimensions];
    }

    /// <summary>Loads the 100,000 x 100 word2vec binary file.</summary>
    /// <returns>The model.</returns>
    [Benchmark]
    public StaticEmbeddingModel LoadGloVe100k() => StaticEmbeddingModel.Load(_path);

    /// <summary>Embeds one STS-length sentence with mean pooling.</summary>
    /// <returns>The number of known tokens.</returns>
    [Benchmark]
    public int EmbedSentenceMean() => _plain.Embed("A man is playing a large flute while a woman sings along.", _destination);

    /// <summary>Embeds one STS-length sentence with SIF weighting.</summary>
    /// <returns>The number of known tokens.</returns>
    [Benchmark]
    public int EmbedSentenceSif() => _sif.Embed("A man is playing a large flute while a woman sings along.", _destination);
}
