using System.Diagnostics;
using System.Reflection;

namespace Embeddings.Core.Tests.Vectors;

/// <summary>
/// A fact about optimized code (allocation-free kernels): in a Debug build the JIT does not optimize the library, so the
/// generic SIMD kernels are not specialized and may allocate; the test is skipped there with that reason, and runs in Release (CI).
/// </summary>
internal sealed class OptimizedBuildFactAttribute : FactAttribute
{
    public OptimizedBuildFactAttribute()
    {
        DebuggableAttribute? debuggable = typeof(VectorMath).Assembly.GetCustomAttribute<DebuggableAttribute>();
        if (debuggable?.IsJITOptimizerDisabled == true)
        {
            Skip = "needs a Release build of Embeddings.Core: allocation-free kernels are a property of JIT-optimized code";
        }
    }
}
