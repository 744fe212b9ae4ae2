using BenchmarkDotNet.Running;

// `dotnet run -c Release --project benchmarks/Embeddings.Benchmarks -- --filter '*'` runs every BenchmarkDotNet suite;
// other first arguments select the comparison harnesses that the scripts in benchmarks/ drive.
if (args.Length > 0 && args[0] == Embeddings.Benchmarks.Indexing.IndexComparison.Command) { Embeddings.Benchmarks.Indexing.IndexComparison.Run(args[1..]); return; }
if (args is ["quantization", ..]) { Embeddings.Benchmarks.Quantization.QuantizationHarness.Run(args[1..]); return; }
if (args is ["quantization-retention", ..]) { await Embeddings.Benchmarks.Quantization.RetentionHarness.RunAsync(args[1..]); return; }
if (args.Length > 0 && args[0] == Embeddings.Benchmarks.Onnx.OnnxComparisonHarness.Command) { Environment.Exit(await Embeddings.Benchmarks.Onnx.OnnxComparisonHarness.RunAsync(args)); }
if (await Embeddings.Benchmarks.Static.StaticHarness.TryRunAsync(args)) { return; }
if (args is [Embeddings.Benchmarks.Retrieval.HybridHarness.Command, ..]) { Environment.Exit(await Embeddings.Benchmarks.Retrieval.HybridHarness.RunAsync(args[1..])); }
if (args is ["pgvector", ..]) { Embeddings.Benchmarks.PgVector.PgVectorHarness.Run(args[1..]); return; }

if (Embeddings.Benchmarks.Vectors.VectorKernelInterleaved.TryRun(args)) { return; }
if (await Embeddings.Benchmarks.Http.HttpLoadHarness.TryRunAsync(args)) { return; }
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
