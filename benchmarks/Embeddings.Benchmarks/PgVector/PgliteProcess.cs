using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Embeddings.Benchmarks.PgVector;

/// <summary>Runs the PGlite test server (tests/Embeddings.PgVector.Tests/pglite-server, installed by .ci/setup.d/pgvector.sh) on a free 127.0.0.1 port.</summary>
internal sealed class PgliteProcess : IDisposable
{
    private readonly Process _process;

    private PgliteProcess(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public int ProcessId => _process.Id;

    public string ConnectionString => $"Host=127.0.0.1;Port={Port.ToString(CultureInfo.InvariantCulture)};Username=postgres;Password=postgres;Database=postgres;Maximum Pool Size=1;No Reset On Close=true;Timeout=60;Command Timeout=0";

    public static PgliteProcess Start(string repositoryRoot)
    {
        string directory = Path.Combine(repositoryRoot, "tests", "Embeddings.PgVector.Tests", "pglite-server");
        if (!Directory.Exists(Path.Combine(directory, "node_modules", "@electric-sql", "pglite-socket")))
        {
            throw new InvalidOperationException($"The PGlite server is not installed in {directory}: run 'bash .ci/setup.d/pgvector.sh' once.");
        }

        var start = new ProcessStartInfo("node", ["server.mjs", "--port", "0", "--max-connections", "8"])
        {
            WorkingDirectory = directory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        Process process = Process.Start(start) ?? throw new InvalidOperationException("node did not start.");
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
        process.BeginErrorReadLine();
        var read = process.StandardOutput.ReadLineAsync();
        if (!read.Wait(TimeSpan.FromSeconds(120)) || read.Result is not { } line || !line.StartsWith("LISTENING ", StringComparison.Ordinal))
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"The PGlite server did not start: {stderr}");
        }

        return new PgliteProcess(process, int.Parse(line.AsSpan(10), CultureInfo.InvariantCulture));
    }

    /// <summary>Kills the server process outright (SIGKILL), as a crash would.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.StandardInput.Close();
            if (!_process.WaitForExit(5_000))
            {
                Kill();
            }
        }

        _process.Dispose();
    }
}
