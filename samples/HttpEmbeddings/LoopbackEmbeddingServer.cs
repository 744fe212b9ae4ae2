using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Embeddings;
using Embeddings.Static;

namespace HttpEmbeddings;

/// <summary>
/// A stand-in for a TEI or OpenAI-compatible server on 127.0.0.1, so the sample runs with no server installed: it
/// answers <c>POST /v1/embeddings</c> (OpenAI's format, float or base64) and TEI's native <c>POST /embed</c> with
/// vectors from the static default model. Only for the sample: no authentication, one request at a time.
/// </summary>
internal sealed class LoopbackEmbeddingServer : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly StaticEmbedder _model;
    private readonly Task _serving;
    private int _requests;

    private LoopbackEmbeddingServer(StaticEmbedder model, int port)
    {
        _model = model;
        Root = new Uri($"http://127.0.0.1:{port}/");
        _listener.Prefixes.Add(Root.ToString());
        _listener.Start();
        _serving = Task.Run(ServeAsync);
    }

    /// <summary>Gets the server's root address (TEI native); the OpenAI-compatible base is <c>Root + "v1"</c>.</summary>
    public Uri Root { get; }

    /// <summary>Gets the model name the server reports.</summary>
    public string ModelId => _model.Fingerprint.ModelId;

    /// <summary>Gets the vector length the server returns.</summary>
    public int Dimensions => _model.Dimensions;

    /// <summary>Gets how many embedding requests the server answered.</summary>
    public int Requests => Volatile.Read(ref _requests);

    /// <summary>Starts a server on a free loopback port.</summary>
    /// <returns>The running server.</returns>
    public static LoopbackEmbeddingServer Start()
    {
        // Ask the OS for a free port, then listen on it.
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return new LoopbackEmbeddingServer(StaticEmbedder.Load((string?)null), port);
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        try
        {
            await _serving.ConfigureAwait(false);
        }
        catch (HttpListenerException)
        {
        }
        catch (ObjectDisposedException)
        {
        }

        _model.Dispose();
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            using HttpListenerResponse response = context.Response;
            try
            {
                await AnswerAsync(context.Request, response).ConfigureAwait(false);
            }
            catch (JsonException e)
            {
                await WriteAsync(response, 400, w => w.WriteString("error", $"bad request body: {e.Message}")).ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpListenerException or IOException)
            {
                // The client went away mid-answer; keep serving the next request rather than ending the loop.
            }
        }
    }

    private async Task AnswerAsync(HttpListenerRequest request, HttpListenerResponse response)
    {
        string path = request.Url?.AbsolutePath.TrimEnd('/') ?? string.Empty;
        bool openAI = path == "/v1/embeddings";
        if (request.HttpMethod != "POST" || !(openAI || path == "/embed"))
        {
            await WriteAsync(response, 404, w => w.WriteString("error", $"no route {request.HttpMethod} {path}; this stub serves POST /v1/embeddings and POST /embed")).ConfigureAwait(false);
            return;
        }

        using JsonDocument body = await JsonDocument.ParseAsync(request.InputStream).ConfigureAwait(false);
        JsonElement input = body.RootElement.GetProperty(openAI ? "input" : "inputs");
        string[] texts = input.ValueKind == JsonValueKind.Array ? input.EnumerateArray().Select(e => e.GetString() ?? string.Empty).ToArray() : [input.GetString() ?? string.Empty];
        bool base64 = openAI && body.RootElement.TryGetProperty("encoding_format", out JsonElement format) && format.GetString() == "base64";
        Interlocked.Increment(ref _requests);

        float[][] vectors = texts.Select(text =>
        {
            float[] vector = new float[_model.Dimensions];
            _model.Embed(text, vector);
            VectorMath.Normalize(vector);
            return vector;
        }).ToArray();

        if (!openAI)
        {
            // TEI's /embed answers a bare array of arrays.
            await WriteAsync(response, 200, null, w =>
            {
                w.WriteStartArray();
                foreach (float[] vector in vectors)
                {
                    WriteVector(w, vector);
                }

                w.WriteEndArray();
            }).ConfigureAwait(false);
            return;
        }

        await WriteAsync(response, 200, w =>
        {
            w.WriteString("object", "list");
            w.WriteStartArray("data");
            for (int i = 0; i < vectors.Length; i++)
            {
                w.WriteStartObject();
                w.WriteString("object", "embedding");
                w.WriteNumber("index", i);
                w.WritePropertyName("embedding");
                if (base64)
                {
                    byte[] bytes = new byte[vectors[i].Length * sizeof(float)];
                    Buffer.BlockCopy(vectors[i], 0, bytes, 0, bytes.Length);
                    w.WriteStringValue(Convert.ToBase64String(bytes));
                }
                else
                {
                    WriteVector(w, vectors[i]);
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteString("model", ModelId);
            int tokens = texts.Sum(t => t.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length);
            w.WriteStartObject("usage");
            w.WriteNumber("prompt_tokens", tokens);
            w.WriteNumber("total_tokens", tokens);
            w.WriteEndObject();
        }).ConfigureAwait(false);
    }

    private static void WriteVector(Utf8JsonWriter writer, float[] vector)
    {
        writer.WriteStartArray();
        foreach (float value in vector)
        {
            writer.WriteNumberValue(value);
        }

        writer.WriteEndArray();
    }

    private static Task WriteAsync(HttpListenerResponse response, int status, Action<Utf8JsonWriter>? properties, Action<Utf8JsonWriter>? whole = null)
    {
        response.StatusCode = status;
        response.ContentType = "application/json";

        // HttpListener can drop a kept-alive connection between requests, which the client then sees as a send failure;
        // a fresh connection per request keeps the stub dependable.
        response.KeepAlive = false;
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            if (whole is not null)
            {
                whole(writer);
            }
            else
            {
                writer.WriteStartObject();
                properties?.Invoke(writer);
                writer.WriteEndObject();
            }
        }

        response.ContentLength64 = buffer.Length;
        return response.OutputStream.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length)).AsTask();
    }
}
