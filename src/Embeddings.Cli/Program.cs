using Embeddings.Cli.Hosting;

return await CliApplication.RunAsync(args, CliConsole.FromSystemConsole(), CancellationToken.None).ConfigureAwait(false);
