using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Embeddings.Benchmarks.Http;

/// <summary>
/// A minimal HTTP/1.1 keep-alive server on 127.0.0.1 that answers every POST with the same OpenAI-format body (one
/// vector at index 0, as floats or, when the request asks, base64). Hand-written on sockets so the benchmark project needs no ASP.NET Core reference and the server
/// costs the same for the bare client and the pipeline.
/// </summary>
internal sealed class LoopbackEmbeddingServer : IAsyncDisposable
{
    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly CancellationTokenSource _stop = new();
    private readonly byte[] _response;
    private readonly byte[] _base64Response;
    private readonly Task _acceptLoop;

    public LoopbackEmbeddingServer(int dimensions)
    {
        var random = new Random(42);
        float[] vector = Enumerable.Range(0, dimensions).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        string floats = "[" + string.Join(",", vector.Select(v => v.ToString("R", CultureInfo.InvariantCulture))) + "]";
        string base64 = "\"" + Convert.ToBase64String(System.Runtime.InteropServices.MemoryMarshal.AsBytes(vector.AsSpan())) + "\"";
        _response = Response(floats);
        _base64Response = Response(base64);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(512);
        Address = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndPoint!).Port}/v1");
        _acceptLoop = AcceptAsync();
    }

    public Uri Address { get; }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        await _acceptLoop.ContinueWith(_ => { }, TaskScheduler.Default);
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }

            client.NoDelay = true;
            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(Socket client)
    {
        using (client)
        {
            var buffer = new byte[64 * 1024];
            int filled = 0;
            try
            {
                while (!_stop.IsCancellationRequested)
                {
                    int headerEnd;
                    while ((headerEnd = buffer.AsSpan(0, filled).IndexOf("\r\n\r\n"u8)) < 0)
                    {
                        int read = await client.ReceiveAsync(buffer.AsMemory(filled), _stop.Token);
                        if (read == 0)
                        {
                            return;
                        }

                        filled += read;
                    }

                    int contentLength = ContentLength(buffer.AsSpan(0, headerEnd));
                    int total = headerEnd + 4 + contentLength;
                    while (filled < total)
                    {
                        int read = await client.ReceiveAsync(buffer.AsMemory(filled), _stop.Token);
                        if (read == 0)
                        {
                            return;
                        }

                        filled += read;
                    }

                    bool base64 = buffer.AsSpan(headerEnd, total - headerEnd).IndexOf("\"encoding_format\":\"base64\""u8) >= 0;
                    await client.SendAsync(base64 ? _base64Response : _response, _stop.Token);
                    buffer.AsSpan(total, filled - total).CopyTo(buffer);
                    filled -= total;
                }
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
            }
            catch (SocketException)
            {
            }
        }
    }

    private static byte[] Response(string embedding)
    {
        byte[] payload = Encoding.UTF8.GetBytes(
            "{\"object\":\"list\",\"data\":[{\"object\":\"embedding\",\"index\":0,\"embedding\":" + embedding + "}],\"model\":\"bench\",\"usage\":{\"prompt_tokens\":4,\"total_tokens\":4}}");
        byte[] head = Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {payload.Length}\r\n\r\n");
        return [.. head, .. payload];
    }

    private static int ContentLength(ReadOnlySpan<byte> headers)
    {
        string text = Encoding.ASCII.GetString(headers);
        foreach (string line in text.Split("\r\n"))
        {
            if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
            {
                return int.Parse(line.AsSpan(15).Trim(), CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }
}
