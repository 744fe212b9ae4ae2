using Microsoft.ML.OnnxRuntime;

namespace Embeddings.Onnx;

/// <summary>Creates the ONNX Runtime session with the threads, memory settings and execution providers asked for.</summary>
internal static class OnnxSessionFactory
{
    public static InferenceSession Create(string modelFile, OnnxEmbedderOptions options) =>
        Create(modelFile, options, sessionOptions => new InferenceSession(modelFile, sessionOptions));

    /// <summary>Creates the session from the graph's bytes; <paramref name="description"/> names the model in messages.</summary>
    public static InferenceSession Create(byte[] model, string description, OnnxEmbedderOptions options) =>
        Create(description, options, sessionOptions => new InferenceSession(model, sessionOptions));

    private static InferenceSession Create(string modelFile, OnnxEmbedderOptions options, Func<SessionOptions, InferenceSession> open)
    {
        var sessionOptions = new SessionOptions
        {
            IntraOpNumThreads = options.IntraOpThreads,
            EnableCpuMemArena = options.EnableMemoryArena,
            EnableMemoryPattern = options.EnableMemoryPattern,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,

            // ONNX Runtime's warnings (unused initializers and the like) go to stderr; failures still throw.
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };

        try
        {
            foreach ((string key, string value) in options.SessionConfigEntries)
            {
                sessionOptions.AddSessionConfigEntry(key, value);
            }

            AppendExecutionProviders(sessionOptions, options.ExecutionProviders);
            try
            {
                return open(sessionOptions);
            }
            catch (OnnxRuntimeException ex)
            {
                throw new InvalidDataException($"The ONNX model '{modelFile}' could not be loaded (missing or corrupt): {ex.Message}", ex);
            }
        }
        finally
        {
            sessionOptions.Dispose();
        }
    }

    private static void AppendExecutionProviders(SessionOptions sessionOptions, IList<string> providers)
    {
        string[] available = OrtEnv.Instance().GetAvailableProviders();
        foreach (string entry in providers)
        {
            if (string.IsNullOrWhiteSpace(entry))
            {
                throw new ArgumentException("OnnxEmbedderOptions.ExecutionProviders holds an empty name.", nameof(providers));
            }

            string[] parts = entry.Split(':', 2, StringSplitOptions.TrimEntries);
            string name = parts[0];
            int device = parts.Length == 2 && int.TryParse(parts[1], out int d) ? d : 0;
            switch (name.ToUpperInvariant())
            {
                case "CPU" or "CPUEXECUTIONPROVIDER":
                    // ONNX Runtime always falls back to the CPU provider; nothing to append.
                    break;
                case "CUDA" or "CUDAEXECUTIONPROVIDER":
                    Require(available, "CUDAExecutionProvider", entry, "Microsoft.ML.OnnxRuntime.Gpu");
                    Append(entry, () => sessionOptions.AppendExecutionProvider_CUDA(device));
                    break;
                case "DIRECTML" or "DML" or "DMLEXECUTIONPROVIDER":
                    Require(available, "DmlExecutionProvider", entry, "Microsoft.ML.OnnxRuntime.DirectML");
                    // DirectML needs sequential execution without memory patterns.
                    sessionOptions.EnableMemoryPattern = false;
                    sessionOptions.ExecutionMode = ExecutionMode.ORT_SEQUENTIAL;
                    Append(entry, () => sessionOptions.AppendExecutionProvider_DML(device));
                    break;
                default:
                    Append(entry, () => sessionOptions.AppendExecutionProvider(name, []));
                    break;
            }
        }
    }

    private static void Require(string[] available, string providerName, string entry, string package)
    {
        if (!available.Contains(providerName, StringComparer.Ordinal))
        {
            throw new InvalidOperationException(
                $"Execution provider '{entry}' is not available in this ONNX Runtime (available: {string.Join(", ", available)}). Reference the {package} package in the host application instead of Microsoft.ML.OnnxRuntime.");
        }
    }

    private static void Append(string entry, Action append)
    {
        try
        {
            append();
        }
        catch (Exception ex) when (ex is OnnxRuntimeException or EntryPointNotFoundException or DllNotFoundException or NotSupportedException)
        {
            throw new InvalidOperationException(
                $"Execution provider '{entry}' could not be added ({string.Join(", ", OrtEnv.Instance().GetAvailableProviders())} are available): {ex.Message}", ex);
        }
    }
}
