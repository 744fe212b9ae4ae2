namespace Embeddings.Core.Tests.Quantization;

/// <summary>
/// A theory over the AVX-512 VBMI byte-table path of <see cref="PackedProductCodes"/>: on a CPU without it every row
/// reports as skipped, with the reason, instead of passing on the float-table path. Such tests also carry
/// <c>[Trait("Hardware", "Avx512Vbmi")]</c>, so that <c>.ci/run</c> can leave them out, and say so, where the CPU or
/// a <c>DOTNET_EnableAVX512F=0</c> pass cannot run them.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class Avx512VbmiTheoryAttribute : TheoryAttribute
{
    /// <summary>The trait name the hardware-gated tests share.</summary>
    public const string Trait = "Hardware";

    /// <summary>The trait value of the VBMI byte-table tests.</summary>
    public const string Value = "Avx512Vbmi";

    /// <summary>Initializes the attribute.</summary>
    public Avx512VbmiTheoryAttribute()
    {
        if (!PackedProductCodes.IsHardwareAccelerated)
        {
            Skip = "This CPU (or DOTNET_Enable* setting) lacks AVX-512 VBMI and BMI2, so the byte-table path cannot run here.";
        }
    }
}
