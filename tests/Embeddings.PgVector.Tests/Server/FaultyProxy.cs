using System.Net;
using System.Net.Sockets;

namespace Embeddings.PgVector.Tests.Server;

/// <summary>
/// A TCP proxy on 127.0.0.1 between the client and the server that can make the server look dead: it cuts every
/// open connection (optionally once a number of client bytes has passed, that is in the middle of a statement) and
/// then resets new ones until <see cref="Restore"/>. It works the same in front of any PostgreSQL server.
/// </summary>
internal sealed class FaultyProxy : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly IPEndPoint _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TcpClient> _open = [];
    private readonly Task _acceptLoop;
    private long _bytesUntilCut = long.MaxValue;
    private volatile bool _down;
    private volatile bool _staysDown = true;

    public FaultyProxy(string host, int port)
    {
        _target = new IPEndPoint(IPAddress.Parse(host == "localhost" ? "127.0.0.1" : host), port);
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _acceptLoop = AcceptAsync();
    }

    /// <summary>Gets the port clients connect to.</summary>
    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Gets how many times connections were cut.</summary>
    public int Cuts { get; private set; }

    /// <summary>Cuts every connection now, and resets new ones until <see cref="Restore"/>.</summary>
    public void Cut()
    {
        _down = true;
        TcpClient[] open;
        lock (_open)
        {
            open = [.. _open];
            _open.Clear();
        }

        foreach (TcpClient client in open)
        {
            Reset(client);
        }

        Cuts++;
    }

    /// <summary>Cuts every connection once <paramref name="bytes"/> more bytes have gone from client to server.</summary>
    /// <param name="bytes">The byte budget.</param>
    /// <param name="staysDown">Whether new connections are reset afterwards (a dead server) or let through (a blip).</param>
    public void CutAfterClientBytes(long bytes, bool staysDown = true)
    {
        _staysDown = staysDown;
        Interlocked.Exchange(ref _bytesUntilCut, bytes);
    }

    /// <summary>Lets connections through again.</summary>
    public void Restore()
    {
        Interlocked.Exchange(ref _bytesUntilCut, long.MaxValue);
        _down = false;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        Cut();
        try
        {
            await _acceptLoop;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopping.
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client = await _listener.AcceptTcpClientAsync(_stop.Token);
            if (_down)
            {
                Reset(client);
                continue;
            }

            var upstream = new TcpClient();
            try
            {
                await upstream.ConnectAsync(_target, _stop.Token);
            }
            catch (SocketException)
            {
                client.Dispose();
                upstream.Dispose();
                continue;
            }

            lock (_open)
            {
                _open.Add(client);
                _open.Add(upstream);
            }

            _ = PumpAsync(client, upstream, countsTowardCut: true);
            _ = PumpAsync(upstream, client, countsTowardCut: false);
        }
    }

    private async Task PumpAsync(TcpClient from, TcpClient to, bool countsTowardCut)
    {
        byte[] buffer = new byte[16384];
        try
        {
            NetworkStream input = from.GetStream();
            NetworkStream output = to.GetStream();
            while (true)
            {
                int n = await input.ReadAsync(buffer, _stop.Token);
                if (n == 0)
                {
                    break;
                }

                if (countsTowardCut && Interlocked.Add(ref _bytesUntilCut, -n) <= 0)
                {
                    // Forward only part of what arrived, then die: the server sees a statement cut off mid-way.
                    await output.WriteAsync(buffer.AsMemory(0, n / 2), _stop.Token);
                    Interlocked.Exchange(ref _bytesUntilCut, long.MaxValue);
                    Cut();
                    _down = _staysDown;
                    return;
                }

                await output.WriteAsync(buffer.AsMemory(0, n), _stop.Token);
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
        {
            // The other side went away, or the proxy cut it.
        }

        lock (_open)
        {
            _open.Remove(from);
            _open.Remove(to);
        }

        from.Dispose();
        to.Dispose();
    }

    private static void Reset(TcpClient client)
    {
        try
        {
            client.Client?.LingerState = new LingerOption(true, 0); // RST, as when a server process dies
        }
        catch (Exception ex) when (ex is ObjectDisposedException or SocketException)
        {
            // Already closed.
        }

        client.Dispose();
    }
}
