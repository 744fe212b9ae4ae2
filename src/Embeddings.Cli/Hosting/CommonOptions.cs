using System.CommandLine;

namespace Embeddings.Cli.Hosting;

/// <summary>Options several verbs share; each verb gets its own instance, so that one parse result never mixes them up.</summary>
internal static class CommonOptions
{
    public static Option<bool> Verbose { get; } = new("--verbose", "-v")
    {
        Description = "Show full exception details (stack traces) on failure.",
        Recursive = true,
    };

    public static Option<string?> Model() => new("--model", "-m")
    {
        Description = "The model: 'static' (the packaged default, used when omitted), a catalog name or Hugging Face id (downloaded on first use), or a model folder or file.",
    };

    public static Option<int> BatchSize(int defaultValue) => Positive(new Option<int>("--batch-size")
    {
        Description = "How many texts are embedded per call.",
        DefaultValueFactory = _ => defaultValue,
    });

    public static Option<T> Positive<T>(Option<T> option)
        where T : struct, IComparable<T>
    {
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<T>().CompareTo(default) <= 0)
            {
                result.AddError($"{option.Name} must be positive, not {result.GetValueOrDefault<T>()}.");
            }
        });
        return option;
    }

    public static Option<OutputFormat> Format(string description) => new("--format")
    {
        Description = description,
        DefaultValueFactory = _ => OutputFormat.Table,
    };

    public static Argument<string[]> InputFiles(string description)
    {
        var argument = new Argument<string[]>("inputs")
        {
            Description = description,
            Arity = ArgumentArity.ZeroOrMore,
        };
        argument.Validators.Add(result =>
        {
            foreach (string path in result.GetValueOrDefault<string[]>() ?? [])
            {
                if (path != "-" && !File.Exists(path))
                {
                    result.AddError(Directory.Exists(path)
                        ? $"input '{path}' is a folder; name the files in it."
                        : $"input file '{path}' does not exist.");
                }
            }
        });
        return argument;
    }
}
