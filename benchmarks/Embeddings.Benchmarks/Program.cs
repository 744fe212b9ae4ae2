using BenchmarkDotNet.Running;

// `dotnet run -c Release --project benchmarks/Embeddings.Benchmarks -- --filter '*'` runs every BenchmarkDotNet suite;
// other first arguments select the comparison harnesses that the scripts in benchmarks/ drive.
if (args is ["quantization", ..]) { Embeddings.Benchmarks.Quantization.QuantizationHarness.Run(args[1..]); return; }
if (args is ["pgvector", ..]) { Embeddings.Benchmarks.PgVector.PgVectorHarness.Run(args[1..]); return; }

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
