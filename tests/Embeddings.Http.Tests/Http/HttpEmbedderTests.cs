using System.Net;
using Embeddings.Testing.Http;
using Microsoft.Extensions.AI;

namespace Embeddings.Http.Tests.Http;

public sealed class HttpEmbedderTests : IAsyncLifetime
{
    private readonly HttpClient _http = new();
    private FakeEmbeddingServer _server = null!;

    public async Task InitializeAsync() => _server = await FakeEmbeddingServer.StartAsync(dimensions: 8);

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
    }

    private HttpEmbedder OpenAI(Action<HttpEmbedderOptions>? configure = null)
    {
        var options = new HttpEmbedderOptions { Endpoint = _server.OpenAIEndpoint, Model = "fake", Dimensions = 8, RequireApiKey = false };
        configure?.Invoke(options);
        return new HttpEmbedder(_http, options);
    }

    private static void AssertVectors(IReadOnlyList<string> texts, GeneratedEmbeddings<Embedding<float>> result, int dimensions = 8)
    {
        Assert.Equal(texts.Count, result.Count);
        for (int i = 0; i < texts.Count; i++)
        {
            Assert.Equal(FakeEmbeddingServer.VectorFor(texts[i], dimensions), result[i].Vector.ToArray());
        }
    }

    [Fact]
    public async Task OpenAI_float_vectors_come_back_in_input_order_although_the_server_reverses_them()
    {
        string[] texts = ["alpha", "beta", "gamma", "delta"];
        using HttpEmbedder embedder = OpenAI();

        GeneratedEmbeddings<Embedding<float>> result = await embedder.GenerateAsync(texts);

        AssertVectors(texts, result);
        ReceivedRequest request = Assert.Single(_server.Requests);
        Assert.Equal("/v1/embeddings", request.Path);
        Assert.Null(request.EncodingFormat);
        Assert.Equal(texts.Sum(t => t.Length), result.Usage?.TotalTokenCount);
    }

    [Fact]
    public async Task Base64_encoding_is_requested_and_decoded_bit_exactly()
    {
        string[] texts = ["one", "two", "three"];
        using HttpEmbedder embedder = OpenAI(o => o.Encoding = HttpEmbeddingEncoding.Base64);

        AssertVectors(texts, await embedder.GenerateAsync(texts));
        Assert.Equal("base64", Assert.Single(_server.Requests).EncodingFormat);
    }

    [Fact]
    public async Task Tei_native_embed_route_is_read()
    {
        string[] texts = ["first", "second"];
        using var embedder = new HttpEmbedder(_http, new HttpEmbedderOptions { Api = HttpEmbeddingApi.TeiNative, Endpoint = _server.BaseAddress, Dimensions = 8 });

        AssertVectors(texts, await embedder.GenerateAsync(texts));
        Assert.Equal("/embed", Assert.Single(_server.Requests).Path);
        Assert.Equal("tei", embedder.Descriptor.ProviderName);
    }

    [Fact]
    public async Task Azure_sends_the_key_in_api_key_and_the_deployment_in_the_path()
    {
        using var embedder = new HttpEmbedder(_http, new HttpEmbedderOptions
        {
            Api = HttpEmbeddingApi.AzureOpenAI, Endpoint = _server.BaseAddress, Model = "my-deployment", Dimensions = 8, ApiKey = "azure-key",
        });

        AssertVectors(["x"], await embedder.GenerateAsync(["x"]));
        ReceivedRequest request = Assert.Single(_server.Requests);
        Assert.Equal("/openai/deployments/my-deployment/embeddings", request.Path);
        Assert.Equal("azure-key", request.ApiKeyHeader);
        Assert.Null(request.Authorization);
        Assert.Contains("api-version=", embedder.RequestUri.Query, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Calls_are_split_by_inputs_per_request_and_order_is_kept_across_requests()
    {
        string[] texts = Enumerable.Range(0, 10).Select(i => $"text {i}").ToArray();
        using HttpEmbedder embedder = OpenAI(o => o.MaxInputsPerRequest = 3);

        AssertVectors(texts, await embedder.GenerateAsync(texts));
        Assert.Equal([3, 3, 3, 1], _server.Requests.Select(r => r.Inputs.Count));
        Assert.Equal(texts, _server.Requests.SelectMany(r => r.Inputs));
    }

    [Fact]
    public async Task Calls_are_split_by_the_conservative_token_estimate()
    {
        // "text n" is 6 UTF-8 bytes, estimated at 8 tokens: a 20-token budget fits two per request.
        string[] texts = Enumerable.Range(0, 5).Select(i => $"text {i}").ToArray();
        using HttpEmbedder embedder = OpenAI(o => o.MaxTokensPerRequest = 20);

        AssertVectors(texts, await embedder.GenerateAsync(texts));
        Assert.Equal([2, 2, 1], _server.Requests.Select(r => r.Inputs.Count));
    }

    [Fact]
    public void Token_estimate_never_undercounts_utf8_bytes()
    {
        Assert.Equal(2, RequestPlanner.EstimateTokens(string.Empty));
        Assert.Equal(5 + 2, RequestPlanner.EstimateTokens("hello"));
        Assert.Equal(6 + 2, RequestPlanner.EstimateTokens("日本"));
        Assert.Equal("日", RequestPlanner.TruncateUtf8("日本", 5));
        Assert.Equal("ab", RequestPlanner.TruncateUtf8("ab😀", 5));
    }

    [Fact]
    public async Task Requested_dimensions_are_sent_to_openai_and_truncated_locally_for_tei()
    {
        using HttpEmbedder openai = OpenAI(o => o.MatryoshkaDimensions = [4]);
        GeneratedEmbeddings<Embedding<float>> shortened = await openai.GenerateAsync(["m"], new EmbeddingGenerationOptions { Dimensions = 4 });
        Assert.Equal(4, Assert.Single(_server.Requests).Dimensions);
        Assert.Equal(FakeEmbeddingServer.VectorFor("m", 4), shortened[0].Vector.ToArray());

        using var tei = new HttpEmbedder(_http, new HttpEmbedderOptions { Api = HttpEmbeddingApi.TeiNative, Endpoint = _server.BaseAddress, Dimensions = 8, MatryoshkaDimensions = [4] });
        GeneratedEmbeddings<Embedding<float>> truncated = await tei.GenerateAsync(["m"], new EmbeddingGenerationOptions { Dimensions = 4 });
        float[] full = FakeEmbeddingServer.VectorFor("m", 8);
        var expected = new float[4];
        VectorMath.Normalize(full.AsSpan(0, 4), expected);
        Assert.Equal(expected, truncated[0].Vector.ToArray());
    }

    [Fact]
    public async Task Query_prefix_is_applied_before_sending()
    {
        using HttpEmbedder embedder = OpenAI(o => o.Prompts = new EmbeddingPrompts("query: ", "passage: "));

        await embedder.EmbedQueryAsync("what");

        Assert.Equal(["query: what"], Assert.Single(_server.Requests).Inputs);
    }

    [Fact]
    public async Task Over_long_inputs_are_truncated_when_asked_and_counted()
    {
        using var metrics = new MetricRecorder("Embeddings.Http");
        using HttpEmbedder embedder = OpenAI(o => { o.TruncateInputs = true; o.MaxInputTokens = 5; });

        await embedder.GenerateAsync(["short", "much too long"]);

        Assert.Equal(["short", "much "], Assert.Single(_server.Requests).Inputs);
        Assert.True(metrics.Total("embeddings.inputs.truncated") >= 1);
    }

    [Fact]
    public async Task Api_key_comes_from_options_then_the_environment_else_startup_fails()
    {
        string? saved = Environment.GetEnvironmentVariable(HttpEmbedderOptions.ApiKeyEnvironmentVariable);
        try
        {
            using (HttpEmbedder fromOptions = OpenAI(o => { o.ApiKey = "sk-options"; o.RequireApiKey = true; }))
            {
                await fromOptions.GenerateAsync(["k"]);
            }

            Environment.SetEnvironmentVariable(HttpEmbedderOptions.ApiKeyEnvironmentVariable, "sk-environment");
            using (HttpEmbedder fromEnvironment = OpenAI(o => o.RequireApiKey = true))
            {
                await fromEnvironment.GenerateAsync(["k"]);
            }

            Assert.Equal(["Bearer sk-options", "Bearer sk-environment"], _server.Requests.Select(r => r.Authorization));

            Environment.SetEnvironmentVariable(HttpEmbedderOptions.ApiKeyEnvironmentVariable, null);
            var missing = Assert.Throws<InvalidOperationException>(() => new HttpEmbedder(_http, new HttpEmbedderOptions { Model = "text-embedding-3-small", Dimensions = 1536 }));
            Assert.Contains("OPENAI_API_KEY", missing.Message, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable(HttpEmbedderOptions.ApiKeyEnvironmentVariable, saved);
        }
    }

    [Fact]
    public void Missing_settings_are_named()
    {
        Assert.Contains("Dimensions", Assert.Throws<ArgumentException>(() => OpenAI(o => o.Dimensions = 0)).Message, StringComparison.Ordinal);
        Assert.Contains("Model", Assert.Throws<ArgumentException>(() => OpenAI(o => o.Model = null)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Malformed_json_is_a_clear_invalid_response()
    {
        _server.Script(new Fault.MalformedJson());
        using HttpEmbedder embedder = OpenAI();

        var ex = await Assert.ThrowsAsync<EmbeddingHttpException>(() => embedder.GenerateAsync(["a"]));

        Assert.Equal(HttpRequestError.InvalidResponse, ex.HttpRequestError);
        Assert.Contains("malformed JSON", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_vector_of_the_wrong_length_names_both_sizes()
    {
        _server.Script(new Fault.WrongLength(5), new Fault.WrongLength(5));
        using HttpEmbedder embedder = OpenAI(o => o.Encoding = HttpEmbeddingEncoding.Base64);
        using var tei = new HttpEmbedder(_http, new HttpEmbedderOptions { Api = HttpEmbeddingApi.TeiNative, Endpoint = _server.BaseAddress, Dimensions = 8 });

        var ex = await Assert.ThrowsAsync<EmbeddingHttpException>(() => embedder.GenerateAsync(["a"]));
        var teiEx = await Assert.ThrowsAsync<EmbeddingHttpException>(() => tei.GenerateAsync(["a"]));

        Assert.Contains("has 5 dimensions; expected 8", ex.Message, StringComparison.Ordinal);
        Assert.Contains("has 5 dimensions; expected 8", teiEx.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Error_status_carries_code_body_and_retry_after()
    {
        _server.Script(new Fault.Status(429, RetryAfter: "3"));
        using HttpEmbedder embedder = OpenAI();

        var ex = await Assert.ThrowsAsync<EmbeddingHttpException>(() => embedder.GenerateAsync(["a"]));

        Assert.Equal(HttpStatusCode.TooManyRequests, ex.StatusCode);
        Assert.Equal("3", ex.RetryAfter);
        Assert.Equal("3", ex.Data[EmbeddingHttpException.RetryAfterDataKey]);
        Assert.Contains("scripted", ex.ResponseBody, StringComparison.Ordinal);
    }

    [Fact]
    public void Response_reader_rejects_missing_duplicate_and_out_of_range_indexes()
    {
        var endpoint = new Uri("http://127.0.0.1/v1/embeddings");
        string Item(int index) => $"{{\"index\":{index},\"embedding\":[1,0]}}";
        Assert.Contains("index 1 of 2", Assert.Throws<EmbeddingHttpException>(
            () => EmbeddingResponseReader.ReadOpenAI(System.Text.Encoding.UTF8.GetBytes($"{{\"data\":[{Item(0)}]}}"), new float[2][], 2, endpoint)).Message, StringComparison.Ordinal);
        Assert.Contains("twice", Assert.Throws<EmbeddingHttpException>(
            () => EmbeddingResponseReader.ReadOpenAI(System.Text.Encoding.UTF8.GetBytes($"{{\"data\":[{Item(0)},{Item(0)}]}}"), new float[2][], 2, endpoint)).Message, StringComparison.Ordinal);
        Assert.Contains("outside", Assert.Throws<EmbeddingHttpException>(
            () => EmbeddingResponseReader.ReadOpenAI(System.Text.Encoding.UTF8.GetBytes($"{{\"data\":[{Item(2)}]}}"), new float[1][], 2, endpoint)).Message, StringComparison.Ordinal);
        Assert.Contains("no \"data\"", Assert.Throws<EmbeddingHttpException>(
            () => EmbeddingResponseReader.ReadOpenAI("{\"error\":{\"message\":\"x\"}}"u8, new float[1][], 2, endpoint)).Message, StringComparison.Ordinal);
    }
    [Fact]
    public void Response_reader_decodes_base64_plain_or_escaped_and_rejects_bad_values()
    {
        var endpoint = new Uri("http://127.0.0.1/v1/embeddings");
        float[] expected = [0.25f, -1.5f, float.Epsilon, 3e7f, BitConverter.Int32BitsToSingle(unchecked((int)0xFBFFFFFF)), -0f];
        string base64 = Convert.ToBase64String(System.Runtime.InteropServices.MemoryMarshal.AsBytes(expected.AsSpan()));
        Assert.Contains("/", base64, StringComparison.Ordinal); // so the escaped form below differs from the plain one
        float[] Read(string value, int dimensions)
        {
            var destination = new float[1][];
            EmbeddingResponseReader.ReadOpenAI(System.Text.Encoding.UTF8.GetBytes($"{{\"data\":[{{\"index\":0,\"embedding\":\"{value}\"}}]}}"), destination, dimensions, endpoint);
            return destination[0];
        }

        Assert.Equal(expected, Read(base64, 6));
        Assert.Equal(expected, Read(base64.Replace("/", "\\/", StringComparison.Ordinal).Replace("+", "\\u002B", StringComparison.Ordinal), 6));
        Assert.Contains("not base64", Assert.Throws<EmbeddingHttpException>(() => Read(new string('!', base64.Length), 6)).Message, StringComparison.Ordinal);
        Assert.Contains("has 6 dimensions; expected 5", Assert.Throws<EmbeddingHttpException>(() => Read(base64, 5)).Message, StringComparison.Ordinal);
        Assert.Contains("not a whole number", Assert.Throws<EmbeddingHttpException>(() => Read(base64[..^4] + "AAA=", 6)).Message, StringComparison.Ordinal);
    }
}
