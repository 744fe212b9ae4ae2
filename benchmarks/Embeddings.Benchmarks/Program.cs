using BenchmarkDotNet.Running;

// `dotnet run -c Release --project benchmarks/Embeddings.Benchmarks -- --filter '*'` runs every BenchmarkDotNet suite;
// other first arguments select the comparison harnesses that the scripts in benchmarks/ drive.
if (args.Length > 0 && args[0] == Embeddings.Benchmarks.Indexing.IndexComparison.Command) { Embeddings.Benchmarks.Indexing.IndexComparison.Run(args[1..]); return; }
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
