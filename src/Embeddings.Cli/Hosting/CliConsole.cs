namespace Embeddings.Cli.Hosting;

/// <summary>
/// The streams one run reads and writes. Tests pass their own writers so that every verb runs in-process; the real
/// console passes the process's streams and says whether each one is a terminal (progress bars and Spectre tables only there).
/// </summary>
internal sealed class CliConsole
{
    private readonly Func<Stream> _openStandardInput;

    public CliConsole(TextReader input, TextWriter output, TextWriter error, bool outputIsTerminal = false, bool errorIsTerminal = false, Func<Stream>? openStandardInput = null)
    {
        In = input;
        Out = output;
        Error = error;
        OutputIsTerminal = outputIsTerminal;
        ErrorIsTerminal = errorIsTerminal;
        _openStandardInput = openStandardInput ?? (() => throw new InvalidOperationException("This console has no binary standard input."));
    }

    public TextReader In { get; }

    public TextWriter Out { get; }

    public TextWriter Error { get; }

    public bool OutputIsTerminal { get; }

    public bool ErrorIsTerminal { get; }

    public static CliConsole FromSystemConsole()
    {
        var output = new StreamWriter(Console.OpenStandardOutput(), new System.Text.UTF8Encoding(false)) { AutoFlush = true };
        var error = new StreamWriter(Console.OpenStandardError(), new System.Text.UTF8Encoding(false)) { AutoFlush = true };
        return new CliConsole(Console.In, output, error, !Console.IsOutputRedirected, !Console.IsErrorRedirected, Console.OpenStandardInput);
    }

    public Stream OpenStandardInput() => _openStandardInput();
}
