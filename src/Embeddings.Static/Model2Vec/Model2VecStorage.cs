namespace Embeddings.Static;

/// <summary>The element type of the <c>embeddings</c> tensor a <see cref="Model2VecWriter"/> writes.</summary>
public enum Model2VecStorage
{
    /// <summary>32-bit floats (<c>F32</c>): exact; 4 bytes a value.</summary>
    Float32 = 0,

    /// <summary>16-bit floats (<c>F16</c>), as Model2Vec's <c>quantize_to="float16"</c>; 2 bytes a value.</summary>
    Float16,

    /// <summary>
    /// 8-bit integers (<c>I8</c>), 1 byte a value: each row is scaled so that its largest magnitude is 127 and rounded, and
    /// the row's scale goes into the per-token <c>weights</c> tensor (multiplied into any weight given), which
    /// Model2Vec applies to each token's row before pooling. Rows keep about 0.5% relative precision.
    /// </summary>
    Int8,
}
