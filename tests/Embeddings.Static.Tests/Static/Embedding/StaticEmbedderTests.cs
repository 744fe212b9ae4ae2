using Embeddings.Testing;
using Embeddings.Static;
using Microsoft.Extensions.AI;
using Embeddings.Testing.Static;

namespace Embeddings.Static.Tests.Static.Embedding;

public sealed class StaticEmbedderTests
{
    private static readonly StaticEmbeddingModel Small = StaticEmbeddingModel.FromWordVectors(TestFiles.Words, TestFiles.Vectors, 3, "small");

    [SharedFact("models/glove-6B-100d-top100k")]
    public async Task Mean_pooling_matches_a_scalar_reference_and_skips_unknown_words()
    {
        using var embedder = new StaticEmbedder(Small, new StaticEmbedderOptions { Normalize = false });
        var result = await embedder.GenerateAsync(["The CAT unknownword sat."]);

        // Known: the, cat, sat ("." and the unknown word are skipped).
        float[] expected = [1f / 3, 2f / 3, 3f / 3];
        Assert.Equal(expected, result[0].Vector.ToArray(), new ToleranceComparer(1e-6f));
    }

    [SharedFact("models/glove-6B-100d-top100k")]
    public async Task Normalized_output_is_the_unit_mean_vector()
    {
        using var embedder = new StaticEmbedder(Small);
        float[] vector = (await embedder.GenerateAsync(["the cat"]))[0].Vector.ToArray();
        float norm = MathF.Sqrt(5f) / 2f;
        Assert.Equal([0.5f / norm, 1f / norm, 0f], vector, new ToleranceComparer(1e-6f));
    }

