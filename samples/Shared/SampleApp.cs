using System.CommandLine;
using System.Diagnostics.CodeAnalysis;

namespace Embeddings.Samples;

/// <summary>
/// Parses a sample's command line with System.CommandLine, the way the <c>embeddings</c> tool does: <c>--help</c>
/// prints the usage, a bad value prints one line on stderr and exits with <see cref="UsageError"/>, and a failure
/// later in the sample prints one line and exits with <see cref="Failure"/>, never a stack trace (<c>--verbose</c> shows it).
/// </summary>
internal static class SampleApp
{
    /// <summary>The exit code of a failure while the sample ran.</summary>
    public const int Failure = 1;

    /// <summary>The exit code of a bad command line.</summary>
    public const int UsageError = 2;

    /// <summary>The exit code of a sample that cannot run here: a fixture, a server or a file it needs is missing (the line says which).</summary>
    public const int MissingPrerequisite = 3;

    private static readonly Option<bool> Verbose = new("--verbose")
    {
        Description = "Show full exception details (stack traces) on failure.",
        Recursive = true,
    };

    private static string _name = "sample";
    private static bool _verbose;

    /// <summary>
    /// Parses <paramref name="args"/>. Returns <see langword="true"/> with the parse result when the sample should run;
    /// otherwise <see langword="false"/> with the exit code, after printing the help or the one-line error.
    /// From here on an exception that escapes the sample is printed as one line.
    /// </summary>
    /// <param name="root">The sample's command, with its options and arguments.</param>
    /// <param name="args">The process arguments.</param>
    /// <param name="parsed">The parse result, when the sample should run.</param>
    /// <param name="exitCode">The exit code, when it should not.</param>
    /// <returns>Whether the sample should run.</returns>
    public static bool TryParse(RootCommand root, string[] args, [NotNullWhen(true)] out ParseResult? parsed, out int exitCode)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(args);
        _name = root.Name;
        root.Options.Add(Verbose);
        ParseResult result = root.Parse(args);
        _verbose = result.GetValue(Verbose);
        AppDomain.CurrentDomain.UnhandledException += OnUnhandledException;
        if (result.Errors.Count > 0)
        {
            string errors = string.Join("; ", result.Errors.Select(e => OneLine(e.Message)).Distinct());
            Console.Error.WriteLine($"{_name}: {errors} (see '{_name} --help')");
            parsed = null;
            exitCode = UsageError;
            return false;
        }

        // --help (and --version) have their own actions; the sample's own work only runs when none was asked for.
        if (result.Action is not null && result.Action != root.Action)
        {
            exitCode = result.Invoke();
            parsed = null;
            return false;
        }

        parsed = result;
        exitCode = 0;
        return true;
    }

    /// <summary>Prints <paramref name="message"/> as the sample's one-line reason for not running, and returns <see cref="MissingPrerequisite"/>.</summary>
    /// <param name="message">What is missing and how to provide it.</param>
    /// <returns><see cref="MissingPrerequisite"/>.</returns>
    public static int Missing(string message)
    {
        string line = OneLine(message);
        Console.Error.WriteLine(line.StartsWith(_name + " ", StringComparison.Ordinal) ? line : $"{_name}: {line}");
        return MissingPrerequisite;
    }

    /// <summary>Joins the lines of <paramref name="text"/> into one.</summary>
    /// <param name="text">The text.</param>
    /// <returns>One line.</returns>
    public static string OneLine(string text) =>
        string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    // The samples are top-level programs; an exception that escapes them would print a stack trace. Exiting from
    // this handler prints one line instead, which is what a user (and a script) can act on.
    private static void OnUnhandledException(object sender, UnhandledExceptionEventArgs e)
    {
        var exception = (Exception)e.ExceptionObject;
        Console.Error.WriteLine(_verbose ? $"{_name}: {exception}" : $"{_name}: {Describe(exception)} (--verbose shows details)");
        Environment.Exit(exception is OperationCanceledException ? 130 : Failure);
    }

    // Wrapper exceptions (aggregate, type initializer, target invocation) say little; the innermost message says what broke.
    private static string Describe(Exception e)
    {
        while (e is AggregateException { InnerExceptions.Count: 1 } or TypeInitializationException or System.Reflection.TargetInvocationException && e.InnerException is not null)
        {
            e = e.InnerException!;
        }

        return OneLine(e.Message);
    }
}
