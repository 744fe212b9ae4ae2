using System.Diagnostics;
using System.Globalization;
using System.Text;
using Embeddings.Testing;

namespace Embeddings.PgVector.Tests.Server;

/// <summary>
/// A PGlite server (PostgreSQL compiled to WebAssembly, with pgvector) behind the PostgreSQL wire protocol on a
/// free 127.0.0.1 port, run by node from pglite-server/ (installed by .ci/setup.d/pgvector.sh). It exits when
/// this process closes its stdin, so it never outlives the test run.
/// </summary>
internal sealed class PgliteServer : IAsyncDisposable
{
    private readonly Process _process;

    private PgliteServer(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    /// <summary>Gets the port the server listens on.</summary>
    public int Port { get; }

    /// <summary>Gets a connection string for the server (PGlite takes any user and password).</summary>
    public string ConnectionString => $"Host=127.0.0.1;Port={Port.ToString(CultureInfo.InvariantCulture)};Username=postgres;Password=postgres;Database=postgres";

    /// <summary>Gets the folder holding server.mjs and its node_modules.</summary>
    public static string Directory => Path.Combine(SharedData.RepositoryRoot, "tests", "Embeddings.PgVector.Tests", "pglite-server");

    /// <summary>Starts a server with an in-memory database and waits until it listens.</summary>
    /// <param name="maxConnections">How many client connections the server accepts at once.</param>
    /// <returns>The running server.</returns>
    public static async Task<PgliteServer> StartAsync(int maxConnections = 16)
    {
        string directory = Directory;
        if (!System.IO.Directory.Exists(Path.Combine(directory, "node_modules", "@electric-sql", "pglite-socket")))
        {
            throw new InvalidOperationException(
                $"The PGlite test server is not installed in {directory}: run 'bash .ci/setup.d/pgvector.sh' once (needs node and npm), or set EMBEDDINGS_PG_CONNECTION to a PostgreSQL server with pgvector.");
        }

        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = directory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("server.mjs");
        start.ArgumentList.Add("--port");
        start.ArgumentList.Add("0");
        start.ArgumentList.Add("--max-connections");
        start.ArgumentList.Add(maxConnections.ToString(CultureInfo.InvariantCulture));

        Process process = Process.Start(start) ?? throw new InvalidOperationException("node did not start.");
        var listening = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var stderr = new StringBuilder();
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (stderr)
                {
                    stderr.AppendLine(e.Data);
                }
            }
        };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { } line && line.StartsWith("LISTENING ", StringComparison.Ordinal))
            {
                listening.TrySetResult(int.Parse(line.AsSpan(10), CultureInfo.InvariantCulture));
            }
        };
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => listening.TrySetException(new InvalidOperationException($"The PGlite server exited with code {process.ExitCode} before listening: {stderr}"));
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();

        Task finished = await Task.WhenAny(listening.Task, Task.Delay(TimeSpan.FromSeconds(90))).ConfigureAwait(false);
        if (finished != listening.Task)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"The PGlite server did not listen within 90 s: {stderr}");
        }

        return new PgliteServer(process, await listening.Task.ConfigureAwait(false));
    }

    /// <summary>Kills the server at once, as a crash would.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }
    }

    /// <summary>Stops the server (closing stdin lets it shut down cleanly; it is killed if it lingers).</summary>
    /// <returns>A task that completes when the server is gone.</returns>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            try
            {
                _process.StandardInput.Close();
            }
            catch (IOException)
            {
                // Already gone.
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await _process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                Kill();
            }
        }

        _process.Dispose();
    }
}
