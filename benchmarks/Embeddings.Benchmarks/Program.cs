using BenchmarkDotNet.Running;

// `dotnet run -c Release --project benchmarks/Embeddings.Benchmarks -- --filter '*'` runs every BenchmarkDotNet suite;
// other first arguments select the comparison harnesses that the scripts in benchmarks/ drive.
if (await Embeddings.Benchmarks.Http.HttpLoadHarness.TryRunAsync(args)) { return; }
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
