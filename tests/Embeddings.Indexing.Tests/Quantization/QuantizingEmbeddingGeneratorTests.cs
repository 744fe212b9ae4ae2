using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Embeddings.Core.Tests.Quantization;

public sealed class QuantizingEmbeddingGeneratorTests
{
    private static readonly float[][] Vectors =
    [
        [0.9f, -0.2f, 0.1f, -0.7f],
        [-0.5f, 0.5f, 0.25f, 0.3f],
        [0.05f, 0.6f, -0.9f, 0.0f],
    ];

    [Fact]
    public async Task Documents_come_back_quantized_then_dequantized_and_queries_stay_full_precision()
    {
        ScalarInt8Quantizer quantizer = ScalarInt8Quantizer.Calibrate(Vectors.Select(v => new ReadOnlyMemory<float>(v)).ToList());
        using IEmbeddingGenerator<string, Embedding<float>> pipeline = new FixedGenerator()
            .AsBuilder()
            .UseQuantization(quantizer)
            .Build();

        GeneratedEmbeddings<Embedding<float>> documents = await pipeline.GenerateAsync(["0", "1", "2"], new EmbeddingGenerationOptions().WithInputKind(EmbeddingInputKind.Document));
        GeneratedEmbeddings<Embedding<float>> queries = await pipeline.GenerateAsync(["0"], new EmbeddingGenerationOptions().WithInputKind(EmbeddingInputKind.Query));

        var code = new byte[4];
        var expected = new float[4];
        for (int i = 0; i < 3; i++)
        {
            quantizer.Encode(Vectors[i], code);
            quantizer.Decode(code, expected);
            Assert.Equal(expected, documents[i].Vector.ToArray());
            Assert.Equal("fixed", documents[i].ModelId);
        }

        Assert.Equal(Vectors[0], queries[0].Vector.ToArray());
        Assert.Same(quantizer, pipeline.GetService<ScalarInt8Quantizer>());
    }

    [Fact]
    public async Task Quantizing_queries_on_request_and_binary_round_trip_to_signs()
    {
        using IEmbeddingGenerator<string, Embedding<float>> pipeline = new FixedGenerator()
            .AsBuilder()
            .UseQuantization(new BinaryQuantizer(4), quantizeQueries: true)
            .Build();

        GeneratedEmbeddings<Embedding<float>> queries = await pipeline.GenerateAsync(["1"], new EmbeddingGenerationOptions().WithInputKind(EmbeddingInputKind.Query));

        Assert.Equal([-1f, 1f, 1f, 1f], queries[0].Vector.ToArray());
    }

    [Fact]
    public async Task Embeddings_builder_registers_the_decorator()
    {
        var services = new ServiceCollection();
        services.AddEmbeddings(e => e
            .UseProvider(_ => new FixedGenerator().AsEmbedder(new EmbedderDescriptor { ModelId = "fixed", Dimensions = 4 }))
            .UseQuantization(new Float16Quantizer(4)));
        using ServiceProvider provider = services.BuildServiceProvider();
        var generator = provider.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();

        GeneratedEmbeddings<Embedding<float>> result = await generator.GenerateAsync(["2"]);

        Assert.Equal(Vectors[2].Select(v => (float)(Half)v).ToArray(), result[0].Vector.ToArray());
    }

    [Fact]
    public async Task Compact_generators_produce_microsoft_extensions_ai_types()
    {
        ScalarInt8Quantizer int8 = ScalarInt8Quantizer.Calibrate(Vectors.Select(v => new ReadOnlyMemory<float>(v)).ToList());
        using IEmbeddingGenerator<string, Embedding<sbyte>> int8Generator = new FixedGenerator().AsInt8Generator(int8);
        using IEmbeddingGenerator<string, BinaryEmbedding> binaryGenerator = new FixedGenerator().AsBinaryGenerator(4);
        using IEmbeddingGenerator<string, Embedding<Half>> halfGenerator = new FixedGenerator().AsFloat16Generator(4);

        Embedding<sbyte> a = (await int8Generator.GenerateAsync(["0"]))[0];
        BinaryEmbedding b = (await binaryGenerator.GenerateAsync(["0"]))[0];
        Embedding<Half> c = (await halfGenerator.GenerateAsync(["0"]))[0];

        Assert.Equal(int8.ToEmbedding(new Embedding<float>(Vectors[0])).Vector.ToArray(), a.Vector.ToArray());
        Assert.Equal([true, false, true, false], Enumerable.Range(0, 4).Select(i => b.Vector[i]));
        Assert.Equal(Vectors[0].Select(v => (Half)v).ToArray(), c.Vector.ToArray());
    }

    private sealed class FixedGenerator : IEmbeddingGenerator<string, Embedding<float>>
    {
        public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
        {
            var result = new GeneratedEmbeddings<Embedding<float>>();
            foreach (string value in values)
            {
                result.Add(new Embedding<float>((float[])Vectors[int.Parse(value, System.Globalization.CultureInfo.InvariantCulture)].Clone()) { ModelId = "fixed" });
            }

            return Task.FromResult(result);
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