    [SharedTheory("models/glove-6B-100d-top100k")]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("zebra quokka !?")]
    public async Task Text_without_known_words_embeds_as_the_zero_vector(string text)
    {
        using var embedder = new StaticEmbedder(Small);
        float[] vector = (await embedder.GenerateAsync([text]))[0].Vector.ToArray();
        Assert.Equal(new float[3], vector);
        Assert.Equal(0, embedder.Embed(text, new float[3]));
        Assert.Equal(0f, VectorMath.Cosine(vector, [1f, 0f, 0f]));
    }

    [SharedFact("models/glove-6B-100d-top100k")]
    public void SIF_weights_follow_Zipf_by_file_rank()
    {
        const double a = 1e-2;
        using var embedder = new StaticEmbedder(Small, new StaticEmbedderOptions { Weighting = WordWeighting.Sif, SifSmoothing = a, ModelCommonComponents = 0, Normalize = false });
        float[] vector = new float[3];
        embedder.Embed("the sat", vector);

        double harmonic = 1 + (1.0 / 2) + (1.0 / 3) + (1.0 / 4);
        double Weight(int rank) => a / (a + (1.0 / (rank * harmonic)));

        // the = rank 1 -> (1, 0, 0); sat = rank 3 -> (0, 0, 3); mean of the two weighted vectors.
        Assert.Equal(Weight(1) / 2, vector[0], 6);
        Assert.Equal(0, vector[1], 6);
        Assert.Equal(3 * Weight(3) / 2, vector[2], 6);
        Assert.Equal("sif-a0.01", embedder.Fingerprint.Pooling);
    }

    [SharedFact("models/glove-6B-100d-top100k")]
    public void SIF_removes_the_first_principal_component_of_the_model_table_by_default()
    {
        const double a = 1e-2;
        using var embedder = new StaticEmbedder(Small, new StaticEmbedderOptions { Weighting = WordWeighting.Sif, SifSmoothing = a, Normalize = false });
        float[] vector = new float[3];
        embedder.Embed("the cat sat", vector);

        // Scalar reference: the SIF-weighted mean, then its projection on the table's leading eigenvector taken out.
        double harmonic = 1 + (1.0 / 2) + (1.0 / 3) + (1.0 / 4);
        double Weight(int rank) => a / (a + (1.0 / (rank * harmonic)));
        double[] mean = [Weight(1) / 3, 2 * Weight(2) / 3, 3 * Weight(3) / 3];
        double[] u = ReferenceComponents(TestFiles.Vectors, 3, 1)[0];
        double projection = Dot(mean, u);
        double[] expected = [.. mean.Select((m, i) => m - (projection * u[i]))];

        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(expected[i], vector[i], 5);
        }

        Assert.Equal("sif-a0.01-mpc1", embedder.Fingerprint.Pooling);
    }

    [SharedFact("models/glove-6B-100d-top100k")]
    public void Model_components_can_be_removed_from_mean_pooling_too_and_match_a_scalar_reference()
    {
        var random = new Random(7);
        const int d = 5;
        string[] words = [.. Enumerable.Range(0, 40).Select(i => "w" + i.ToString(System.Globalization.CultureInfo.InvariantCulture))];
        float[] table = [.. Enumerable.Range(0, words.Length * d).Select(i => (float)(random.NextDouble() - 0.3) * (1 + (i % d)))];
        StaticEmbeddingModel model = StaticEmbeddingModel.FromWordVectors(words, table, d);
        using var embedder = new StaticEmbedder(model, new StaticEmbedderOptions { ModelCommonComponents = 2, Normalize = false });
        float[] vector = new float[d];
        embedder.Embed("w3 w17 w29 w3", vector);

        double[] expected = new double[d];
        foreach (int row in new[] { 3, 17, 29, 3 })
        {
            for (int i = 0; i < d; i++)
            {
                expected[i] += table[(row * d) + i] / 4.0;
            }
        }

        foreach (double[] u in ReferenceComponents(table, d, 2))
        {
            double projection = Dot(expected, u);
            for (int i = 0; i < d; i++)
            {
                expected[i] -= projection * u[i];
            }
        }

        for (int i = 0; i < d; i++)
        {
            Assert.Equal(expected[i], vector[i], 5);
        }

        Assert.Equal("mean-mpc2", embedder.Fingerprint.Pooling);
    }

    [SharedFact("models/glove-6B-100d-top100k")]
    public void Given_common_components_replace_the_model_component_unless_it_is_asked_for()
    {
        float[] component = [0f, 3f, 4f];
        var weighted = new StaticEmbedderOptions { Weighting = WordWeighting.Sif, CommonComponents = [component], Normalize = false };
        using var given = new StaticEmbedder(Small, weighted);
        using var weightsOnly = given.With(o => { o.CommonComponents = null; o.ModelCommonComponents = 0; });
        using var both = given.With(o => o.ModelCommonComponents = 1);
        float[] raw = new float[3], onlyGiven = new float[3], modelThenGiven = new float[3];
        weightsOnly.Embed("cat sat mat", raw);
        given.Embed("cat sat mat", onlyGiven);
        both.Embed("cat sat mat", modelThenGiven);

        double[] Remove(double[] v, double[] u)
        {
            double norm = Math.Sqrt(Dot(u, u));
            double projection = Dot(v, u) / norm;
            return [.. v.Select((x, i) => x - (projection * u[i] / norm))];
        }

        double[] rawD = [.. raw.Select(x => (double)x)];
        double[] expectedGiven = Remove(rawD, [0, 3, 4]);
        double[] expectedBoth = Remove(Remove(rawD, ReferenceComponents(TestFiles.Vectors, 3, 1)[0]), [0, 3, 4]);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(expectedGiven[i], onlyGiven[i], 5);
            Assert.Equal(expectedBoth[i], modelThenGiven[i], 5);
        }

        Assert.DoesNotContain("mpc", given.Fingerprint.Pooling, StringComparison.Ordinal);
        Assert.Contains("-mpc1-pc1x", both.Fingerprint.Pooling, StringComparison.Ordinal);
        Assert.Null(given.Options.ModelCommonComponents);
        Assert.Equal(1, both.Options.ModelCommonComponents);
    }

    [SharedFact("models/glove-6B-100d-top100k")]
    public void Common_component_removal_projects_the_component_out()
    {
        float[] component = [0f, 3f, 4f];
        using var embedder = new StaticEmbedder(Small, new StaticEmbedderOptions { CommonComponents = [component], Normalize = false });
        float[] vector = new float[3];
        embedder.Embed("cat sat", vector);

        // mean = (0, 1, 1.5); u = (0, 0.6, 0.8); v·u = 1.8; v - 1.8 u = (0, -0.08, 0.06).
        Assert.Equal([0f, -0.08f, 0.06f], vector, new ToleranceComparer(1e-6f));
        Assert.Equal(0f, VectorMath.Dot(vector, [0f, 0.6f, 0.8f]), 5);
        Assert.Contains("-pc1x", embedder.Fingerprint.Pooling, StringComparison.Ordinal);
    }

    [SharedFact("models/glove-6B-100d-top100k")]
    public void Fitted_common_component_is_the_leading_uncentred_principal_direction()
    {
        var words = new[] { "x", "y", "z" };
        float[] vectors = [3f, 0f, 0f, 0f, 1f, 0f, 0f, -1f, 0f];
        using var embedder = new StaticEmbedder(StaticEmbeddingModel.FromWordVectors(words, vectors, 3));

        // Gram matrix of the pooled vectors = diag(9, 2, 0): the leading eigenvector is the x axis.
        float[][] components = embedder.FitCommonComponents(["x", "y", "z", "unknown"], count: 2);
        Assert.Equal([1f, 0f, 0f], components[0], new ToleranceComparer(1e-5f));
        Assert.Equal([0f, 1f, 0f], components[1], new ToleranceComparer(1e-5f));
    }

    [SharedFact("models/glove-6B-100d-top100k")]
    public void Fingerprint_names_the_model_pooling_normalization_and_dimensions()
    {
        using var embedder = new StaticEmbedder(GloVe.Model);
        Assert.Equal("model=glove-6B-100d-top100k/vectors.bin;revision=;pooling=mean;normalized=true;dimensions=100", embedder.Fingerprint.ToString());
        Assert.Equal(100, embedder.Dimensions);
        Assert.Equal("static", embedder.Descriptor.ProviderName);
    }

    [SharedFact("models/glove-6B-100d-top100k")]
    public async Task GloVe_embeddings_put_related_sentences_closer()
    {
        using var embedder = new StaticEmbedder(GloVe.Model);
        var result = await embedder.GenerateAsync(["A man is playing a guitar.", "Someone plays the guitar.", "Stock markets fell sharply today."]);
        float related = VectorMath.Cosine(result[0].Vector.Span, result[1].Vector.Span);
        float unrelated = VectorMath.Cosine(result[0].Vector.Span, result[2].Vector.Span);
        Assert.True(related > unrelated, $"related {related}, unrelated {unrelated}");
    }

    [SharedFact("models/glove-6B-100d-top100k")]
    public void Bad_options_and_destinations_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new StaticEmbedder(Small, new StaticEmbedderOptions { SifSmoothing = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new StaticEmbedder(Small, new StaticEmbedderOptions { ModelCommonComponents = -1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new StaticEmbedder(Small, new StaticEmbedderOptions { ModelCommonComponents = 4 }));
        Assert.Contains("2 dimensions", Assert.Throws<ArgumentException>(() => new StaticEmbedder(Small, new StaticEmbedderOptions { CommonComponents = [[1f, 0f]] })).Message, StringComparison.Ordinal);
        using var embedder = new StaticEmbedder(Small);
        Assert.Throws<ArgumentException>(() => embedder.Embed("the", new float[2]));
    }

    [SharedFact("models/glove-6B-100d-top100k")]
    public async Task Cancellation_is_honoured()
    {
        using var embedder = new StaticEmbedder(Small);
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => embedder.GenerateAsync(["the cat"], cancellationToken: cts.Token));
    }

    [SharedFact("models/glove-6B-100d-top100k")]
    public void With_shares_the_model_and_changes_the_options()
    {
        using var plain = new StaticEmbedder(Small);
        using var sif = plain.With(o => o.Weighting = WordWeighting.Sif);
        Assert.Same(plain.Model, sif.Model);
        Assert.Equal(WordWeighting.Sif, sif.Options.Weighting);
        Assert.Equal(WordWeighting.None, plain.Options.Weighting);
    }

    private static double Dot(double[] x, double[] y) => x.Select((v, i) => v * y[i]).Sum();

    /// <summary>
    /// Scalar reference: the Gram matrix sum of v vᵀ over the rows, then its leading eigenvectors by plain power
    /// iteration with deflation (many iterations, no early stop), each with its largest-magnitude entry positive.
    /// </summary>
    private static double[][] ReferenceComponents(float[] table, int d, int count)
    {
        var gram = new double[d, d];
        for (int row = 0; row < table.Length / d; row++)
        {
            for (int i = 0; i < d; i++)
            {
                for (int j = 0; j < d; j++)
                {
                    gram[i, j] += (double)table[(row * d) + i] * table[(row * d) + j];
                }
            }
        }

        var result = new double[count][];
        for (int c = 0; c < count; c++)
        {
            double[] v = [.. Enumerable.Range(0, d).Select(i => 1.0 / (i + 2))];
            double lambda = 0;
            for (int iteration = 0; iteration < 20000; iteration++)
            {
                double[] next = new double[d];
                for (int i = 0; i < d; i++)
                {
                    for (int j = 0; j < d; j++)
                    {
                        next[i] += gram[i, j] * v[j];
                    }
                }

                lambda = Math.Sqrt(Dot(next, next));
                v = [.. next.Select(x => x / lambda)];
            }

            double sign = Math.Sign(v.MaxBy(Math.Abs));
            result[c] = [.. v.Select(x => x * sign)];
            for (int i = 0; i < d; i++)
            {
                for (int j = 0; j < d; j++)
                {
                    gram[i, j] -= lambda * v[i] * v[j];
                }
            }
        }

        return result;
    }

    private sealed class ToleranceComparer(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => MathF.Abs(x - y) <= tolerance;

        public int GetHashCode(float obj) => 0;
    }
}
