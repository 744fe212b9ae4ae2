using BenchmarkDotNet.Running;

// `dotnet run -c Release --project benchmarks/Embeddings.Benchmarks -- --filter '*'` runs every BenchmarkDotNet suite;
// other first arguments select the comparison harnesses that the scripts in benchmarks/ drive.
if (args.Length > 0 && args[0] == Embeddings.Benchmarks.Indexing.IndexComparison.Command) { Embeddings.Benchmarks.Indexing.IndexComparison.Run(args[1..]); return; }
if (args is [Embeddings.Benchmarks.Indexing.BatchedFlatHarness.Command, ..]) { Embeddings.Benchmarks.Indexing.BatchedFlatHarness.Run(args[1..]); return; }
if (args is [Embeddings.Benchmarks.Indexing.MiniLmAnnDataset.Command, ..]) { Environment.Exit(await Embeddings.Benchmarks.Indexing.MiniLmAnnDataset.RunAsync(args[1..])); }
if (args is ["quantization", ..]) { Embeddings.Benchmarks.Quantization.QuantizationHarness.Run(args[1..]); return; }
if (args is ["quantization-retention", ..]) { await Embeddings.Benchmarks.Quantization.RetentionHarness.RunAsync(args[1..]); return; }
if (args.Length > 0 && args[0] == Embeddings.Benchmarks.Onnx.OnnxComparisonHarness.Command) { Environment.Exit(await Embeddings.Benchmarks.Onnx.OnnxComparisonHarness.RunAsync(args)); }
if (args is [Embeddings.Benchmarks.Onnx.OnnxTuningHarness.Command, ..]) { Environment.Exit(await Embeddings.Benchmarks.Onnx.OnnxTuningHarness.RunAsync(args)); }
if (args is [Embeddings.Benchmarks.Onnx.MtebHarness.Command, ..]) { Environment.Exit(await Embeddings.Benchmarks.Onnx.MtebHarness.RunAsync(args)); }
if (args is [Embeddings.Benchmarks.Onnx.PackagedModelExport.Command, ..]) { Environment.Exit(Embeddings.Benchmarks.Onnx.PackagedModelExport.Run(args)); }
if (args is [Embeddings.Benchmarks.Onnx.OnnxMemoryHarness.Command, ..]) { Environment.Exit(await Embeddings.Benchmarks.Onnx.OnnxMemoryHarness.RunAsync(args)); }
if (await Embeddings.Benchmarks.Static.StaticHarness.TryRunAsync(args)) { return; }
if (args is [Embeddings.Benchmarks.Retrieval.Bm25Harness.Command, ..]) { Environment.Exit(Embeddings.Benchmarks.Retrieval.Bm25Harness.Run(args[1..])); }
if (args is [Embeddings.Benchmarks.Retrieval.HybridHarness.Command, ..]) { Environment.Exit(await Embeddings.Benchmarks.Retrieval.HybridHarness.RunAsync(args[1..])); }
if (args is ["pgvector", ..]) { Embeddings.Benchmarks.PgVector.PgVectorHarness.Run(args[1..]); return; }
if (args is ["chunking", ..]) { Embeddings.Benchmarks.Chunking.ChunkingHarness.Run(args[1..]); return; }
if (args is ["vectordata-overhead", ..]) { await Embeddings.Benchmarks.VectorData.VectorDataOverheadHarness.RunAsync(args[1..]); return; }

if (Embeddings.Benchmarks.Vectors.VectorKernelInterleaved.TryRun(args)) { return; }
if (await Embeddings.Benchmarks.Http.HttpLoadHarness.TryRunAsync(args)) { return; }
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
